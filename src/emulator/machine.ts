/**
 * The x86-64 user-mode CPU.
 *
 * State lives in typed arrays so that the per-instruction path never allocates and never touches
 * BigInt: `r` holds the 16 general-purpose registers as (low, high) int32 pairs, `fl` the lazy
 * flags (flags.ts), `x32`/`xf64`/... views of the 16 XMM registers.
 *
 * `run()` executes cached basic blocks (decode-cache.ts). It has two loops, chosen when it starts
 * (and re-chosen when observers change): the fast loop runs whole blocks and checks for stops,
 * breakpoints and the step budget once per block; the precise loop runs one instruction at a time
 * and calls `onInstruction` observers (and is used when anyone listens to memory writes, so that a
 * halt from an observer stops right after the instruction). Call/return/syscall/fault events cost
 * one null check on their own instructions when nobody listens.
 */
import { BLOCK_EXIT, Block, DecodeCache } from "./decode-cache.js";
import { GuestFaultError } from "./errors.js";
import { AC, DF, ID, IF, STATUS, materialize, setEager } from "./flags.js";
import { Memory, type MemoryOptions } from "./memory.js";
import { ShadowStack } from "./shadow-stack.js";
import { X87, type X87Snapshot } from "./x87-state.js";
import { RAX, RCX, R8, R9, R10, R11, RDI, RDX, RSI, RSP } from "./registers.js";
import { translate } from "./translate.js";
import {
  GP_REGISTERS,
  SYSCALL_RESTART,
  type CallEvent,
  type GpRegister,
  type GuestFault,
  type GuestMachine,
  type MachineObserver,
  type ReturnEvent,
  type StopReason,
  type SyscallHandler,
} from "./types.js";

const TWO32 = 4294967296;
const JC_MASK = 4095;
/** Fills empty jump-cache slots (never valid, so never taken for a real block). */
const NO_BLOCK = Block.placeholder();
const ENOSYS = 38;

export interface MachineOptions extends MemoryOptions {
  /** Use this memory instead of a fresh one. */
  memory?: Memory;
  syscallHandler?: SyscallHandler;
  /** Translate hot blocks to JavaScript (default true); false keeps the interpreter only. */
  translate?: boolean;
  /** Interpreted executions of a block before it is translated (default 16; 0 = at once). */
  translateAfter?: number;
}

/** A snapshot of the CPU (not memory): see saveState/restoreState. */
export interface MachineState {
  /** rax..r15 as unsigned 64-bit values. */
  registers: bigint[];
  rip: number;
  /** Materialised RFLAGS. */
  rflags: number;
  /** 16 XMM registers, 16 bytes each. */
  xmm: Uint8Array;
  mxcsr: number;
  fsBase: bigint;
  gsBase: bigint;
  steps: number;
  /** The x87 FPU (absent in snapshots taken before it existed: then it is left as is). */
  x87?: X87Snapshot;
}

const REGISTER_INDEX = new Map<GpRegister, number>(GP_REGISTERS.map((n, i) => [n, i]));

function regIndex(name: GpRegister): number {
  const i = REGISTER_INDEX.get(name);
  if (i === undefined) throw new RangeError(`unknown register ${String(name)}`);
  return i;
}

/**
 * Steps one call of a translated region runs at most before it returns to the run loop (which calls
 * it again at once). A loop that never leaves its region (recursive fib) would otherwise run all
 * along in the code V8 compiled for entering it mid-loop (on-stack replacement), whose locals start
 * as untyped values: every register use then checks and converts. Returning now and then lets the
 * region's regular optimised code, with int32 locals, take over.
 */
const RUN_SLICE = 1 << 16;

