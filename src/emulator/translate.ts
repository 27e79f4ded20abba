/**
 * The translator: turns a hot basic block (decode-cache.ts), with the blocks it leads to (a
 * region, formRegion), into one JavaScript function, generated as source and compiled by V8 with
 * `new Function`. The function runs the region's blocks in a loop (`switch` on the block number),
 * so loops and recursion inside the region never leave it.
 *
 * Inside the function the guest registers the region uses live in JS locals (`L3`/`H3` = low and
 * high word of rbx), loaded at entry and written back at every exit; operands (register numbers,
 * immediates, displacements, branch targets) are baked in as constants; the lazy flags of the last
 * flag-setting instruction stay in locals too, so that `cmp` + `jcc` becomes one JS comparison and
 * flags overwritten within the block are never stored. Instructions the translator does not know
 * call their ordinary handler (`ops[k].fn`) with the state written back first and reloaded after.
 *
 * Exactness: the function keeps `m.steps` exact; it sets `m.rip` at every exit. Faults are
 * precise: each instruction does its loads and stores before changing any register or flag, and
 * the function's catch writes the locals back (the state before the faulting instruction), sets
 * `m.fi` to the instruction's index in the block and rethrows. A store that lands on a page holding
 * decoded code may invalidate this very block: after each store (and each fallback call) the
 * function checks `B.valid` and leaves at the next instruction, so self-modifying code behaves as in
 * the interpreter; entering another block of the region checks that one too. Call and return events
 * are emitted as the handlers emit them.
 */
import type { Block } from "./decode-cache.js";
import {
  FA,
  FAH,
  FB,
  FBH,
  FK,
  FR,
  FRH,
  FX,
  K_ADD32,
  K_ADD64,
  K_DEC32,
  K_DEC64,
  K_INC32,
  K_INC64,
} from "./flags.js";
import { CF, K_RES32, K_RES64, K_SUB32, K_SUB64, OF, PARITY, cond, getCF } from "./flags.js";
import { ALU_BIN, ALU_OPS, ALU_UN } from "./instructions/alu.js";
import { CONTROL_HANDLERS, JCC_HANDLERS, branchTarget } from "./instructions/control.js";
import { DATA_HANDLERS } from "./instructions/data.js";
import { IMUL_HANDLERS, imul64 } from "./instructions/muldiv.js";
import { NOP_HANDLER } from "./instructions/system.js";
import { SHIFT_HANDLERS, SHIFT_OPS, shift32, shift64 } from "./instructions/shift.js";
import type { Machine } from "./machine.js";
import { TLB_MASK, TLB_WORDS } from "./memory.js";
import { FRAME_WORDS, MAX_FRAMES } from "./shadow-stack.js";
import { MM_ABS, MM_BASE, MM_BIS, MM_NONE, type Handler, type Op } from "./op.js";
import { T, ea } from "./operands.js";

/**
 * A translated region: runs from the start of its block number `entry` (Block.entry) until control
 * leaves the region (or a fault, an invalidation, or the step budget: no block is started that
 * would end past `limit`).
 */
export type BlockFn = (limit: number, entry: number) => void;

const { ADD, OR, AND, SUB, XOR, CMP, TEST, INC, DEC, NEG, NOT } = ALU_OPS;
const D = DATA_HANDLERS;
const C = CONTROL_HANDLERS;
const SH = SHIFT_HANDLERS;

type Form = "rr32" | "ri32" | "rm32" | "mr32" | "mi32" | "rr64" | "ri64" | "rm64" | "mr64" | "mi64";

/** Handler → [operation, form] for the binary ALU operations we translate (not adc/sbb). */
const BIN = new Map<Handler, [number, Form]>();
for (const op of [ADD, OR, AND, SUB, XOR, CMP, TEST]) {
  const forms = ALU_BIN[op];
  for (const f of Object.keys(forms) as Form[]) {
    const h = forms[f];
    if (h !== null) BIN.set(h, [op, f]);
  }
}
/** Handler → [operation, 64-bit] for inc dec neg not on registers. */
const UN = new Map<Handler, [number, boolean]>();
for (const op of [INC, DEC, NEG, NOT]) {
  UN.set(ALU_UN[op].r32, [op, false]);
  UN.set(ALU_UN[op].r64, [op, true]);
}

const KIND32: Record<number, number> = {
  [ADD]: K_ADD32,
  [SUB]: K_SUB32,
  [CMP]: K_SUB32,
  [OR]: K_RES32,
  [AND]: K_RES32,
  [XOR]: K_RES32,
  [TEST]: K_RES32,
};

const TWO32 = "4294967296";
/** Placeholders for the register write-back and reload, filled in once the region's registers are known. */
const FLUSH = "/*FLUSH*/";
const RELOAD = "/*RELOAD*/";
/** Region exits that deliver an event (Gen.exit). */
const EXIT_CALL = 1;
const EXIT_RETURN = 2;
/** Size - 1 of a region's table of return points. */
const RP_MASK = 63;
/** Gen.fk at the start of a block entered from another block: the flag locals' kind is in `fk`. */
const UNKNOWN = -2;
const FLAGS_ALL = `fl[${FK}] = fk; fl[${FA}] = fa; fl[${FAH}] = fah; fl[${FB}] = fb; fl[${FBH}] = fbh; fl[${FR}] = fr; fl[${FRH}] = frh; fl[${FX}] = fx;`;

/** Source generator for one region (translate): its blocks are generated one after the other. */
class Gen {
  readonly out: string[] = [];
  /** Registers (0..15) the region reads or writes: all loaded at entry. */
  readonly used = new Set<number>();
  /** Registers the region writes: all written back at every exit. */
  readonly written = new Set<number>();
  /** The block being generated, its index in the region, its ops. */
  b: Block;
  j = 0;
  ops: Op[];
  /** Index of the instruction being generated. */
  k = 0;
  /** The next access's address as register + displacement (Gen.word), or null: it is in `a`. */
  addr: [number, number] | null = null;
  /** Sets `a` to that address (on a TLB miss). */
  setA = "";
  /**
   * Kind of the flags held in the flag locals; -1 when Machine.fl is current; UNKNOWN at the start
   * of a block entered from another block of the region (the local `fk` tells at run time).
   */
  fk = -1;
  constructor(b: Block) {
    this.b = b;
    this.ops = b.ops;
  }

  emit(s: string): void {
    this.out.push(s);
  }

  L(slot: number): string {
    this.used.add(slot >> 1);
    return `L${slot >> 1}`;
  }

  H(slot: number): string {
    this.used.add(slot >> 1);
    return `H${slot >> 1}`;
  }

  /**
   * Marks register (slot) as written and returns [lo, hi] local names. The caller assigns both
   * words unconditionally; a partial or conditional write reads the register first (L or H).
   */
  W(slot: number): [string, string] {
    const n = slot >> 1;
    this.used.add(n);
    this.written.add(n);
    return [`L${n}`, `H${n}`];
  }

