/**
 * Data movement: mov movabs movzx movsx movsxd lea xchg xadd cmpxchg cmpxchg8b cmpxchg16b
 * push pop pushf popf leave enter cmovcc setcc bswap cbw cwde cdqe cwd cdq cqo lahf sahf movnti.
 */
import { Code, ConditionCode, Register } from "../iced-enums.js";
import { GuestFaultError, hex } from "../errors.js";
import {
  AF,
  CF,
  K_SUB32,
  K_SUB64,
  PF,
  SF,
  ZF,
  cond,
  materialize,
  set32,
  set64,
  updateFlags,
} from "../flags.js";
import type { Handler, Op } from "../op.js";
import {
  T,
  addRsp,
  ea,
  lea64,
  ldS,
  ldZ,
  push64,
  rdS,
  rspAddr,
  stN,
  toAddr,
  wr32,
  wrD,
  wrSized,
} from "../operands.js";
import { RAX, RBP, RBX, RCX, RDX, RSP } from "../registers.js";
import { mn, perCondition, type Decoding, type InstrDef } from "./def.js";

// ------------------------------------------------------------------ mov

const movRR64: Handler = (m, o) => {
  const r = m.r;
  r[o.d] = r[o.s];
  r[o.d + 1] = r[o.s + 1];
};
const movRR32: Handler = (m, o) => {
  const r = m.r;
  r[o.d] = r[o.s];
  r[o.d + 1] = 0;
};
const movRR: Handler = (m, o) => {
  const r = m.r;
  wrD(r, o, r[o.s] >> o.ssh);
};
const movRI64: Handler = (m, o) => {
  const r = m.r;
  r[o.d] = o.ilo;
  r[o.d + 1] = o.ihi;
};
const movRI32: Handler = (m, o) => {
  const r = m.r;
  r[o.d] = o.ilo;
  r[o.d + 1] = 0;
};
const movRI: Handler = (m, o) => {
  wrD(m.r, o, o.ilo);
};
const movRM64: Handler = (m, o) => {
  const mem = m.memory;
  const lo = mem.load64(ea(m, o));
  const r = m.r;
  r[o.d] = lo;
  r[o.d + 1] = mem.hi[0];
};
const movRM32: Handler = (m, o) => {
  const v = m.memory.load32(ea(m, o));
  const r = m.r;
  r[o.d] = v;
  r[o.d + 1] = 0;
};
const movRM: Handler = (m, o) => {
  wrD(m.r, o, ldZ(m.memory, ea(m, o), o.size));
};
const movMR64: Handler = (m, o) => {
  const r = m.r;
  m.memory.store64(ea(m, o), r[o.s], r[o.s + 1]);
};
const movMR32: Handler = (m, o) => {
  m.memory.store32(ea(m, o), m.r[o.s]);
};
const movMR: Handler = (m, o) => {
  stN(m.memory, ea(m, o), m.r[o.s] >> o.ssh, o.size);
};
const movMI64: Handler = (m, o) => {
  m.memory.store64(ea(m, o), o.ilo, o.ihi);
};
const movMI: Handler = (m, o) => {
  stN(m.memory, ea(m, o), o.ilo, o.size);
};

function buildMov(d: Decoding): Handler | null {
  const size = d.size(0) || d.size(1);
  if (size === 0 || size > 8 || (d.isReg(0) && d.gprSize(0) === 0) || (d.isReg(1) && d.gprSize(1) === 0)) {
    return null; // segment, control and debug registers
  }
  d.setSize(size);
  if (d.isReg(0)) {
    d.dst(0);
    if (d.isReg(1)) {
      d.src(1);
      return size === 8 ? movRR64 : size === 4 ? movRR32 : movRR;
    }
    if (d.isImm(1)) {
      d.imm(1);
      return size === 8 ? movRI64 : size === 4 ? movRI32 : movRI;
    }
    if (d.isMem(1) && d.mem()) return size === 8 ? movRM64 : size === 4 ? movRM32 : movRM;
    return null;
  }
  if (!d.isMem(0) || !d.mem()) return null;
  if (d.isReg(1)) {
    d.src(1);
    return size === 8 ? movMR64 : size === 4 ? movMR32 : movMR;
  }
  if (d.isImm(1)) {
    d.imm(1);
    return size === 8 ? movMI64 : movMI;
  }
  return null;
}