export class Machine implements GuestMachine {
  /** General-purpose registers: r[2n] low word, r[2n+1] high word of register n. */
  readonly r = new Int32Array(32);
  /** Lazy flags, see flags.ts. */
  readonly fl = new Int32Array(9);
  /** XMM registers, 16 bytes each, with views. */
  readonly x8 = new Uint8Array(256);
  readonly x16 = new Uint16Array(this.x8.buffer);
  readonly x32 = new Int32Array(this.x8.buffer);
  readonly xf32 = new Float32Array(this.x8.buffer);
  readonly xf64 = new Float64Array(this.x8.buffer);
  mxcsr = 0x1f80;
  /** The x87 FPU registers, control and status words. */
  readonly fpu = new X87();
  /** Direction flag, 0 or 1. */
  df = 0;
  /** AC and ID bits of RFLAGS (settable by popf, otherwise inert). */
  acid = 0;
  rip = 0;
  /** FS and GS bases as numbers (the bigint accessors below are the GuestMachine view). */
  fsb = 0;
  gsb = 0;
  steps = 0;
  /** Index in its block of the instruction a translated block faulted at (set by the block's catch). */
  fi = 0;
  /** Whether hot blocks are translated to JavaScript (translate.ts), and after how many runs. */
  translation: boolean;
  translateAfter: number;
  readonly memory: Memory;
  /** The frames of the calls not returned from (pushed and popped by call and ret). */
  readonly shadow = new ShadowStack();
  syscallHandler: SyscallHandler | null;
  readonly cache: DecodeCache;
  /** The block a translated region faulted in (set by the region's catch, with `fi`). */
  cur: Block = NO_BLOCK;
  /** Direct-mapped cache of blocks by rip, in front of the decode cache's map (run loop). */
  private readonly jumpCache: Block[] = new Array<Block>(JC_MASK + 1).fill(NO_BLOCK);

  /** Listener lists, null when empty (the hot path tests for null). */
  callObs: MachineObserver[] | null = null;
  retObs: MachineObserver[] | null = null;
  /** Whether a call or return observer needs the machine's state written back (not `eventsOnly`). */
  callsNeedState = false;
  /** The events handed to `eventsOnly` observers, reused (they do not keep them). */
  private readonly callEvent: CallEvent = { rip: 0, returnAddress: 0, target: 0, rsp: 0 };
  private readonly returnEvent: ReturnEvent = { rip: 0, target: 0, rsp: 0 };
  private sysObs: MachineObserver[] | null = null;
  private faultObs: MachineObserver[] | null = null;
  private insObs: MachineObserver[] | null = null;
  private memObs: MachineObserver[] | null = null;
  private readonly observerList: MachineObserver[] = [];

  private readonly bps = new Set<number>();
  /** Non-zero when the run loop must look at `pending` or re-choose its loop (translated code reads it). */
  interrupt = 0;
  private pending: StopReason | null = null;
  private exitCode: number | null = null;
  private lastTsc = 0;
  /** The last fault delivered, if any. */
  lastFault: GuestFault | null = null;

  constructor(options: MachineOptions = {}) {
    this.memory = options.memory ?? new Memory(options);
    this.syscallHandler = options.syscallHandler ?? null;
    this.translation = options.translate ?? true;
    this.translateAfter = options.translateAfter ?? 16;
    this.cache = new DecodeCache(this.memory, this.bps);
  }

  // ---------------------------------------------------------------- registers (slow path API)

  getRegister(name: GpRegister): bigint {
    return this.getReg(regIndex(name));
  }

  setRegister(name: GpRegister, value: bigint): void {
    this.setReg(regIndex(name), value);
  }

  /** Register n (0 = rax ... 15 = r15) as an unsigned bigint. */
  getReg(n: number): bigint {
    return (BigInt(this.r[2 * n + 1] >>> 0) << 32n) | BigInt(this.r[2 * n] >>> 0);
  }

  setReg(n: number, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.r[2 * n] = Number(v & 0xffffffffn) | 0;
    this.r[2 * n + 1] = Number(v >> 32n) | 0;
  }

  /** Register n as a number (exact below 2^53; intended for addresses and small values). */
  getRegNumber(n: number): number {
    return (this.r[2 * n + 1] >>> 0) * TWO32 + (this.r[2 * n] >>> 0);
  }