  /** Writes back the registers the region writes (filled in when the whole region is generated). */
  flushRegs(): string {
    return FLUSH;
  }

  reloadRegs(): string {
    return RELOAD;
  }

  /** Stores the flag locals to Machine.fl: the fields the kind reads (flags.ts). */
  flagsOut(): string {
    const k = this.fk;
    if (k === UNKNOWN) return `if (fk >= 0) { ${FLAGS_ALL} fk = -1; }`;
    if (k < 0) return "";
    const is64 = (k & 1) !== 0;
    const res = k === K_RES32 || k === K_RES64;
    const x = res || k === K_INC32 || k === K_INC64 || k === K_DEC32 || k === K_DEC64;
    let s = `fl[${FK}] = ${k}; fl[${FR}] = fr;`;
    if (is64) s += ` fl[${FRH}] = frh;`;
    if (!res) s += ` fl[${FA}] = fa; fl[${FB}] = fb;`;
    if (!res && is64) s += ` fl[${FAH}] = fah; fl[${FBH}] = fbh;`;
    if (x) s += ` fl[${FX}] = fx;`;
    return `${s} fk = -1;`;
  }

  /**
   * Leaves the region after `count` instructions of the block: the shared exit after the dispatch
   * loop writes registers and flags back and sets rip and steps (`event`: the call or return event
   * it delivers first, with e1..e3 set). Only constants and locals are assigned here: code that
   * optimised code reaches for the first time deoptimises it when it has no type feedback.
   */
  exit(rip: string, count: number, event = 0): string {
    return `xr = ${rip}; xk = ${count};${event !== 0 ? ` xe = ${event};` : ""} break out;`;
  }

  /** Writes everything back (registers and flags): before a fallback call. */
  sync(): string {
    const s = `${this.flushRegs()} ${this.flagsOut()}`;
    return s;
  }

  /** Sets the flag locals for a kind. */
  setFlags(kind: number, a: string, ah: string, b: string, bh: string, r: string, rh: string, x = "0"): void {
    this.emit(
      `fk = ${kind}; fa = ${a}; fah = ${ah}; fb = ${b}; fbh = ${bh}; fr = ${r}; frh = ${rh}; fx = ${x};`,
    );
    this.fk = kind;
  }

  /** The ops of the block being generated, as named in the generated source. */
  get opsName(): string {
    return `O${this.j}`;
  }

  /** Effective address into `a` (exact: the slow path asks operands.ea). */
  ea(k: number): void {
    const o = this.ops[k];
    let fast: string;
    let guard = "";
    switch (o.mm) {
      case MM_ABS:
        fast = `${o.mdisp}`;
        break;
      case MM_BASE:
        guard = `((${this.H(o.mb)} + 65536) >>> 17) !== 0`;
        fast = `${this.H(o.mb)} * ${TWO32} + (${this.L(o.mb)} >>> 0) + ${o.mdisp}`;
        break;
      case MM_BIS:
        guard = `(((${this.H(o.mb)} + 65536) | (${this.H(o.mi)} + 65536)) >>> 17) !== 0`;
        fast = `${this.H(o.mb)} * ${TWO32} + (${this.L(o.mb)} >>> 0) + (${this.H(o.mi)} * ${TWO32} + (${this.L(o.mi)} >>> 0)) * ${o.msc} + ${o.mdisp}`;
        break;
      default:
        guard = `((${this.H(o.mi)} + 65536) >>> 17) !== 0`;
        fast = `(${this.H(o.mi)} * ${TWO32} + (${this.L(o.mi)} >>> 0)) * ${o.msc} + ${o.mdisp}`;
    }
    if (o.ma32 !== 0) fast = `(${fast}) >>> 0`;
    if (o.mseg !== 0) fast = `${fast} + m.${o.mseg === 1 ? "fsb" : "gsb"}`;
    let set = `a = ${fast};`;
    if (guard !== "") {
      // operands.ea reads the base and index registers only.
      const regs = new Set<number>();
      if (o.mm === MM_BASE || o.mm === MM_BIS) regs.add(o.mb >> 1);
      if (o.mm !== MM_BASE) regs.add(o.mi >> 1);
      const flush = [...regs].map((n) => `r[${2 * n}] = L${n}; r[${2 * n + 1}] = H${n};`).join(" ");
      set = `if (${guard}) { ${flush} a = EA(m, ${this.opsName}[${k}]); } else a = ${fast};`;
    }
    if (o.mm === MM_BASE && o.ma32 === 0 && o.mseg === 0) this.word(o.mb >> 1, o.mdisp, set);
    else this.emit(set);
  }

  /**
   * The next access is at register n + disp: the TLB is checked on the address's 32-bit words
   * (Memory.tlb), and `a`, set by `set`, is computed on a miss only.
   */
  word(n: number, disp: number, set: string): void {
    this.used.add(n);
    this.addr = [n, disp];
    this.setA = set;
  }

  /**
   * One access of `size` bytes through the read or write TLB: `fast` with a DataView in `dv` and
   * the offset in `o_` (the page's own and its offset in it, or the arena's and the offset in the
   * arena), else `slow` (Memory's method, which handles every other case). `aligned`, when given,
   * is the access through the arena's Int32Array at word index `p_`, for addresses that are a
   * multiple of 4.
   */
  access(write: boolean, size: number, fast: string, slow: string, aligned?: string): void {
    const [T, V] = write ? ["W", "WV"] : ["R", "RV"];
    const addr = this.addr;
    if (addr === null) {
      this.emit(
        `o_ = a & 4095; j_ = (a >>> 12) & ${TLB_MASK}; if (${T}T[j_] === a - o_ && o_ <= ${4096 - size}) { dv = ${V}[j_]; ${fast} } else { ${slow} }`,
      );
      return;
    }
    const [n, disp] = addr;
    // No carry into the high word (else the slow path): then the high word is the register's.
    const carry =
      disp > 0 ? ` && (w_ >>> 0) >= (L${n} >>> 0)` : disp < 0 ? ` && (w_ >>> 0) <= (L${n} >>> 0)` : "";
    // Memory.tlb: the tag's words at j_ + k, j_ + k + 1, the page's offset in the arena at j_ + k + 4.
    const k = write ? 2 : 0;
    if (aligned !== undefined) {
      // A 4- or 8-byte access at a multiple of 4 (every access of compiled code to the stack and
      // to heap objects): through the arena's Int32Array, word index p_; others take the slow path.
      const fits = size === 8 ? ` && o_ <= ${4096 - size}` : "";
      this.emit(
        `w_ = (L${n} + ${disp}) | 0; o_ = w_ & 4095; j_ = ((w_ >>> 12) & ${TLB_MASK}) * ${TLB_WORDS}; if (TLB[j_ + ${k}] === (w_ & -4096) && TLB[j_ + ${k + 1}] === H${n} && (o_ & 3) === 0${fits}${carry}) { p_ = (o_ + TLB[j_ + ${k + 4}]) >> 2; ${aligned} } else { ${this.setA} ${slow} }`,
      );
      return;
    }
    this.emit(
      `w_ = (L${n} + ${disp}) | 0; o_ = w_ & 4095; j_ = ((w_ >>> 12) & ${TLB_MASK}) * ${TLB_WORDS}; if (TLB[j_ + ${k}] === (w_ & -4096) && TLB[j_ + ${k + 1}] === H${n} && o_ <= ${4096 - size}${carry}) { dv = AV; o_ = (o_ + TLB[j_ + ${k + 4}]) | 0; ${fast} } else { ${this.setA} ${slow} }`,
    );
  }