// ------------------------------------------------------------------ movzx movsx movsxd

/** Writes a value to the destination: 2 bytes merge, 4 and 8 bytes from lo/hi. */
function wrExt(r: Int32Array, o: Op, lo: number, hi: number): void {
  if (o.size === 2) wrD(r, o, lo);
  else {
    r[o.d] = lo;
    r[o.d + 1] = o.size === 8 ? hi : 0;
  }
}

const movzxR: Handler = (m, o) => {
  const r = m.r;
  const v = (r[o.s] >> o.ssh) & (o.aux === 1 ? 0xff : 0xffff);
  wrExt(r, o, v, 0);
};
const movzxM: Handler = (m, o) => {
  const v = ldZ(m.memory, ea(m, o), o.aux);
  wrExt(m.r, o, v, 0);
};
const movsxR: Handler = (m, o) => {
  const r = m.r;
  const sh = 32 - 8 * o.aux;
  const v = ((r[o.s] >> o.ssh) << sh) >> sh;
  wrExt(r, o, v, v >> 31);
};
const movsxM: Handler = (m, o) => {
  const v = ldS(m.memory, ea(m, o), o.aux);
  wrExt(m.r, o, v, v >> 31);
};

function buildExt(zero: boolean): (d: Decoding) => Handler | null {
  return (d) => {
    const size = d.dst(0);
    if (size === 0) return null;
    d.setSize(size);
    const o = d.op;
    if (d.isReg(1)) {
      o.aux = d.src(1);
      if (o.aux === 0) return null;
      if (o.aux === 4) return size === 8 ? (zero ? null : movsxR) : movRR32; // movsxd r32, r32
      return zero ? movzxR : movsxR;
    }
    if (!d.isMem(1) || !d.mem()) return null;
    o.aux = d.memSize();
    if (o.aux === 4) return size === 8 ? (zero ? null : movsxM) : size === 4 ? movRM32 : null;
    if (o.aux === 2 && size === 2) return movRM;
    return zero ? movzxM : movsxM;
  };
}

// ------------------------------------------------------------------ lea

const lea64H: Handler = (m, o) => {
  const lo = lea64(m, o);
  const r = m.r;
  r[o.d] = lo;
  r[o.d + 1] = o.ma32 !== 0 ? 0 : T[0];
};
const lea32H: Handler = (m, o) => {
  const lo = lea64(m, o);
  const r = m.r;
  r[o.d] = lo;
  r[o.d + 1] = 0;
};
const lea16H: Handler = (m, o) => {
  wrD(m.r, o, lea64(m, o));
};

function buildLea(d: Decoding): Handler | null {
  const size = d.dst(0);
  if (size < 2 || !d.mem()) return null;
  d.setSize(size);
  return size === 8 ? lea64H : size === 4 ? lea32H : lea16H;
}

// ------------------------------------------------------------------ xchg xadd cmpxchg

const xchgRR64: Handler = (m, o) => {
  const r = m.r;
  const lo = r[o.d];
  const hi = r[o.d + 1];
  r[o.d] = r[o.s];
  r[o.d + 1] = r[o.s + 1];
  r[o.s] = lo;
  r[o.s + 1] = hi;
};
const xchgRR: Handler = (m, o) => {
  const r = m.r;
  const a = r[o.d] >> o.dsh;
  const b = r[o.s] >> o.ssh;
  wrD(r, o, b);
  wrSized(r, o.s, o.ssh, o.size, a);
};
const xchgMR: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const a = ea(m, o);
  if (o.size === 8) {
    const lo = mem.load32(a);
    const hi = mem.load32(a + 4);
    mem.store64(a, r[o.s], r[o.s + 1]);
    r[o.s] = lo;
    r[o.s + 1] = hi;
  } else {
    const v = ldZ(mem, a, o.size);
    stN(mem, a, r[o.s] >> o.ssh, o.size);
    wrSized(r, o.s, o.ssh, o.size, v);
  }
};