  /** Sets register n from a non-negative integer below 2^64 given as a number. */
  setRegNumber(n: number, value: number): void {
    this.r[2 * n] = (value % TWO32) | 0;
    this.r[2 * n + 1] = Math.floor(value / TWO32) | 0;
  }

  getFlags(): number {
    return materialize(this.fl) | (this.df !== 0 ? DF : 0) | IF | 0x2 | this.acid;
  }

  /** Sets RFLAGS: the status flags, DF, AC and ID (other bits are not writable from user mode). */
  setFlags(value: number): void {
    setEager(this.fl, value & STATUS);
    this.df = (value & DF) !== 0 ? 1 : 0;
    this.acid = value & (AC | ID);
  }

  getXmm(index: number): Uint8Array {
    return this.x8.slice(index * 16, index * 16 + 16);
  }

  setXmm(index: number, bytes: Uint8Array): void {
    if (bytes.length !== 16) throw new RangeError("an XMM register holds 16 bytes");
    this.x8.set(bytes, index * 16);
  }

  get fsBase(): bigint {
    return BigInt(this.fsb);
  }

  set fsBase(v: bigint) {
    this.fsb = Number(BigInt.asUintN(64, v));
  }

  get gsBase(): bigint {
    return BigInt(this.gsb);
  }

  set gsBase(v: bigint) {
    this.gsb = Number(BigInt.asUintN(64, v));
  }

  /** A time-stamp counter derived from the step count: monotonic and deterministic. */
  tsc(): number {
    const t = Math.max(this.steps, this.lastTsc + 1);
    this.lastTsc = t;
    return t;
  }

  // ---------------------------------------------------------------- snapshots

  saveState(): MachineState {
    const registers: bigint[] = [];
    for (let i = 0; i < 16; i++) registers.push(this.getReg(i));
    return {
      registers,
      rip: this.rip,
      rflags: this.getFlags(),
      xmm: this.x8.slice(),
      mxcsr: this.mxcsr,
      fsBase: this.fsBase,
      gsBase: this.gsBase,
      steps: this.steps,
      x87: this.fpu.snapshot(),
    };
  }

  restoreState(s: MachineState): void {
    for (let i = 0; i < 16; i++) this.setReg(i, s.registers[i]);
    this.rip = s.rip;
    this.setFlags(s.rflags);
    this.x8.set(s.xmm);
    this.mxcsr = s.mxcsr;
    this.fsBase = s.fsBase;
    this.gsBase = s.gsBase;
    this.steps = s.steps;
    if (s.x87 !== undefined) this.fpu.restore(s.x87);
  }

  // ---------------------------------------------------------------- control

  exit(code: number): void {
    this.exitCode = code;
    this.pending = { kind: "exit", code };
    this.interrupt = 1;
  }

  halt(reason: string): void {
    if (this.pending?.kind !== "exit") this.pending = { kind: "halted", reason };
    this.interrupt = 1;
  }

  /** A syscall that would block: stop at it, to run it again on the next run(). */
  private block(ip: number): void {
    this.rip = ip;
    if (this.pending === null) this.pending = { kind: "blocked", rip: ip };
    this.interrupt = 1;
  }

  /** The exit code once the program has exited, else null. */
  get exited(): number | null {
    return this.exitCode;
  }

  addBreakpoint(address: number): void {
    this.bps.add(address);
    this.cache.invalidateAddress(address);
  }

  removeBreakpoint(address: number): void {
    if (this.bps.delete(address)) this.cache.invalidateAddress(address);
  }

  get breakpoints(): ReadonlySet<number> {
    return this.bps;
  }

  // ---------------------------------------------------------------- observers

  /** Subscribes an observer; returns a function that unsubscribes it. */
  addObserver(o: MachineObserver): () => void {
    this.observerList.push(o);
    this.updateObservers();
    return () => this.removeObserver(o);
  }

  removeObserver(o: MachineObserver): void {
    const i = this.observerList.indexOf(o);
    if (i < 0) return;
    this.observerList.splice(i, 1);
    this.updateObservers();
  }

  get observers(): readonly MachineObserver[] {
    return this.observerList;
  }

