/**
 * Control transfer: jmp (relative, register, memory), jcc, call, ret (with imm16), loop loope
 * loopne, jrcxz. These end their basic block; the run loop has already set rip to the
 * fall-through address, so a handler only writes rip when it transfers control.
 */
import { Code, ConditionCode } from "../iced-enums.js";
import { condB, condBE, condE, condL, condLE, condO, condP, condS, materialize, ZF } from "../flags.js";
import type { Machine } from "../machine.js";
import { GuestFaultError } from "../errors.js";
import type { Handler, Op } from "../op.js";
import { addRsp, ea, rspAddr, toAddr } from "../operands.js";
import { RCX } from "../registers.js";
import { mn, perCondition, type Decoding, type InstrDef } from "./def.js";

/**
 * A branch target from its words. A non-canonical target faults (#GP → SIGSEGV) at the branch
 * itself, before anything changes, as on hardware; a kernel-half target faults when fetched.
 */
export function branchTarget(lo: number, hi: number, what: string): number {
  if (hi >>> 15 !== 0 && hi >> 15 !== -1) {
    const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    throw new GuestFaultError("SIGSEGV", `${what} non-canonical address 0x${v.toString(16)} (#GP)`);
  }
  return toAddr(lo, hi);
}

const jmpRel: Handler = (m, o) => {
  m.rip = o.target;
};
const jmpR: Handler = (m, o) => {
  m.rip = branchTarget(m.r[o.s], m.r[o.s + 1], "jump to");
};
const jmpM: Handler = (m, o) => {
  const a = ea(m, o);
  m.rip = branchTarget(m.memory.load32(a), m.memory.load32(a + 4), "jump to");
};

/** One handler per condition code (hardware order), each with its own specialised test. */
const JCC: Handler[] = [
  (m, o) => {
    if (condO(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (!condO(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (condB(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (!condB(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (condE(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (!condE(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (condBE(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (!condBE(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (condS(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (!condS(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (condP(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (!condP(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (condL(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (!condL(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (condLE(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
  (m, o) => {
    if (!condLE(m.fl)) {
      m.rip = o.target;
      return true;
    }
  },
];

/** The jcc handlers (for fusion with a preceding cmp/test). */
export const JCC_HANDLERS: ReadonlySet<Handler> = new Set(JCC);

function call(m: Machine, o: Op, target: number): void {
  const r = m.r;
  const sp = rspAddr(r);
  m.memory.store64(sp - 8, o.ilo, o.ihi);
  addRsp(r, -8);
  m.rip = target;
  m.shadow.push(o.ip, target, o.nextIp);
  if (m.callObs !== null) m.emitCall(o.ip, o.nextIp, target, sp);
}

const callRel: Handler = (m, o) => {
  call(m, o, o.target);
};
const callR: Handler = (m, o) => {
  call(m, o, branchTarget(m.r[o.s], m.r[o.s + 1], "call to"));
};
const callM: Handler = (m, o) => {
  const a = ea(m, o);
  call(m, o, branchTarget(m.memory.load32(a), m.memory.load32(a + 4), "call to"));
};

const ret: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const lo = mem.load64(rspAddr(r));
  const target = branchTarget(lo, mem.hi[0], "return to");
  addRsp(r, 8 + o.ilo);
  m.rip = target;
  m.shadow.pop(target);
  if (m.retObs !== null) m.emitReturn(o.ip, target, rspAddr(r));
};

/** rcx -= 1 (no flags); returns whether rcx is now non-zero. */
function decRcx(r: Int32Array): boolean {
  const lo = r[RCX];
  r[RCX] = (lo - 1) | 0;
  if (lo === 0) r[RCX + 1] = (r[RCX + 1] - 1) | 0;
  return (r[RCX] | r[RCX + 1]) !== 0;
}

function branch(m: Machine, o: Op, taken: boolean): boolean {
  if (taken) m.rip = o.target;
  return taken;
}

const loop: Handler = (m, o) => branch(m, o, decRcx(m.r));
const loope: Handler = (m, o) => branch(m, o, decRcx(m.r) && (materialize(m.fl) & ZF) !== 0);
const loopne: Handler = (m, o) => branch(m, o, decRcx(m.r) && (materialize(m.fl) & ZF) === 0);
const jrcxz: Handler = (m, o) => branch(m, o, (m.r[RCX] | m.r[RCX + 1]) === 0);
const jecxz: Handler = (m, o) => branch(m, o, m.r[RCX] === 0);

function buildLoop(d: Decoding): Handler | null {
  const c = d.code;
  if (c !== Code.Loop_rel8_64_RCX && c !== Code.Loope_rel8_64_RCX && c !== Code.Loopne_rel8_64_RCX)
    return null;
  target(d);
  return c === Code.Loop_rel8_64_RCX ? loop : c === Code.Loope_rel8_64_RCX ? loope : loopne;
}

function target(d: Decoding): boolean {
  d.op.target = d.branchTarget();
  return true;
}

function returnAddress(d: Decoding): void {
  const n = d.op.nextIp;
  d.op.ilo = (n % 4294967296) | 0;
  d.op.ihi = Math.floor(n / 4294967296) | 0;
}

export const CONTROL: InstrDef[] = [
  {
    mnemonics: mn("Jmp"),
    family: "control",
    build: (d) => {
      if (d.isReg(0)) return d.src(0) === 8 ? jmpR : null;
      if (d.isMem(0)) return d.memSize() === 8 && d.mem() ? jmpM : null;
      if (d.ins.isJmpShortOrNear && target(d)) return jmpRel;
      return null; // far jumps
    },
  },
  ...perCondition("j", "control", (d) => {
    target(d);
    d.op.cc = d.ins.conditionCode - ConditionCode.o;
    return JCC[d.op.cc];
  }),
  {
    mnemonics: mn("Call"),
    family: "control",
    build: (d) => {
      returnAddress(d);
      if (d.isReg(0)) return d.src(0) === 8 ? callR : null;
      if (d.isMem(0)) return d.memSize() === 8 && d.mem() ? callM : null;
      if (d.ins.isCallNear && target(d)) return callRel;
      return null;
    },
  },
  {
    mnemonics: mn("Ret"),
    family: "control",
    build: (d) => {
      if (d.code === Code.Retnq) return ret;
      if (d.code === Code.Retnq_imm16) {
        d.op.ilo = Number(d.immValue(0)) & 0xffff;
        return ret;
      }
      return null; // far returns, 16-bit returns
    },
  },
  { mnemonics: mn("Loop"), family: "control", build: buildLoop },
  { mnemonics: mn("Loope", "Loopne"), family: "control", reads: "Z", build: buildLoop },
  {
    mnemonics: mn("Jrcxz", "Jecxz"),
    family: "control",
    build: (d) => {
      target(d);
      return d.code === Code.Jrcxz_rel8_64 ? jrcxz : d.code === Code.Jecxz_rel8_64 ? jecxz : null;
    },
  },
];

/** Handlers that the block translator (translate.ts) recognises and compiles inline. */
export const CONTROL_HANDLERS = { jmpRel, callRel, ret } as const;