function buildXchg(d: Decoding): Handler | null {
  // iced puts the r/m operand first; "xchg reg, [mem]" decodes with the memory operand first too.
  const size = d.size(0);
  if (size === 0 || size > 8) return null;
  d.setSize(size);
  if (d.isReg(0) && d.isReg(1)) {
    d.dst(0);
    d.src(1);
    return size === 8 ? xchgRR64 : xchgRR;
  }
  if (d.isMem(0) && d.isReg(1) && d.mem()) {
    d.src(1);
    return xchgMR;
  }
  return null;
}

const xadd32: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const isMem = o.mm !== 0;
  const addr = isMem ? ea(m, o) : 0;
  const a = isMem ? ldS(mem, addr, o.size) : rdS(r, o.d, o.dsh, o.sx);
  const b = rdS(r, o.s, o.ssh, o.sx);
  const v = ((a + b) << o.sx) >> o.sx;
  if (isMem) stN(mem, addr, v, o.size);
  wrSized(r, o.s, o.ssh, o.size, a);
  if (!isMem) wrD(r, o, v);
  set32(m.fl, 2 /* K_ADD32 */, a, b, v);
};
const xadd64: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const isMem = o.mm !== 0;
  const addr = isMem ? ea(m, o) : 0;
  const al = isMem ? mem.load32(addr) : r[o.d];
  const ah = isMem ? mem.load32(addr + 4) : r[o.d + 1];
  const bl = r[o.s];
  const bh = r[o.s + 1];
  const s = (al >>> 0) + (bl >>> 0);
  const rl = s | 0;
  const rh = (ah + bh + (s >= 4294967296 ? 1 : 0)) | 0;
  if (isMem) mem.store64(addr, rl, rh);
  r[o.s] = al;
  r[o.s + 1] = ah;
  if (!isMem) {
    r[o.d] = rl;
    r[o.d + 1] = rh;
  }
  set64(m.fl, 3 /* K_ADD64 */, al, ah, bl, bh, rl, rh);
};

function buildXadd(d: Decoding): Handler | null {
  const size = d.size(0);
  if (size === 0 || size > 8 || !d.isReg(1)) return null;
  d.setSize(size);
  d.src(1);
  if (d.isReg(0)) d.dst(0);
  else if (!d.isMem(0) || !d.mem()) return null;
  return size === 8 ? xadd64 : xadd32;
}

const cmpxchg32: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const isMem = o.mm !== 0;
  const addr = isMem ? ea(m, o) : 0;
  const dv = isMem ? ldS(mem, addr, o.size) : rdS(r, o.d, o.dsh, o.sx);
  const acc = rdS(r, RAX, 0, o.sx);
  const res = ((acc - dv) << o.sx) >> o.sx;
  if (acc === dv) {
    const src = r[o.s] >> o.ssh;
    if (isMem) stN(mem, addr, src, o.size);
    else wrD(r, o, src);
  } else {
    if (isMem) stN(mem, addr, dv, o.size); // the processor always writes back
    wrSized(r, RAX, 0, o.size, dv);
  }
  set32(m.fl, K_SUB32, acc, dv, res);
};
const cmpxchg64: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const isMem = o.mm !== 0;
  const addr = isMem ? ea(m, o) : 0;
  const dl = isMem ? mem.load32(addr) : r[o.d];
  const dh = isMem ? mem.load32(addr + 4) : r[o.d + 1];
  const al = r[RAX];
  const ah = r[RAX + 1];
  const s = (al >>> 0) - (dl >>> 0);
  const rl = s | 0;
  const rh = (ah - dh - (s < 0 ? 1 : 0)) | 0;
  if (al === dl && ah === dh) {
    const sl = r[o.s];
    const sh = r[o.s + 1];
    if (isMem) mem.store64(addr, sl, sh);
    else {
      r[o.d] = sl;
      r[o.d + 1] = sh;
    }
  } else {
    if (isMem) mem.store64(addr, dl, dh);
    r[RAX] = dl;
    r[RAX + 1] = dh;
  }
  set64(m.fl, K_SUB64, al, ah, dl, dh, rl, rh);
};