  private updateObservers(): void {
    const pick = (k: keyof MachineObserver): MachineObserver[] | null => {
      const l = this.observerList.filter((o) => typeof o[k] === "function");
      return l.length === 0 ? null : l;
    };
    this.callObs = pick("onCall");
    this.retObs = pick("onReturn");
    this.emitCall = this.callEmitter(this.callObs);
    this.emitReturn = this.returnEmitter(this.retObs);
    this.callsNeedState = this.observerList.some(
      (o) => (o.onCall !== undefined || o.onReturn !== undefined) && o.eventsOnly !== true,
    );
    this.sysObs = pick("onSyscall");
    this.faultObs = pick("onFault");
    this.insObs = pick("onInstruction");
    this.memObs = pick("onMemoryWrite");
    const memObs = this.memObs;
    this.memory.setWriteHook(
      memObs === null
        ? null
        : (address, size) => {
            for (const o of memObs) o.onMemoryWrite!(address, size);
          },
    );
    this.interrupt = 1;
  }

  /**
   * Delivers a call event to the call observers (interpreter handlers and translated code call
   * it when `callObs` is not null). Rebuilt by updateObservers: for a single observer (usually the
   * run's `eventsOnly` shadow call stack) it is that observer's one small monomorphic function,
   * which V8 can inline into translated code.
   */
  emitCall: (rip: number, returnAddress: number, target: number, rsp: number) => void = () => undefined;

  /** Delivers a return event to the return observers (as emitCall). */
  emitReturn: (rip: number, target: number, rsp: number) => void = () => undefined;

  private callEmitter(list: MachineObserver[] | null): Machine["emitCall"] {
    const e = this.callEvent;
    const fns = (list ?? []).map((o): Machine["emitCall"] =>
      o.eventsOnly === true
        ? (rip, returnAddress, target, rsp) => {
            e.rip = rip;
            e.returnAddress = returnAddress;
            e.target = target;
            e.rsp = rsp;
            o.onCall!(e);
          }
        : (rip, returnAddress, target, rsp) => o.onCall!({ rip, returnAddress, target, rsp }),
    );
    if (fns.length === 1) return fns[0];
    return (rip, returnAddress, target, rsp) => {
      for (const f of fns) f(rip, returnAddress, target, rsp);
    };
  }

  private returnEmitter(list: MachineObserver[] | null): Machine["emitReturn"] {
    const e = this.returnEvent;
    const fns = (list ?? []).map((o): Machine["emitReturn"] =>
      o.eventsOnly === true
        ? (rip, target, rsp) => {
            e.rip = rip;
            e.target = target;
            e.rsp = rsp;
            o.onReturn!(e);
          }
        : (rip, target, rsp) => o.onReturn!({ rip, target, rsp }),
    );
    if (fns.length === 1) return fns[0];
    return (rip, target, rsp) => {
      for (const f of fns) f(rip, target, rsp);
    };
  }

  // ---------------------------------------------------------------- syscall

  /** The `syscall` instruction (rip already points after it). */
  doSyscall(ip: number, nextIp: number): void {
    const r = this.r;
    this.setRegNumber(RCX / 2, nextIp);
    r[R11] = this.getFlags() & ~0x10000;
    r[R11 + 1] = 0;
    const number = r[RAX] >>> 0;
    const h = this.syscallHandler;
    let result: bigint;
    if (h === null) result = BigInt(-ENOSYS);
    else result = h.handle(this);
    if (result === SYSCALL_RESTART) return this.block(ip);
    this.setReg(RAX / 2, result);
    const obs = this.sysObs;
    if (obs !== null) {
      const args = [RDI, RSI, RDX, R10, R8, R9].map((s) => this.getReg(s / 2));
      const name = h?.nameOf?.(number) ?? `syscall_${number}`;
      const e = { rip: ip, number, args, result: BigInt.asUintN(64, result), name };
      for (const o of obs) o.onSyscall!(e);
    }
  }

  // ---------------------------------------------------------------- execution