  /** Loads `size` bytes (1, 2, 4) at `a` into the local `v`, sign-extended to 32 bits: the read TLB inline. */
  ldS(size: number, v: string): void {
    if (size === 4) this.ld32(v);
    else
      this.ld(
        size,
        v,
        size === 1 ? "getInt8(o_)" : "getInt16(o_, true)",
        size === 1 ? "<< 24) >> 24" : "<< 16) >> 16",
      );
  }

  /** The same, zero-extended. */
  ldZ(size: number, v: string): void {
    if (size === 4) this.ld32(v);
    else this.ld(size, v, size === 1 ? "getUint8(o_)" : "getUint16(o_, true)", "");
  }

  private ld(size: number, v: string, get: string, ext: string): void {
    const slow = `mem.load${8 * size}(a)`;
    // `| 0`: a call's result is a tagged value to V8; the register locals must stay int32 (a
    // tagged input makes their phis tagged, and every use converts through a double).
    this.access(
      false,
      size,
      `${v} = dv.${get};`,
      `${v} = ${ext === "" ? `${slow} | 0` : `((${slow} ${ext})`};`,
    );
  }

  /** Stores the low `size` bytes (1, 2, 4) of `v` at `a`: the write TLB inline (sl = 1 after a miss). */
  st(size: number, v: string): void {
    if (size === 4) {
      this.st32(v);
      return;
    }
    const set = size === 1 ? `setUint8(o_, ${v})` : `setUint16(o_, ${v}, true)`;
    this.access(true, size, `dv.${set};`, `mem.store${8 * size}(a, ${v}); sl = 1;`);
  }

  /**
   * After an instruction that stored: the store may have written to a page holding decoded code,
   * this block's included: leave at the next instruction when this block was invalidated.
   */
  checkValid(k: number): void {
    const next = k + 1 < this.b.n ? this.ops[k + 1].ip : this.b.endIp;
    this.emit(`if (sl !== 0) { sl = 0; if (B${this.j}.valid === false) { ${this.exit(`${next}`, k + 1)} } }`);
  }

  /** Loads 8 bytes into the locals named lo, hi: the read TLB inline, Memory.load64 on a miss. */
  ld64(lo: string, hi: string): void {
    this.access(
      false,
      8,
      `${lo} = dv.getInt32(o_, true); ${hi} = dv.getInt32(o_ + 4, true);`,
      `${lo} = mem.load64(a) | 0; ${hi} = MH[0];`,
      `${lo} = A32[p_]; ${hi} = A32[p_ + 1];`,
    );
  }

  ld32(v: string): void {
    this.access(false, 4, `${v} = dv.getInt32(o_, true);`, `${v} = mem.load32(a) | 0;`, `${v} = A32[p_];`);
  }

  st64(lo: string, hi: string): void {
    this.access(
      true,
      8,
      `dv.setInt32(o_, ${lo}, true); dv.setInt32(o_ + 4, ${hi}, true);`,
      `mem.store64(a, ${lo}, ${hi}); sl = 1;`,
      `A32[p_] = ${lo}; A32[p_ + 1] = ${hi};`,
    );
  }

  st32(v: string): void {
    this.access(true, 4, `dv.setInt32(o_, ${v}, true);`, `mem.store32(a, ${v}); sl = 1;`, `A32[p_] = ${v};`);
  }

  /** Register read of an operand up to 32 bits, sign-extended from its size. */
  rdS(slot: number, sh: number, sx: number): string {
    const l = this.L(slot);
    if (sh === 0 && sx === 0) return l;
    if (sx === 0) return `(${l} >> ${sh})`;
    return `(((${l} >> ${sh}) << ${sx}) >> ${sx})`;
  }

  /** Register write with the size rules of the op's destination (o.dk, o.dsh, o.hk). */
  wrD(o: Op, v: string): void {
    if (o.dk !== 0 || o.hk !== 0) this.L(o.d); // a merge into the old value
    const [l, h] = this.W(o.d);
    if (o.dk === 0) this.emit(`${l} = ${v};`);
    else this.emit(`${l} = (${l} & ${o.dk}) | ((${v} << ${o.dsh}) & ${~o.dk});`);
    if (o.hk === 0) this.emit(`${h} = 0;`);
  }

  /** The carry flag as a 0/1 expression (flushing first when the kind is not one we know). */
  cf(): string {
    switch (this.fk) {
      case K_ADD32:
        return "((fr >>> 0) < (fa >>> 0) ? 1 : 0)";
      case K_ADD64:
        return "((frh !== fah ? (frh >>> 0) < (fah >>> 0) : (fr >>> 0) < (fa >>> 0)) ? 1 : 0)";
      case K_SUB32:
        return "((fa >>> 0) < (fb >>> 0) ? 1 : 0)";
      case K_SUB64:
        return "((fah !== fbh ? (fah >>> 0) < (fbh >>> 0) : (fa >>> 0) < (fb >>> 0)) ? 1 : 0)";
      case K_RES32:
      case K_RES64:
      case K_INC32:
      case K_INC64:
      case K_DEC32:
      case K_DEC64:
        return "(fx & 1)";
      default:
        if (this.fk !== -1) this.emit(this.flagsOut());
        this.fk = -1;
        return "GETCF(fl)";
    }
  }

  /** A condition (hardware encoding) as a boolean expression. */
  cond(cc: number): string {
    const k = this.fk;
    const neg = (cc & 1) !== 0;
    const base = cc >> 1;
    let e: string | null = null;
    const is64 = (k & 1) !== 0;
    const Z = is64 ? "(fr | frh) === 0" : "fr === 0";
    const S = is64 ? "frh < 0" : "fr < 0";
    const P = "PARITY[fr & 255] !== 0";
    if (k === K_SUB32) {
      e = [
        "((fa ^ fb) & (fa ^ fr)) < 0",
        "(fa >>> 0) < (fb >>> 0)",
        Z,
        "(fa >>> 0) <= (fb >>> 0)",
        S,
        P,
        "fa < fb",
        "fa <= fb",
      ][base];
    } else if (k === K_SUB64) {
      e = [
        "((fah ^ fbh) & (fah ^ frh)) < 0",
        "(fah !== fbh ? (fah >>> 0) < (fbh >>> 0) : (fa >>> 0) < (fb >>> 0))",
        Z,
        "(fah !== fbh ? (fah >>> 0) < (fbh >>> 0) : (fa >>> 0) <= (fb >>> 0))",
        S,
        P,
        "(fah !== fbh ? fah < fbh : (fa >>> 0) < (fb >>> 0))",
        "(fah !== fbh ? fah < fbh : (fa >>> 0) <= (fb >>> 0))",
      ][base];
    } else if (k === K_RES32 || k === K_RES64) {
      // Shifts: CF and OF are bits of fx (logic operations: fx = 0, so CF = OF = 0).
      const O = "(fx & 2048) !== 0";
      const B = "(fx & 1) !== 0";
      e = [O, B, Z, `${B} || ${Z}`, S, P, `(${S}) !== (${O})`, `${Z} || (${S}) !== (${O})`][base];
    } else if (k === K_ADD32 || k === K_ADD64) {
      const O = is64 ? "((fah ^ frh) & (fbh ^ frh)) < 0" : "((fa ^ fr) & (fb ^ fr)) < 0";
      const CF = this.cf();
      e = [
        O,
        `${CF} !== 0`,
        Z,
        `${CF} !== 0 || ${Z}`,
        S,
        P,
        `(${S}) !== (${O})`,
        `${Z} || (${S}) !== (${O})`,
      ][base];
    }
    if (e === null) {
      if (this.fk !== -1) this.emit(this.flagsOut());
      this.fk = -1;
      return `COND(fl, ${cc})`;
    }
    return neg ? `!(${e})` : `(${e})`;
  }
}

/** rsp (slot 8) as an address expression: callers make sure the high word check is done. */
function rspAddr(g: Gen): string {
  return `${g.H(8)} * ${TWO32} + (${g.L(8)} >>> 0)`;
}

/** rsp += delta (small integer), with carry into the high word. */
function addRsp(g: Gen, delta: number): void {
  g.L(8);
  const [l, h] = g.W(8);
  // Word32 arithmetic only (no float add and compare): the borrow or carry by unsigned comparison.
  if (delta < 0)
    g.emit(`if ((${l} >>> 0) < ${-delta}) ${h} = (${h} - 1) | 0; ${l} = (${l} - ${-delta}) | 0;`);
  else g.emit(`${l} = (${l} + ${delta}) | 0; if ((${l} >>> 0) < ${delta}) ${h} = (${h} + 1) | 0;`);
}

/** Generates one instruction; returns false if it must go through its handler. */
function genOp(g: Gen, k: number): boolean {
  const o = g.ops[k];
  const fn = o.fn;
  // ---- data movement
  if (fn === D.movRR64) {
    if (o.d === o.s) return true;
    const src = [g.L(o.s), g.H(o.s)];
    const [l, h] = g.W(o.d);
    g.emit(`${l} = ${src[0]}; ${h} = ${src[1]};`);
    return true;
  }
  if (fn === D.movRR32) {
    const src = g.L(o.s);
    const [l, h] = g.W(o.d);
    g.emit(`${l} = ${src}; ${h} = 0;`);
    return true;
  }
  if (fn === D.movRR) {
    g.wrD(o, `(${g.L(o.s)} >> ${o.ssh})`);
    return true;
  }
  if (fn === D.movRI64) {
    const [l, h] = g.W(o.d);
    g.emit(`${l} = ${o.ilo}; ${h} = ${o.ihi};`);
    return true;
  }
  if (fn === D.movRI32) {
    const [l, h] = g.W(o.d);
    g.emit(`${l} = ${o.ilo}; ${h} = 0;`);
    return true;
  }
  if (fn === D.movRI) {
    g.wrD(o, `${o.ilo}`);
    return true;
  }
  if (fn === D.movRM64) {
    g.ea(k);
    g.ld64("t", "th");
    const [l, h] = g.W(o.d);
    g.emit(`${l} = t; ${h} = th;`);
    return true;
  }
  if (fn === D.movRM32) {
    g.ea(k);
    g.ld32("t");
    const [l, h] = g.W(o.d);
    g.emit(`${l} = t; ${h} = 0;`);
    return true;
  }
  if (fn === D.movRM) {
    g.ea(k);
    g.ldZ(o.size, "t");
    g.wrD(o, "t");
    return true;
  }
  if (fn === D.movMR64) {
    g.ea(k);
    g.st64(g.L(o.s), g.H(o.s));
    g.checkValid(k);
    return true;
  }
  if (fn === D.movMR32) {
    g.ea(k);
    g.st32(g.L(o.s));
    g.checkValid(k);
    return true;
  }
  if (fn === D.movMR) {
    g.ea(k);
    g.st(o.size, `(${g.L(o.s)} >> ${o.ssh})`);
    g.checkValid(k);
    return true;
  }
  if (fn === D.movMI64) {
    g.ea(k);
    g.st64(`${o.ilo}`, `${o.ihi}`);
    g.checkValid(k);
    return true;
  }
  if (fn === D.movMI) {
    g.ea(k);
    g.st(o.size, `${o.ilo}`);
    g.checkValid(k);
    return true;
  }
  if (fn === D.movzxR || fn === D.movsxR || fn === D.movzxM || fn === D.movsxM) {
    const zero = fn === D.movzxR || fn === D.movzxM;
    if (fn === D.movzxR) g.emit(`t = (${g.L(o.s)} >> ${o.ssh}) & ${o.aux === 1 ? 0xff : 0xffff};`);
    else if (fn === D.movsxR) {
      const sh = 32 - 8 * o.aux;
      g.emit(`t = ((${g.L(o.s)} >> ${o.ssh}) << ${sh}) >> ${sh};`);
    } else {
      g.ea(k);
      if (zero) g.ldZ(o.aux, "t");
      else g.ldS(o.aux, "t");
    }
    if (o.size === 2) g.wrD(o, "t");
    else {
      const [l, h] = g.W(o.d);
      g.emit(`${l} = t; ${h} = ${o.size === 8 && !zero ? "t >> 31" : "0"};`);
    }
    return true;
  }
  if (fn === D.lea64H || fn === D.lea32H) {
    const hiZero = fn === D.lea32H || o.ma32 !== 0;
    if (o.mm === MM_ABS) {
      // An absolute or rip-relative address: a constant (0 <= mdl < 2^32).
      const [l, h] = g.W(o.d);
      g.emit(`${l} = ${o.mdl | 0}; ${h} = ${hiZero ? 0 : o.mdh | 0};`);
      return true;
    }
    // lo + hi words, modulo 2^64 (operands.lea64).
    let lo = `${o.mdl}`;
    let hi = `${o.mdh}`;
    if (o.mm === MM_BASE || o.mm === MM_BIS) {
      lo += ` + (${g.L(o.mb)} >>> 0)`;
      hi += ` + ${g.H(o.mb)}`;
    }
    if (o.mm !== MM_BASE && o.mm !== MM_ABS) {
      lo += ` + (${g.L(o.mi)} >>> 0) * ${o.msc}`;
      hi += ` + ${g.H(o.mi)} * ${o.msc}`;
    }
    g.emit(`t = ${lo}; u = ${hi};`);
    const [l, h] = g.W(o.d);
    g.emit(`${l} = t | 0; ${h} = ${hiZero ? "0" : `(u + Math.floor(t / ${TWO32})) | 0`};`);
    return true;
  }
  if (fn === D.pushR64 || fn === D.pushI64) {
    const lo = fn === D.pushR64 ? g.L(o.s) : `${o.ilo}`;
    const hi = fn === D.pushR64 ? g.H(o.s) : `${o.ihi}`;
    g.word(4, -8, `a = ${rspAddr(g)} - 8;`);
    g.st64(lo, hi);
    addRsp(g, -8);
    g.checkValid(k);
    return true;
  }
  if (fn === D.popR64) {
    g.word(4, 0, `a = ${rspAddr(g)};`);
    g.ld64("t", "u");
    addRsp(g, 8);
    const [l, h] = g.W(o.d);
    g.emit(`${l} = t; ${h} = u;`);
    return true;
  }
  if (fn === D.leave) {
    g.word(5, 0, `a = ${g.H(10)} * ${TWO32} + (${g.L(10)} >>> 0);`);
    g.ld64("t", "u");
    const [sl, sh] = g.W(8);
    g.emit(`${sl} = ${g.L(10)}; ${sh} = ${g.H(10)};`);
    addRsp(g, 8);
    const [bl, bh] = g.W(10);
    g.emit(`${bl} = t; ${bh} = u;`);
    return true;
  }
  if (fn === D.cmovR64) {
    const c = g.cond(o.cc);
    g.L(o.d);
    const [l, h] = g.W(o.d);
    g.emit(`if (${c}) { ${l} = ${g.L(o.s)}; ${h} = ${g.H(o.s)}; }`);
    return true;
  }
  if (fn === D.cmovR32) {
    const c = g.cond(o.cc);
    g.L(o.d);
    const [l, h] = g.W(o.d);
    g.emit(`if (${c}) ${l} = ${g.L(o.s)}; ${h} = 0;`);
    return true;
  }
  if (fn === D.setccR) {
    const c = g.cond(o.cc);
    g.wrD(o, `(${c} ? 1 : 0)`);
    return true;
  }
  // ---- shifts by an immediate count (the count register form goes through the handler)
  if ((fn === SH.shR32 || fn === SH.shR64) && o.aux !== 1 && o.cc <= SHIFT_OPS.SAR) {
    const c = o.ilo & (o.size === 8 ? 63 : 31);
    if (c === 0) {
      if (fn === SH.shR32 && o.size === 4) {
        g.L(o.d); // only the high word changes
        g.emit(`${g.W(o.d)[1]} = 0;`);
      }
      return true;
    }
    if (fn === SH.shR32) {
      g.emit(`v = SH32(${o.cc}, ${g.rdS(o.d, o.dsh, o.sx)}, ${c}, ${o.sx}) | 0; x = TT[0];`);
      g.wrD(o, "v");
      g.setFlags(K_RES32, "0", "0", "0", "0", "v", "0", "x");
    } else {
      g.emit(`v = SH64(${o.cc}, ${g.L(o.d)}, ${g.H(o.d)}, ${c}) | 0; vh = TT[0]; x = TT[1];`);
      const [l, h] = g.W(o.d);
      g.emit(`${l} = v; ${h} = vh;`);
      g.setFlags(K_RES64, "0", "0", "0", "0", "v", "vh", "x");
    }
    return true;
  }
  if (fn === NOP_HANDLER) return true;
  if (fn === IMUL_HANDLERS.imul2 || fn === IMUL_HANDLERS.imul3) return genImul(g, k);
  // ---- arithmetic
  const bin = BIN.get(fn);
  if (bin !== undefined) return genBin(g, k, bin[0], bin[1]);
  const un = UN.get(fn);
  if (un !== undefined) return genUn(g, k, un[0], un[1]);
  return false;
}

/** imul r, r/m and imul r, r/m, imm of 32 and 64 bits (CF = OF = the product does not fit). */
function genImul(g: Gen, k: number): boolean {
  const o = g.ops[k];
  const three = o.fn === IMUL_HANDLERS.imul3;
  if (o.size === 4) {
    if (o.mm !== MM_NONE) {
      g.ea(k);
      g.ld32("u");
    } else g.emit(`u = ${g.L(o.s)};`);
    g.emit(`t = ${three ? `${o.ilo}` : g.L(o.d)}; v = Math.imul(t, u); x = v !== t * u ? ${CF | OF} : 0;`);
    const [l, h] = g.W(o.d);
    g.emit(`${l} = v; ${h} = 0;`);
    g.setFlags(K_RES32, "0", "0", "0", "0", "v", "0", "x");
    return true;
  }
  if (o.size !== 8) return false;
  if (o.mm !== MM_NONE) {
    g.ea(k);
    g.ld64("u", "uh");
  } else g.emit(`u = ${g.L(o.s)}; uh = ${g.H(o.s)};`);
  g.emit(three ? `t = ${o.ilo}; th = ${o.ihi};` : `t = ${g.L(o.d)}; th = ${g.H(o.d)};`);
  // Two sign-extended 32-bit factors whose product is below 2^53: one exact double (muldiv.ts).
  g.emit(
    `w = t * u; if (th === t >> 31 && uh === u >> 31 && w <= ${Number.MAX_SAFE_INTEGER} && w >= ${-Number.MAX_SAFE_INTEGER}) { v = w | 0; vh = Math.floor(w / ${TWO32}) | 0; x = 0; } else { v = IMUL64(t, th, u, uh) | 0; vh = TT[0]; x = TT[1]; }`,
  );
  const [l, h] = g.W(o.d);
  g.emit(`${l} = v; ${h} = vh;`);
  g.setFlags(K_RES64, "0", "0", "0", "0", "v", "vh", "x");
  return true;
}

function genBin(g: Gen, k: number, op: number, form: Form): boolean {
  const o = g.ops[k];
  const writes = op !== CMP && op !== TEST;
  if (form.endsWith("32")) {
    const sx = o.sx;
    const res = (a: string, b: string): string => {
      switch (op) {
        case ADD:
          return sx === 0 ? `(${a} + ${b}) | 0` : `((${a} + ${b}) << ${sx}) >> ${sx}`;
        case SUB:
        case CMP:
          return sx === 0 ? `(${a} - ${b}) | 0` : `((${a} - ${b}) << ${sx}) >> ${sx}`;
        case AND:
        case TEST:
          return `${a} & ${b}`;
        case OR:
          return `${a} | ${b}`;
        default:
          return `${a} ^ ${b}`;
      }
    };
    if (form === "rr32" || form === "ri32" || form === "rm32") {
      if (form === "rm32") {
        g.ea(k);
        g.ldS(o.size, "u");
      } else g.emit(`u = ${form === "rr32" ? g.rdS(o.s, o.ssh, sx) : `${o.ilo}`};`);
      g.emit(`t = ${g.rdS(o.d, o.dsh, sx)};`);
      g.emit(`v = ${res("t", "u")};`);
      if (writes) g.wrD(o, "v");
    } else {
      g.ea(k);
      g.ldS(o.size, "t");
      g.emit(`u = ${form === "mr32" ? g.rdS(o.s, o.ssh, sx) : `${o.ilo}`};`);
      g.emit(`v = ${res("t", "u")};`);
      if (writes) {
        g.st(o.size, "v");
      }
    }
    g.setFlags(KIND32[op], "t", "0", "u", "0", "v", "0");
    if (writes && (form === "mr32" || form === "mi32")) g.checkValid(k);
    return true;
  }
  // 64 bits: a = (t, th), b = (u, uh), result (v, vh)
  if (form === "rm64") {
    g.ea(k);
    g.ld64("u", "uh");
  } else if (form === "rr64") g.emit(`u = ${g.L(o.s)}; uh = ${g.H(o.s)};`);
  else if (form === "ri64" || form === "mi64") g.emit(`u = ${o.ilo}; uh = ${o.ihi};`);
  if (form === "mr64" || form === "mi64") {
    g.ea(k);
    g.ld64("t", "th");
    if (form === "mr64") g.emit(`u = ${g.L(o.s)}; uh = ${g.H(o.s)};`);
  } else g.emit(`t = ${g.L(o.d)}; th = ${g.H(o.d)};`);
  switch (op) {
    case ADD:
      // The carry and borrow by unsigned comparison of the low words: Word32 operations only.
      g.emit(`v = (t + u) | 0; vh = (th + uh + ((v >>> 0) < (t >>> 0) ? 1 : 0)) | 0;`);
      break;
    case SUB:
    case CMP:
      g.emit(`v = (t - u) | 0; vh = (th - uh - ((t >>> 0) < (u >>> 0) ? 1 : 0)) | 0;`);
      break;
    case AND:
    case TEST:
      g.emit(`v = t & u; vh = th & uh;`);
      break;
    case OR:
      g.emit(`v = t | u; vh = th | uh;`);
      break;
    default:
      g.emit(`v = t ^ u; vh = th ^ uh;`);
  }
  if (writes) {
    if (form === "mr64" || form === "mi64") g.st64("v", "vh");
    else {
      const [l, h] = g.W(o.d);
      g.emit(`${l} = v; ${h} = vh;`);
    }
  }
  const kind = op === ADD ? K_ADD64 : op === SUB || op === CMP ? K_SUB64 : K_RES64;
  g.setFlags(kind, "t", "th", "u", "uh", "v", "vh");
  if (writes && (form === "mr64" || form === "mi64")) g.checkValid(k);
  return true;
}

function genUn(g: Gen, k: number, op: number, is64: boolean): boolean {
  const o = g.ops[k];
  if (op === INC || op === DEC) {
    g.emit(`x = ${g.cf()};`);
  }
  if (!is64) {
    const sx = o.sx;
    const ext = (e: string): string => (sx === 0 ? `(${e}) | 0` : `((${e}) << ${sx}) >> ${sx}`);
    g.emit(`t = ${g.rdS(o.d, o.dsh, sx)};`);
    const v = op === INC ? ext("t + 1") : op === DEC ? ext("t - 1") : op === NEG ? ext("0 - t") : "~t";
    g.emit(`v = ${v};`);
    g.wrD(o, "v");
    if (op === INC) g.setFlags(K_INC32, "t", "0", "1", "0", "v", "0", "x");
    else if (op === DEC) g.setFlags(K_DEC32, "t", "0", "1", "0", "v", "0", "x");
    else if (op === NEG) g.setFlags(K_SUB32, "0", "0", "t", "0", "v", "0");
    return true;
  }
  g.emit(`t = ${g.L(o.d)}; th = ${g.H(o.d)};`);
  switch (op) {
    case INC:
      g.emit(`v = (t + 1) | 0; vh = (th + (v === 0 ? 1 : 0)) | 0;`);
      break;
    case DEC:
      g.emit(`v = (t - 1) | 0; vh = (th - (t === 0 ? 1 : 0)) | 0;`);
      break;
    case NEG:
      g.emit(`v = (0 - t) | 0; vh = (0 - th - (t !== 0 ? 1 : 0)) | 0;`);
      break;
    default:
      g.emit(`v = ~t; vh = ~th;`);
  }
  const [l, h] = g.W(o.d);
  g.emit(`${l} = v; ${h} = vh;`);
  if (op === INC) g.setFlags(K_INC64, "t", "th", "1", "0", "v", "vh", "x");
  else if (op === DEC) g.setFlags(K_DEC64, "t", "th", "1", "0", "v", "vh", "x");
  else if (op === NEG) g.setFlags(K_SUB64, "0", "0", "t", "th", "v", "vh");
  return true;
}

/**
 * A region holds at most this many blocks, instructions and characters of source, comments not
 * counted (bounds the time V8 spends compiling it). 15,000 characters take in the whole of a
 * compiled Scheme function such as fib (4 blocks, 47 instructions, about 14,700): cut into 3
 * regions, its calls and returns went through the run loop, 20% slower end to end. At 22,000,
 * V8's compiling the other programs' bigger regions cost more than it saved (strings.scm 40 ms
 * slower end to end); at 40,000, V8 took about 230 ms per region.
 */
const MAX_REGION_BLOCKS = 48;
const MAX_REGION_INS = 120;
const MAX_REGION_SOURCE = 15_000;

/**
 * The blocks translated together with hot block b: b first, then the blocks it reaches by direct
 * jumps, conditional branches, falling through and direct calls that have already been decoded (so
 * have run), and the return points of those calls (decoded now), up to the size bounds.
 */
function formRegion(b: Block, m: Machine): Block[] {
  const blocks = [b];
  /** Addresses looked at, and those taken into the region. */
  const seen = new Set<number>([b.ip]);
  const taken = new Set<number>([b.ip]);
  let total = b.n;
  const add = (ip: number, decode: boolean): void => {
    if (seen.has(ip) || blocks.length >= MAX_REGION_BLOCKS || m.breakpoints.has(ip)) return;
    seen.add(ip);
    let c = m.cache.peek(ip);
    if (c === undefined && decode) {
      try {
        c = m.cache.get(ip);
      } catch {
        return;
      }
    }
    // A block already translated belongs to another region: leaving for it goes through the run loop.
    if (c === undefined || !c.valid || c.jit !== null || total + c.n > MAX_REGION_INS) return;
    total += c.n;
    blocks.push(c);
    taken.add(ip);
  };
  for (let q = 0; q < blocks.length; q++) {
    const blk = blocks[q];
    for (const o of blk.ops) {
      if (JCC_HANDLERS.has(o.fn) || o.fn === C.jmpRel) add(o.target, false);
      else if (o.fn === C.callRel) {
        add(o.target, false);
        if (taken.has(o.target)) add(o.nextIp, true);
      }
    }
    const last = blk.ops[blk.n - 1];
    if (!last.ends) add(blk.endIp, false);
  }
  // A call added before its callee was: its return point too.
  for (let q = 0; q < blocks.length; q++) {
    for (const o of blocks[q].ops) if (o.fn === C.callRel && taken.has(o.target)) add(o.nextIp, true);
  }
  return blocks;
}

/** Region context for the generator: the blocks by address, and the return points. */
interface Region {
  blocks: Block[];
  index: Map<number, number>;
  /** Addresses of blocks of the region that follow a call made in the region. */
  returnPoints: number[];
}

/**
 * Leaves the current block for `ip` after `count` of its instructions: the next block of the
 * region when `ip` is one, the step budget allows it and it is still valid, else an exit. The flag
 * locals go along as they are (the next block starts with Gen.fk = UNKNOWN).
 */
function goTo(g: Gen, r: Region, ip: number, count: number): string {
  const j = r.index.get(ip);
  if (j === undefined) return g.exit(`${ip}`, count);
  return `sc = ${count}; pc = ${j}; continue;`;
}

/** Generates block j of the region (a `case` of the dispatch switch). */
function genBlock(g: Gen, r: Region, j: number): void {
  const b = r.blocks[j];
  const ops = b.ops;
  const n = b.n;
  const O = `O${j}`;
  g.b = b;
  g.j = j;
  g.ops = ops;
  g.fk = j === 0 ? -1 : UNKNOWN;
  g.emit(`case ${j}: { // block ${b.ip.toString(16)}`);
  // Steps: s0 counts those before this block. Entered from the run loop, the budget and the
  // block's validity have been checked; from another block, they are checked here.
  g.emit(`s0 += sc; if (s0 + ${n} > LIM || B${j}.valid === false) { ${g.exit(`${b.ip}`, 0)} } bi = ${j};`);
  let ended = false;
  for (let k = 0; k < n; k++) {
    const o = ops[k];
    const fn = o.fn;
    g.k = k;
    g.addr = null;
    g.emit(`// ${o.ip.toString(16)} ${o.name}`);
    // The catch needs the index of an instruction that may fault: one that touches memory (a
    // fallback sets it below); register-only instructions cannot.
    if (o.mm !== MM_NONE || o.stk !== 0) g.emit(`i = ${k};`);
    if (JCC_HANDLERS.has(fn)) {
      const c = g.cond(o.cc);
      g.emit(`if (${c}) { ${goTo(g, r, o.target, k + 1)} }`);
      continue;
    }
    if (fn === C.jmpRel) {
      g.emit(goTo(g, r, o.target, k + 1));
      ended = true;
      break;
    }
    if (fn === C.callRel) {
      g.word(4, -8, `a = ${rspAddr(g)} - 8;`);
      g.st64(`${o.ilo}`, `${o.ihi}`);
      addRsp(g, -8);
      // The shadow stack's push (ShadowStack.push) inline.
      g.emit(
        `d_ = SD[0]; if (d_ < SH.room) { f_ = SH.frames; f_[d_ * ${FRAME_WORDS}] = ${o.ip}; f_[d_ * ${FRAME_WORDS} + 1] = ${o.target}; f_[d_ * ${FRAME_WORDS} + 2] = ${o.nextIp}; SD[0] = d_ + 1; } else SH.push(${o.ip}, ${o.target}, ${o.nextIp});`,
      );
      const call = `m.emitCall(${o.ip}, ${o.nextIp}, ${o.target}, ${rspAddr(g)} + 8);`;
      if (r.index.has(o.target)) {
        g.emit(
          `if (m.callObs !== null) { if (m.callsNeedState) { ${g.sync()} m.rip = ${o.target}; m.steps = s0 + ${k}; ${call} if (m.interrupt !== 0) { m.steps = s0 + ${k + 1}; return; } ${RELOAD} } else ${call} }`,
        );
        if (g.fk !== -1) g.fk = UNKNOWN;
        g.emit(goTo(g, r, o.target, k + 1));
      } else {
        g.emit(`e1 = ${o.ip}; e2 = ${o.nextIp}; e3 = ${rspAddr(g)};`);
        g.emit(g.exit(`${o.target}`, k + 1, EXIT_CALL));
      }
      ended = true;
      break;
    }
    if (fn === C.ret) {
      g.word(4, 0, `a = ${rspAddr(g)};`);
      g.ld64("t", "th");
      // A canonical address (the high word's top 17 bits all equal) inline; BT raises #GP otherwise.
      g.emit(`u = (th + 32768) >>> 16 === 0 ? th * ${TWO32} + (t >>> 0) : BT(t, th, "return to");`);
      addRsp(g, 8 + o.ilo);
      // The shadow stack's pop of its top frame inline; ShadowStack.pop for anything else.
      g.emit(
        `d_ = SD[0]; if (d_ > 0 && d_ < ${MAX_FRAMES} && SH.frames[d_ * ${FRAME_WORDS} - 1] === u) SD[0] = d_ - 1; else SH.pop(u);`,
      );
      const ret = `m.emitReturn(${o.ip}, u, ${rspAddr(g)});`;
      if (r.returnPoints.length > 0) {
        g.emit(
          `if (m.retObs !== null) { if (m.callsNeedState) { ${g.sync()} m.rip = u; m.steps = s0 + ${k}; ${ret} if (m.interrupt !== 0) { m.steps = s0 + ${k + 1}; return; } ${RELOAD} } else ${ret} }`,
        );
        if (g.fk !== -1) g.fk = UNKNOWN;
        // The return points by address: a direct-mapped table (RPK keys, RPV block numbers).
        g.emit(`j_ = u & ${RP_MASK}; if (RPK[j_] === u) { sc = ${k + 1}; pc = RPV[j_]; continue; }`);
        g.emit(g.exit("u", k + 1));
      } else {
        g.emit(`e1 = ${o.ip}; e3 = ${rspAddr(g)};`);
        g.emit(g.exit("u", k + 1, EXIT_RETURN));
      }
      ended = true;
      break;
    }
    if (genOp(g, k)) continue;
    // Fallback: the handler, with the state written back and reloaded.
    // sy = 1: the machine holds the state (the handler may fault after partial progress, as rep
    // string instructions do), so the catch must not write the locals back.
    g.emit(`i = ${k}; ${g.sync()} sy = 1; m.rip = ${o.nextIp}; m.steps = s0 + ${k};`);
    g.fk = -1;
    g.emit(`if (${O}[${k}].fn(m, ${O}[${k}]) === true) { m.steps = s0 + ${k + 1}; return; }`);
    if (k === n - 1 && o.ends) {
      g.emit(`m.steps = s0 + ${k + 1}; return;`);
      ended = true;
      break;
    }
    g.emit(
      `if (B${j}.valid === false || m.interrupt !== 0) { m.rip = ${k + 1 < n ? ops[k + 1].ip : b.endIp}; m.steps = s0 + ${k + 1}; return; }`,
    );
    g.emit(`${RELOAD} sy = 0;`);
  }
  if (!ended) g.emit(goTo(g, r, b.endIp, n));
  g.emit(`}`);
}

/**
 * Translates hot block b, with the blocks it leads to (formRegion), into one function bound to
 * this machine's state, and makes it the `jit` of each of them (with its `entry`). The function
 * runs from the start of block `entry` and goes from block to block of the region in a loop,
 * registers and flags staying in locals, until control leaves the region, the next block would
 * not fit the step budget `LIM` (its argument), a block was invalidated, or something is pending;
 * it then writes everything back and sets rip and steps.
 */
export function translate(b: Block, m: Machine): BlockFn {
  let blocks = formRegion(b, m);
  for (;;) {
    const region = regionOf(blocks);
    const src = regionSource(region);
    // A region over MAX_REGION_SOURCE is cut down to its first blocks (closest to the entry)
    // until it fits.
    if (src.length - commentLength(src) <= MAX_REGION_SOURCE || blocks.length === 1) {
      const fn = compile(src, region, m);
      blocks.forEach((x, j) => {
        x.jit = fn;
        x.entry = j;
      });
      return fn;
    }
    blocks = blocks.slice(0, Math.ceil(blocks.length / 2));
  }
}

/** Characters of the `//` comments that name each instruction (V8 compiles none of them). */
function commentLength(src: string): number {
  let n = 0;
  for (const m of src.matchAll(/^\/\/ .*$/gm)) n += m[0].length;
  return n;
}

/** The region of `blocks` (blocks[0] first): their numbers by address and the return points. */
function regionOf(blocks: Block[]): Region {
  const index = new Map(blocks.map((x, j) => [x.ip, j]));
  const called = new Set<number>();
  for (const x of blocks)
    for (const o of x.ops) if (o.fn === C.callRel && index.has(o.target)) called.add(o.nextIp);
  return { blocks, index, returnPoints: blocks.filter((x) => called.has(x.ip)).map((x) => x.ip) };
}

/** The generated source of a region. */
function regionSource(region: Region): string {
  const blocks = region.blocks;
  const b = blocks[0];
  const g = new Gen(b);
  for (let j = 0; j < blocks.length; j++) genBlock(g, region, j);

  const regs = [...g.used].sort((x, y) => x - y);
  const flush = [...g.written]
    .sort((x, y) => x - y)
    .map((n) => `r[${2 * n}] = L${n}; r[${2 * n + 1}] = H${n};`)
    .join(" ");
  const reload = regs.map((n) => `L${n} = r[${2 * n}]; H${n} = r[${2 * n + 1}];`).join(" ");
  const body = g.out.join("\n").replaceAll(FLUSH, flush).replaceAll(RELOAD, reload);
  const decl = regs.map((n) => `L${n} = r[${2 * n}], H${n} = r[${2 * n + 1}]`).join(", ");
  const consts = blocks.map((_, j) => `B${j} = BL[${j}], O${j} = BL[${j}].ops`).join(", ");
  const src = `const ${consts};
return function block_${b.ip.toString(16)}(LIM, pc) {
let s0 = m.steps;
let bi = 0, sc = 0, xr = 0, xk = 0, xe = 0, e1 = 0, e2 = 0, e3 = 0, i = 0, sy = 0, sl = 0, o_ = 0, p_ = 0, j_ = 0, w_ = 0, d_ = 0, f_ = SH.frames, dv = RV[0], a = 0, t = 0, th = 0, u = 0, uh = 0, v = 0, vh = 0, w = 0, x = 0;
let fk = -1, fa = 0, fah = 0, fb = 0, fbh = 0, fr = 0, frh = 0, fx = 0;
${decl === "" ? "" : `let ${decl};`}
try {
out: for (;;) {
switch (pc) {
${body}
default: return;
}
}
${flush}
if (fk >= 0) { ${FLAGS_ALL} }
m.rip = xr;
s0 += xk;
if (xe === ${EXIT_CALL}) { if (m.callObs !== null) { m.steps = s0 - 1; m.emitCall(e1, e2, xr, e3 + 8); } }
else if (xe === ${EXIT_RETURN} && m.retObs !== null) { m.steps = s0 - 1; m.emitReturn(e1, xr, e3); }
m.steps = s0;
} catch (e) {
if (sy === 0) {
${flush}
if (fk >= 0) { ${FLAGS_ALL} }
}
m.cur = BL[bi]; m.fi = i; m.steps = s0 + i;
throw e;
}
};`;
  return src;
}

/** The region's function, bound to this machine's state. */
function compile(src: string, region: Region, m: Machine): BlockFn {
  // The return points by address (a `ret` looks its target up here): a direct-mapped table,
  // first come first served (a return point that collides is reached through the run loop).
  const rpk = new Float64Array(RP_MASK + 1).fill(NaN);
  const rpv = new Int32Array(RP_MASK + 1);
  for (const ip of region.returnPoints) {
    const h = ip & RP_MASK;
    if (Number.isNaN(rpk[h])) {
      rpk[h] = ip;
      rpv[h] = region.index.get(ip)!;
    }
  }
  // Generating code is the point of this module: the source is built from decoded operands only.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function(
    "m",
    "r",
    "fl",
    "mem",
    "MH",
    "BL",
    "EA",
    "BT",
    "COND",
    "GETCF",
    "PARITY",
    "SH32",
    "SH64",
    "TT",
    "IMUL64",
    "RPK",
    "RPV",
    "RT",
    "RV",
    "WT",
    "WV",
    "TLB",
    "AV",
    "A32",
    "SH",
    "SD",
    src,
  ) as (...args: unknown[]) => BlockFn;
  return make(
    m,
    m.r,
    m.fl,
    m.memory,
    m.memory.hi,
    region.blocks,
    ea,
    branchTarget,
    cond,
    getCF,
    PARITY,
    shift32,
    shift64,
    T,
    imul64,
    rpk,
    rpv,
    m.memory.rTag,
    m.memory.rView,
    m.memory.wTag,
    m.memory.wView,
    m.memory.tlb,
    m.memory.arenaView,
    m.memory.arena32,
    m.shadow,
    m.shadow.depth,
  );
}

/** The generated source of the region a block was translated in (or would be), for tests and curious readers. */
export function translatedSource(b: Block, m: Machine): string {
  return b.jit !== null ? b.jit.toString() : regionSource(regionOf(formRegion(b, m)));
}