function buildCmpxchg(d: Decoding): Handler | null {
  const size = d.size(0);
  if (size === 0 || size > 8 || !d.isReg(1)) return null;
  d.setSize(size);
  d.src(1);
  if (d.isReg(0)) d.dst(0);
  else if (!d.isMem(0) || !d.mem()) return null;
  return size === 8 ? cmpxchg64 : cmpxchg32;
}

const cmpxchg8b: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const a = ea(m, o);
  const lo = mem.load32(a);
  const hi = mem.load32(a + 4);
  const eq = lo === r[RAX] && hi === r[RDX];
  if (eq) mem.store64(a, r[RBX], r[RCX]);
  else {
    mem.store64(a, lo, hi);
    wr32(r, RAX, lo);
    wr32(r, RDX, hi);
  }
  updateFlags(m.fl, ZF, eq ? ZF : 0);
};
const cmpxchg16b: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const a = ea(m, o);
  if (a % 16 !== 0) {
    throw new GuestFaultError("SIGSEGV", `cmpxchg16b operand at ${hex(a)} is not 16-byte aligned`, a);
  }
  const w0 = mem.load32(a);
  const w1 = mem.load32(a + 4);
  const w2 = mem.load32(a + 8);
  const w3 = mem.load32(a + 12);
  const eq = w0 === r[RAX] && w1 === r[RAX + 1] && w2 === r[RDX] && w3 === r[RDX + 1];
  if (eq) mem.store128(a, r[RBX], r[RBX + 1], r[RCX], r[RCX + 1]);
  else {
    mem.store128(a, w0, w1, w2, w3);
    r[RAX] = w0;
    r[RAX + 1] = w1;
    r[RDX] = w2;
    r[RDX + 1] = w3;
  }
  updateFlags(m.fl, ZF, eq ? ZF : 0);
};

// ------------------------------------------------------------------ stack

const pushR64: Handler = (m, o) => {
  const r = m.r;
  push64(m, r[o.s], r[o.s + 1]);
};
const pushR16: Handler = (m, o) => {
  const r = m.r;
  m.memory.store16(rspAddr(r) - 2, r[o.s]);
  addRsp(r, -2);
};
const pushI64: Handler = (m, o) => {
  push64(m, o.ilo, o.ihi);
};
const pushI16: Handler = (m, o) => {
  const r = m.r;
  m.memory.store16(rspAddr(r) - 2, o.ilo);
  addRsp(r, -2);
};
const pushM64: Handler = (m, o) => {
  const a = ea(m, o);
  const lo = m.memory.load32(a);
  const hi = m.memory.load32(a + 4);
  push64(m, lo, hi);
};
const pushM16: Handler = (m, o) => {
  const v = m.memory.load16(ea(m, o));
  const r = m.r;
  m.memory.store16(rspAddr(r) - 2, v);
  addRsp(r, -2);
};
const popR64: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const lo = mem.load64(rspAddr(r));
  const hi = mem.hi[0];
  addRsp(r, 8);
  r[o.d] = lo;
  r[o.d + 1] = hi;
};
const popR16: Handler = (m, o) => {
  const r = m.r;
  const v = m.memory.load16(rspAddr(r));
  addRsp(r, 2);
  wrD(r, o, v);
};
/** pop [mem]: the address is computed with rsp already incremented (Intel SDM). */
const popM: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const sp = rspAddr(r);
  const lo = o.size === 8 ? mem.load32(sp) : mem.load16(sp);
  const hi = o.size === 8 ? mem.load32(sp + 4) : 0;
  const oldLo = r[RSP];
  const oldHi = r[RSP + 1];
  addRsp(r, o.size);
  try {
    const a = ea(m, o);
    if (o.size === 8) mem.store64(a, lo, hi);
    else mem.store16(a, lo);
  } catch (e) {
    r[RSP] = oldLo;
    r[RSP + 1] = oldHi;
    throw e;
  }
};