  /**
   * Runs until exit, a fault, a breakpoint, a halt or `maxSteps` instructions. A breakpoint at the
   * current rip does not stop the run (so that continuing from a breakpoint works).
   */
  run(maxSteps = Infinity): StopReason {
    if (this.exitCode !== null) return { kind: "exit", code: this.exitCode };
    const limit = this.steps + maxSteps;
    let first = true;
    for (;;) {
      this.interrupt = 0;
      if (this.pending !== null) return this.takePending()!;
      const precise = this.insObs !== null || this.memObs !== null;
      const startSteps = this.steps;
      const startRip = this.rip;
      const r = precise ? this.runPrecise(limit, first) : this.runFast(limit, first);
      if (r !== null) return r;
      if (this.steps !== startSteps || this.rip !== startRip) first = false;
    }
  }

  /** Executes one instruction. Returns undefined, or why the machine stopped (exit, fault, halt). */
  step(): StopReason | undefined {
    const r = this.run(1);
    return r.kind === "step-limit" ? undefined : r;
  }

  private takePending(): StopReason | null {
    const p = this.pending;
    if (p !== null && p.kind !== "exit") this.pending = null;
    return p;
  }

  private stepLimit(): StopReason {
    return { kind: "step-limit", steps: this.steps };
  }

  private runFast(limit: number, first: boolean): StopReason | null {
    const cache = this.cache;
    const bps = this.bps;
    const jc = this.jumpCache;
    let blk: Block | null = null;
    let i = 0;
    /** What runs: 0 the ops, 1 the fused ops (i indexes b.fops), 2 the translated function. */
    let mode = 0;
    for (;;) {
      try {
        for (;;) {
          const rip = this.rip;
          blk = null;
          i = 0;
          if (bps.size !== 0 && !first && bps.has(rip)) return { kind: "breakpoint", rip };
          const left = limit - this.steps;
          if (left <= 0) return this.stepLimit();
          // The jump cache: the last block seen at this hash of rip (QEMU's tb_jmp_cache).
          const h = rip & JC_MASK;
          let b = jc[h];
          if (b.ip !== rip || !b.valid) {
            b = cache.get(rip);
            jc[h] = b;
          }
          first = false;
          blk = b;
          const ops = b.ops;
          let n = b.n;
          if (n <= left) {
            let jit = b.jit;
            if (jit === null && this.translation && b.hits++ >= this.translateAfter) {
              jit = translate(b, this);
            }
            if (jit !== null) {
              // Translated blocks keep steps and rip exact themselves.
              mode = 2;
              jit(Math.min(limit, this.steps + RUN_SLICE), b.entry);
              if (this.interrupt === 0) this.chain(limit);
              mode = 0;
              if (this.interrupt !== 0) return this.takePending();
              continue;
            }
          }
          this.rip = b.endIp;
          if (n > left) {
            // Run only part of the block; a taken conditional branch may leave it earlier.
            n = left;
            let exited = false;
            for (; i < n; i++) {
              const o = ops[i];
              if (o.fn(this, o) === true) {
                i++;
                exited = true;
                break;
              }
            }
            this.steps += i;
            if (!exited) this.rip = ops[n].ip;
            return this.stepLimit();
          }
          // The fused ops; a conditional branch returns true when taken: it has set rip and
          // leaves the block.
          const fops = b.fops;
          const fn = b.fn;
          mode = 1;
          for (; i < fn; i++) {
            const o = fops[i];
            if (o.fn(this, o) === true) {
              i++;
              break;
            }
          }
          mode = 0;
          this.steps += b.fidx[i];
          if (this.interrupt !== 0) return this.takePending();
        }
      } catch (e) {
        const translated = mode === 2;
        if (mode === 1 && blk !== null) i = blk.fidx[i];
        if (translated) {
          blk = this.cur;
          i = this.fi;
        }
        mode = 0;
        if (e === BLOCK_EXIT && blk !== null) {
          if (!translated) this.steps += i;
          this.rip = blk.ops[i].ip;
          if (this.interrupt !== 0) return this.takePending();
          continue;
        }
        return this.caught(e, blk, i, !translated);
      }
    }
  }

  /**
   * Runs translated blocks back to back from rip while the next one is translated, fits the step
   * budget and is not at a breakpoint, and nothing is pending. A small function of its own, so that
   * V8 optimises it on its own (the big run loop is only entered through on-stack replacement).
   * A region that faults sets `cur` and `fi` (for the fault handler).
   */
  private chain(limit: number): void {
    const jc = this.jumpCache;
    const bps = this.bps;
    for (;;) {
      const rip = this.rip;
      const b = jc[rip & JC_MASK];
      if (b.ip !== rip || !b.valid) return;
      const jit = b.jit;
      if (jit === null || b.n > limit - this.steps || (bps.size !== 0 && bps.has(rip))) return;
      jit(Math.min(limit, this.steps + RUN_SLICE), b.entry);
      if (this.interrupt !== 0) return;
    }
  }

  private runPrecise(limit: number, first: boolean): StopReason | null {
    const cache = this.cache;
    const bps = this.bps;
    let blk: Block | null = null;
    let i = 0;
    for (;;) {
      try {
        for (;;) {
          blk = null;
          i = 0;
          const rip = this.rip;
          if (bps.size !== 0 && !first && bps.has(rip)) return { kind: "breakpoint", rip };
          if (this.steps >= limit) return this.stepLimit();
          const b = cache.get(rip);
          blk = b;
          const ops = b.ops;
          for (; i < b.n; i++) {
            const o = ops[i];
            if (i > 0) {
              if (bps.size !== 0 && bps.has(o.ip)) return { kind: "breakpoint", rip: o.ip };
              if (this.steps >= limit) return this.stepLimit();
            }
            first = false;
            this.rip = o.ip;
            const insObs = this.insObs;
            if (insObs !== null) {
              for (const ob of insObs) ob.onInstruction!(o.ip);
              if (this.interrupt !== 0) return this.takePending();
            }
            this.rip = o.nextIp;
            const taken = o.fn(this, o) === true;
            this.steps++;
            if (this.interrupt !== 0) return this.takePending();
            if (taken) break;
          }
        }
      } catch (e) {
        if (e === BLOCK_EXIT && blk !== null) {
          this.rip = blk.ops[i].ip;
          continue;
        }
        return this.caught(e, blk, i, false);
      }
    }
  }

  /** Whether the stack pointer (or the slot next to it) is non-canonical: stack accesses then raise #SS. */
  private stackNonCanonical(): boolean {
    const hi = this.r[RSP + 1];
    const canonical = (h: number): boolean => h >>> 15 === 0 || h >> 15 === -1;
    const lo = this.r[RSP] >>> 0;
    return (
      !canonical(hi) || (lo < 16 && !canonical((hi - 1) | 0)) || (lo > 0xffffffef && !canonical((hi + 1) | 0))
    );
  }

  /** Turns a GuestFaultError thrown in block `blk` at op `i` into a fault stop; rethrows others. */
  private caught(e: unknown, blk: Block | null, i: number, fast: boolean): StopReason {
    if (!(e instanceof GuestFaultError)) throw e;
    let rip = this.rip;
    if (blk !== null) {
      const o = blk.ops[i];
      rip = o.ip;
      if (fast) this.steps += i;
      if (e.trap) {
        this.steps++;
        this.rip = o.nextIp;
      } else this.rip = o.ip;
    }
    if (rip < 0) rip += 2 ** 64;
    let signal = e.signal;
    let reason = e.reason;
    if (
      e.nonCanonical &&
      blk !== null &&
      (blk.ops[i].mss !== 0 || (blk.ops[i].stk !== 0 && this.stackNonCanonical()))
    ) {
      signal = "SIGBUS";
      reason = reason.replace("(#GP)", "through the stack segment (#SS)");
    }
    const fault: GuestFault = { signal, rip, reason };
    if (e.address !== undefined) fault.address = e.address;
    this.lastFault = fault;
    const obs = this.faultObs;
    if (obs !== null) for (const o of obs) o.onFault!(fault);
    return { kind: "fault", fault };
  }
}