function buildPush(d: Decoding): Handler | null {
  const o = d.op;
  if (d.isReg(0)) {
    const size = d.src(0);
    return size === 8 ? pushR64 : size === 2 ? pushR16 : null;
  }
  if (d.isImm(0)) {
    d.imm(0);
    const c = d.code;
    return c === Code.Push_imm16 || c === Code.Pushw_imm8 ? pushI16 : pushI64;
  }
  if (d.isMem(0) && d.mem()) {
    o.size = d.memSize();
    return o.size === 8 ? pushM64 : o.size === 2 ? pushM16 : null;
  }
  return null;
}

function buildPop(d: Decoding): Handler | null {
  const o = d.op;
  if (d.isReg(0)) {
    const size = d.dst(0);
    d.setSize(size);
    return size === 8 ? popR64 : size === 2 ? popR16 : null;
  }
  if (d.isMem(0) && d.mem()) {
    o.size = d.memSize();
    return o.size === 8 || o.size === 2 ? popM : null;
  }
  return null;
}

const pushf: Handler = (m, o) => {
  const v = m.getFlags();
  if (o.size === 8) push64(m, v, 0);
  else {
    const r = m.r;
    m.memory.store16(rspAddr(r) - 2, v);
    addRsp(r, -2);
  }
};
const popf: Handler = (m, o) => {
  const r = m.r;
  const v = o.size === 8 ? m.memory.load32(rspAddr(r)) : m.memory.load16(rspAddr(r));
  addRsp(r, o.size);
  m.setFlags(o.size === 8 ? v : (m.getFlags() & ~0xffff) | v);
};

const leave: Handler = (m) => {
  const r = m.r;
  const bp = r[RBP + 1] * 4294967296 + (r[RBP] >>> 0);
  const lo = m.memory.load32(bp);
  const hi = m.memory.load32(bp + 4);
  r[RSP] = r[RBP];
  r[RSP + 1] = r[RBP + 1];
  addRsp(r, 8);
  r[RBP] = lo;
  r[RBP + 1] = hi;
};

const enter: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const level = o.imm2 & 31;
  const sp = rspAddr(r);
  const size = o.ilo & 0xffff;
  // Check every stack write first so that a fault leaves the registers untouched.
  mem.probeWrite(sp - 8 * (level + 1), 8 * (level + 1));
  push64(m, r[RBP], r[RBP + 1]);
  const frameLo = r[RSP];
  const frameHi = r[RSP + 1];
  if (level > 0) {
    let bp = r[RBP + 1] * 4294967296 + (r[RBP] >>> 0);
    for (let i = 1; i < level; i++) {
      bp -= 8;
      push64(m, mem.load32(bp), mem.load32(bp + 4));
    }
    push64(m, frameLo, frameHi);
  }
  r[RBP] = frameLo;
  r[RBP + 1] = frameHi;
  addRsp(r, -size);
};

// ------------------------------------------------------------------ cmov setcc

const cmovR64: Handler = (m, o) => {
  if (cond(m.fl, o.cc)) {
    const r = m.r;
    r[o.d] = r[o.s];
    r[o.d + 1] = r[o.s + 1];
  }
};
/** 32-bit cmov always writes (zero-extends) its destination, even when the condition is false. */
const cmovR32: Handler = (m, o) => {
  const r = m.r;
  r[o.d] = cond(m.fl, o.cc) ? r[o.s] : r[o.d];
  r[o.d + 1] = 0;
};
const cmovR16: Handler = (m, o) => {
  const r = m.r;
  if (cond(m.fl, o.cc)) wrD(r, o, r[o.s]);
};
const cmovM: Handler = (m, o) => {
  const a = ea(m, o);
  const mem = m.memory;
  const r = m.r;
  if (o.size === 8) {
    const lo = mem.load32(a);
    const hi = mem.load32(a + 4);
    if (cond(m.fl, o.cc)) {
      r[o.d] = lo;
      r[o.d + 1] = hi;
    }
  } else {
    const v = ldZ(mem, a, o.size);
    if (o.size === 4) {
      r[o.d] = cond(m.fl, o.cc) ? v : r[o.d];
      r[o.d + 1] = 0;
    } else if (cond(m.fl, o.cc)) wrD(r, o, v);
  }
};

function buildCmov(d: Decoding): Handler | null {
  const size = d.dst(0);
  if (size < 2) return null;
  d.setSize(size);
  d.op.cc = d.ins.conditionCode - ConditionCode.o;
  if (d.isReg(1)) {
    d.src(1);
    return size === 8 ? cmovR64 : size === 4 ? cmovR32 : cmovR16;
  }
  return d.isMem(1) && d.mem() ? cmovM : null;
}

const setccR: Handler = (m, o) => {
  wrD(m.r, o, cond(m.fl, o.cc) ? 1 : 0);
};
const setccM: Handler = (m, o) => {
  m.memory.store8(ea(m, o), cond(m.fl, o.cc) ? 1 : 0);
};

function buildSetcc(d: Decoding): Handler | null {
  d.op.cc = d.ins.conditionCode - ConditionCode.o;
  d.setSize(1);
  if (d.isReg(0)) return d.dst(0) === 1 ? setccR : null;
  return d.isMem(0) && d.mem() ? setccM : null;
}

// ------------------------------------------------------------------ bswap, conversions, lahf/sahf

function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

const bswap64H: Handler = (m, o) => {
  const r = m.r;
  const lo = r[o.d];
  r[o.d] = bswap32(r[o.d + 1]);
  r[o.d + 1] = bswap32(lo);
};
const bswap32H: Handler = (m, o) => {
  const r = m.r;
  r[o.d] = bswap32(r[o.d]);
  r[o.d + 1] = 0;
};

function buildBswap(d: Decoding): Handler | null {
  const size = d.dst(0);
  return size === 8 ? bswap64H : size === 4 ? bswap32H : null; // 16-bit bswap is undefined
}

const cbw: Handler = (m) => {
  const r = m.r;
  r[RAX] = (r[RAX] & ~0xffff) | (((r[RAX] << 24) >> 24) & 0xffff);
};
const cwde: Handler = (m) => {
  const r = m.r;
  r[RAX] = (r[RAX] << 16) >> 16;
  r[RAX + 1] = 0;
};
const cdqe: Handler = (m) => {
  const r = m.r;
  r[RAX + 1] = r[RAX] >> 31;
};
const cwd: Handler = (m) => {
  const r = m.r;
  r[RDX] = (r[RDX] & ~0xffff) | (((r[RAX] << 16) >> 31) & 0xffff);
};
const cdq: Handler = (m) => {
  const r = m.r;
  r[RDX] = r[RAX] >> 31;
  r[RDX + 1] = 0;
};
const cqo: Handler = (m) => {
  const r = m.r;
  const s = r[RAX + 1] >> 31;
  r[RDX] = s;
  r[RDX + 1] = s;
};

/** xlat: al = [rbx + al] (ebx with a 0x67 prefix), with the segment override if any. */
const xlat: Handler = (m, o) => {
  const r = m.r;
  let a =
    o.ma32 !== 0
      ? ((r[RBX] >>> 0) + (r[RAX] & 0xff)) % 4294967296
      : toAddr(r[RBX], r[RBX + 1]) + (r[RAX] & 0xff);
  if (o.mseg !== 0) a += o.mseg === 1 ? m.fsb : m.gsb;
  r[RAX] = (r[RAX] & ~0xff) | m.memory.load8(a);
};

const lahf: Handler = (m) => {
  const r = m.r;
  const ah = (materialize(m.fl) & (SF | ZF | AF | PF | CF)) | 2;
  r[RAX] = (r[RAX] & ~0xff00) | (ah << 8);
};
const sahf: Handler = (m) => {
  const ah = (m.r[RAX] >> 8) & 0xff;
  updateFlags(m.fl, SF | ZF | AF | PF | CF, ah);
};

const fixed =
  (h: Handler) =>
  (_d: Decoding): Handler =>
    h;

export const DATA: InstrDef[] = [
  { mnemonics: mn("Mov"), family: "data", build: buildMov },
  { mnemonics: mn("Movzx"), family: "data", build: buildExt(true) },
  { mnemonics: mn("Movsx", "Movsxd"), family: "data", build: buildExt(false) },
  { mnemonics: mn("Lea"), family: "data", build: buildLea },
  { mnemonics: mn("Xchg"), family: "data", build: buildXchg },
  { mnemonics: mn("Xadd"), family: "data", writes: "OSZAPC", build: buildXadd },
  {
    mnemonics: mn("Cmpxchg"),
    family: "data",
    writes: "OSZAPC",
    note: "flags of cmp accumulator, destination",
    build: buildCmpxchg,
  },
  {
    mnemonics: mn("Cmpxchg8b", "Cmpxchg16b"),
    family: "data",
    writes: "Z",
    build: (d) => {
      if (!d.mem()) return null;
      return d.code === Code.Cmpxchg16b_m128 ? cmpxchg16b : cmpxchg8b;
    },
  },
  { mnemonics: mn("Push"), family: "data", build: buildPush },
  { mnemonics: mn("Pop"), family: "data", build: buildPop },
  {
    mnemonics: mn("Pushf", "Pushfq"),
    family: "data",
    reads: "OSZAPCD",
    build: (d) => {
      d.op.size = d.code === Code.Pushfq ? 8 : 2;
      return pushf;
    },
  },
  {
    mnemonics: mn("Popf", "Popfq"),
    family: "data",
    writes: "OSZAPCD",
    build: (d) => {
      d.op.size = d.code === Code.Popfq ? 8 : 2;
      return popf;
    },
  },
  { mnemonics: mn("Leave"), family: "data", build: (d) => (d.code === Code.Leaveq ? leave : null) },
  {
    mnemonics: mn("Enter"),
    family: "data",
    build: (d) => {
      if (d.code !== Code.Enterq_imm16_imm8) return null;
      d.op.ilo = Number(d.immValue(0));
      d.op.imm2 = Number(d.immValue(1));
      return enter;
    },
  },
  ...perCondition("cmov", "data", buildCmov),
  ...perCondition("set", "data", buildSetcc),
  { mnemonics: mn("Bswap"), family: "data", build: buildBswap },
  { mnemonics: mn("Cbw"), family: "data", build: fixed(cbw) },
  { mnemonics: mn("Cwde"), family: "data", build: fixed(cwde) },
  { mnemonics: mn("Cdqe"), family: "data", build: fixed(cdqe) },
  { mnemonics: mn("Cwd"), family: "data", build: fixed(cwd) },
  { mnemonics: mn("Cdq"), family: "data", build: fixed(cdq) },
  { mnemonics: mn("Cqo"), family: "data", build: fixed(cqo) },
  {
    mnemonics: mn("Xlatb"),
    family: "data",
    build: (d) => {
      const o = d.op;
      const seg = d.ins.memorySegment;
      o.mseg = seg === Register.FS ? 1 : seg === Register.GS ? 2 : 0;
      o.ma32 = d.ins.memoryBase === Register.EBX ? 1 : 0;
      return xlat;
    },
  },
  { mnemonics: mn("Lahf"), family: "data", reads: "SZAPC", build: fixed(lahf) },
  { mnemonics: mn("Sahf"), family: "data", writes: "SZAPC", build: fixed(sahf) },
  {
    mnemonics: mn("Movnti"),
    family: "data",
    build: (d) => {
      const size = d.src(1);
      d.setSize(size);
      if (!d.mem()) return null;
      return size === 8 ? movMR64 : size === 4 ? movMR32 : null;
    },
  },
];

/** Handlers that the block translator (translate.ts) recognises and compiles inline. */
export const DATA_HANDLERS = {
  movRR64,
  movRR32,
  movRR,
  movRI64,
  movRI32,
  movRI,
  movRM64,
  movRM32,
  movRM,
  movMR64,
  movMR32,
  movMR,
  movMI64,
  movMI,
  movzxR,
  movzxM,
  movsxR,
  movsxM,
  lea64H,
  lea32H,
  pushR64,
  pushI64,
  popR64,
  leave,
  cmovR64,
  cmovR32,
  setccR,
} as const;
