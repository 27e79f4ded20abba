/**
 * The block translator: turns a hot basic block (decode-cache.ts) into one JavaScript function,
 * generated as source and compiled by V8 with `new Function`.
 *
 * Inside the function the guest registers the block uses live in JS locals (`L3`/`H3` = low and
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
 * the interpreter. Call and return events are emitted as the handlers emit them.
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
import { K_RES32, K_RES64, K_SUB32, K_SUB64, PARITY, cond, getCF } from "./flags.js";
import { ALU_BIN, ALU_OPS, ALU_UN } from "./instructions/alu.js";
import { CONTROL_HANDLERS, JCC_HANDLERS, branchTarget } from "./instructions/control.js";
import { DATA_HANDLERS } from "./instructions/data.js";
import { SHIFT_HANDLERS, SHIFT_OPS, shift32, shift64 } from "./instructions/shift.js";
import type { Machine } from "./machine.js";
import { MM_ABS, MM_BASE, MM_BIS, type Handler, type Op } from "./op.js";
import { T, ea } from "./operands.js";

/** A translated block: runs the whole block (or up to a taken branch, a fault or an invalidation). */
export type BlockFn = () => void;

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

/** Source generator for one block. */
class Gen {
  readonly out: string[] = [];
  /** Registers (0..15) the block reads or writes. */
  readonly used = new Set<number>();
  /** Registers read before the block writes them: loaded at entry (the others start as 0). */
  readonly liveIn = new Set<number>();
  /** Registers written so far, in generation order, with the index of the first writing instruction. */
  readonly written = new Map<number, number>();
  /** Index of the instruction being generated. */
  k = 0;
  /** Kind of the flags held in the flag locals, or -1 when Machine.fl is current. */
  fk = -1;
  constructor(
    readonly b: Block,
    readonly ops: Op[],
  ) {}

  emit(s: string): void {
    this.out.push(s);
  }

  /** Marks register `n` as read (live at entry unless written before). */
  private read(n: number): void {
    this.used.add(n);
    if (!this.written.has(n)) this.liveIn.add(n);
  }

  L(slot: number): string {
    this.read(slot >> 1);
    return `L${slot >> 1}`;
  }

  H(slot: number): string {
    this.read(slot >> 1);
    return `H${slot >> 1}`;
  }

  /**
   * Marks register (slot) as written and returns [lo, hi] local names. The caller assigns both
   * words unconditionally; a partial or conditional write reads the register first (L or H).
   */
  W(slot: number): [string, string] {
    const n = slot >> 1;
    this.used.add(n);
    if (!this.written.has(n)) this.written.set(n, this.k);
    return [`L${n}`, `H${n}`];
  }

  /** Writes back the registers written so far (the locals of the others are not meaningful). */
  flushRegs(): string {
    return [...this.written.keys()].map((n) => `r[${2 * n}] = L${n}; r[${2 * n + 1}] = H${n};`).join(" ");
  }

  reloadRegs(): string {
    return "/*RELOAD*/";
  }

  /** Stores the flag locals to Machine.fl: the fields the kind reads (flags.ts). */
  flagsOut(): string {
    const k = this.fk;
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

  /** Writes everything back (registers and flags): before a fallback call or an exit. */
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
    if (guard === "") this.emit(`a = ${fast};`);
    else this.emit(`if (${guard}) { ${this.flushRegs()} a = EA(m, ops[${k}]); } else a = ${fast};`);
  }

  /** A load of `size` bytes at `a`, sign-extended to 32 bits (sizes 1, 2, 4). */
  ldS(size: number): string {
    return size === 1
      ? "((mem.load8(a) << 24) >> 24)"
      : size === 2
        ? "((mem.load16(a) << 16) >> 16)"
        : "mem.load32(a)";
  }

  ldZ(size: number): string {
    return size === 1 ? "mem.load8(a)" : size === 2 ? "mem.load16(a)" : "mem.load32(a)";
  }

  st(size: number, v: string): string {
    return size === 1
      ? `mem.store8(a, ${v}); sl = 1;`
      : size === 2
        ? `mem.store16(a, ${v}); sl = 1;`
        : `mem.store32(a, ${v}); sl = 1;`;
  }

  /**
   * After an instruction that stored: if a store took the slow path (which may have written to a
   * page holding decoded code, this block's included), leave at the next instruction when this
   * block was invalidated. Stores through the write TLB never touch code pages.
   */
  checkValid(k: number): void {
    const next = k + 1 < this.b.n ? this.ops[k + 1].ip : this.b.endIp;
    this.emit(
      `if (sl !== 0) { sl = 0; if (B.valid === false) { ${this.sync()} m.rip = ${next}; m.steps = s0 + ${k + 1}; return; } }`,
    );
  }

  /** Loads 8 bytes at `a` into the locals named lo, hi: the read TLB inline, Memory.load64 otherwise. */
  ld64(lo: string, hi: string): void {
    this.emit(
      `o_ = a & 4095; j_ = (a >>> 12) & 255; if (RT[j_] === a - o_ && o_ <= 4088) { dv = RV[j_]; ${lo} = dv.getInt32(o_, true); ${hi} = dv.getInt32(o_ + 4, true); } else { ${lo} = mem.load64(a); ${hi} = MH[0]; }`,
    );
  }

  /** Loads 4 bytes at `a` into the local named v. */
  ld32(v: string): void {
    this.emit(
      `o_ = a & 4095; j_ = (a >>> 12) & 255; if (RT[j_] === a - o_ && o_ <= 4092) ${v} = RV[j_].getInt32(o_, true); else ${v} = mem.load32(a);`,
    );
  }

  /** Stores 8 bytes at `a`: the write TLB inline, Memory.store64 otherwise (then sl = 1). */
  st64(lo: string, hi: string): void {
    this.emit(
      `o_ = a & 4095; j_ = (a >>> 12) & 255; if (WT[j_] === a - o_ && o_ <= 4088) { dv = WV[j_]; dv.setInt32(o_, ${lo}, true); dv.setInt32(o_ + 4, ${hi}, true); } else { mem.store64(a, ${lo}, ${hi}); sl = 1; }`,
    );
  }

  st32(v: string): void {
    this.emit(
      `o_ = a & 4095; j_ = (a >>> 12) & 255; if (WT[j_] === a - o_ && o_ <= 4092) WV[j_].setInt32(o_, ${v}, true); else { mem.store32(a, ${v}); sl = 1; }`,
    );
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
        if (this.fk >= 0) this.emit(this.flagsOut());
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
      if (this.fk >= 0) this.emit(this.flagsOut());
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
  g.emit(`q = (${l} >>> 0) + ${delta}; ${l} = q | 0;`);
  if (delta < 0) g.emit(`if (q < 0) ${h} = (${h} - 1) | 0;`);
  else g.emit(`if (q >= ${TWO32}) ${h} = (${h} + 1) | 0;`);
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
    g.emit(`t = ${g.ldZ(o.size)};`);
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
    g.emit(g.st(o.size, `(${g.L(o.s)} >> ${o.ssh})`));
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
    g.emit(g.st(o.size, `${o.ilo}`));
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
      g.emit(`t = ${zero ? g.ldZ(o.aux) : g.ldS(o.aux)};`);
    }
    if (o.size === 2) g.wrD(o, "t");
    else {
      const [l, h] = g.W(o.d);
      g.emit(`${l} = t; ${h} = ${o.size === 8 && !zero ? "t >> 31" : "0"};`);
    }
    return true;
  }
  if (fn === D.lea64H || fn === D.lea32H) {
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
    const hiZero = fn === D.lea32H || o.ma32 !== 0;
    g.emit(`${l} = t | 0; ${h} = ${hiZero ? "0" : `(u + Math.floor(t / ${TWO32})) | 0`};`);
    return true;
  }
  if (fn === D.pushR64 || fn === D.pushI64) {
    const lo = fn === D.pushR64 ? g.L(o.s) : `${o.ilo}`;
    const hi = fn === D.pushR64 ? g.H(o.s) : `${o.ihi}`;
    g.emit(`a = ${rspAddr(g)} - 8;`);
    g.st64(lo, hi);
    addRsp(g, -8);
    g.checkValid(k);
    return true;
  }
  if (fn === D.popR64) {
    g.emit(`a = ${rspAddr(g)};`);
    g.ld64("t", "u");
    addRsp(g, 8);
    const [l, h] = g.W(o.d);
    g.emit(`${l} = t; ${h} = u;`);
    return true;
  }
  if (fn === D.leave) {
    g.emit(`a = ${g.H(10)} * ${TWO32} + (${g.L(10)} >>> 0);`);
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
      g.emit(`v = SH32(${o.cc}, ${g.rdS(o.d, o.dsh, o.sx)}, ${c}, ${o.sx}); x = TT[0];`);
      g.wrD(o, "v");
      g.setFlags(K_RES32, "0", "0", "0", "0", "v", "0", "x");
    } else {
      g.emit(`v = SH64(${o.cc}, ${g.L(o.d)}, ${g.H(o.d)}, ${c}); vh = TT[0]; x = TT[1];`);
      const [l, h] = g.W(o.d);
      g.emit(`${l} = v; ${h} = vh;`);
      g.setFlags(K_RES64, "0", "0", "0", "0", "v", "vh", "x");
    }
    return true;
  }
  // ---- arithmetic
  const bin = BIN.get(fn);
  if (bin !== undefined) return genBin(g, k, bin[0], bin[1]);
  const un = UN.get(fn);
  if (un !== undefined) return genUn(g, k, un[0], un[1]);
  return false;
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
        g.emit(`u = ${g.ldS(o.size)};`);
      } else g.emit(`u = ${form === "rr32" ? g.rdS(o.s, o.ssh, sx) : `${o.ilo}`};`);
      g.emit(`t = ${g.rdS(o.d, o.dsh, sx)};`);
      g.emit(`v = ${res("t", "u")};`);
      if (writes) g.wrD(o, "v");
    } else {
      g.ea(k);
      g.emit(`t = ${g.ldS(o.size)};`);
      g.emit(`u = ${form === "mr32" ? g.rdS(o.s, o.ssh, sx) : `${o.ilo}`};`);
      g.emit(`v = ${res("t", "u")};`);
      if (writes) {
        g.emit(g.st(o.size, "v"));
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
      g.emit(`w = (t >>> 0) + (u >>> 0); v = w | 0; vh = (th + uh + (w >= ${TWO32} ? 1 : 0)) | 0;`);
      break;
    case SUB:
    case CMP:
      g.emit(`w = (t >>> 0) - (u >>> 0); v = w | 0; vh = (th - uh - (w < 0 ? 1 : 0)) | 0;`);
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
      g.emit(`w = (t >>> 0) + 1; v = w | 0; vh = (th + (w >= ${TWO32} ? 1 : 0)) | 0;`);
      break;
    case DEC:
      g.emit(`w = (t >>> 0) - 1; v = w | 0; vh = (th - (w < 0 ? 1 : 0)) | 0;`);
      break;
    case NEG:
      g.emit(`w = 0 - (t >>> 0); v = w | 0; vh = (0 - th - (w < 0 ? 1 : 0)) | 0;`);
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

/** Translates a block; the function is bound to this machine's state. */
export function translate(b: Block, m: Machine): BlockFn {
  const ops = b.ops;
  const g = new Gen(b, ops);
  const n = b.n;
  let ended = false;
  for (let k = 0; k < n; k++) {
    const o = ops[k];
    const fn = o.fn;
    g.k = k;
    g.emit(`// ${o.ip.toString(16)} ${o.name}`);
    g.emit(`i = ${k};`);
    if (JCC_HANDLERS.has(fn)) {
      const c = g.cond(o.cc);
      g.emit(`if (${c}) { ${g.sync()} m.rip = ${o.target}; m.steps = s0 + ${k + 1}; return; }`);
      continue;
    }
    if (fn === C.jmpRel) {
      g.emit(`${g.sync()} m.rip = ${o.target}; m.steps = s0 + ${k + 1}; return;`);
      ended = true;
      break;
    }
    if (fn === C.callRel) {
      g.emit(`a = ${rspAddr(g)} - 8;`);
      g.st64(`${o.ilo}`, `${o.ihi}`);
      addRsp(g, -8);
      g.emit(`${g.sync()} m.rip = ${o.target};`);
      g.emit(
        `if (m.callObs !== null) { m.steps = s0 + ${k}; m.emitCall(${o.ip}, ${o.nextIp}, ${o.target}, a + 8); }`,
      );
      g.emit(`m.steps = s0 + ${k + 1}; return;`);
      ended = true;
      break;
    }
    if (fn === C.ret) {
      g.emit(`a = ${rspAddr(g)};`);
      g.ld64("t", "th");
      g.emit(`u = BT(t, th, "return to");`);
      addRsp(g, 8 + o.ilo);
      g.emit(`${g.sync()} m.rip = u;`);
      g.emit(`if (m.retObs !== null) { m.steps = s0 + ${k}; m.emitReturn(${o.ip}, u, ${rspAddr(g)}); }`);
      g.emit(`m.steps = s0 + ${k + 1}; return;`);
      ended = true;
      break;
    }
    if (genOp(g, k)) continue;
    // Fallback: the handler, with the state written back and reloaded.
    // sy = 1: the machine holds the state (the handler may fault after partial progress, as rep
    // string instructions do), so the catch must not write the locals back.
    g.emit(`${g.sync()} sy = 1; m.rip = ${o.nextIp}; m.steps = s0 + ${k};`);
    g.fk = -1;
    g.emit(`if (ops[${k}].fn(m, ops[${k}]) === true) { m.steps = s0 + ${k + 1}; return; }`);
    if (k === n - 1 && o.ends) {
      g.emit(`m.steps = s0 + ${k + 1}; return;`);
      ended = true;
      break;
    }
    g.emit(
      `if (B.valid === false) { m.rip = ${k + 1 < n ? ops[k + 1].ip : b.endIp}; m.steps = s0 + ${k + 1}; return; }`,
    );
    g.emit(`${g.reloadRegs()} sy = 0;`);
  }
  if (!ended) g.emit(`${g.sync()} m.rip = ${b.endIp}; m.steps = s0 + ${n};`);

  const regs = [...g.used].sort((x, y) => x - y);
  // The catch writes back what the instructions before the faulting one wrote.
  const catchFlush = [...g.written]
    .map(([n, first]) => {
      const st = `r[${2 * n}] = L${n}; r[${2 * n + 1}] = H${n};`;
      return g.liveIn.has(n) ? st : `if (i > ${first}) { ${st} }`;
    })
    .join("\n");
  const reload = regs.map((n) => `L${n} = r[${2 * n}]; H${n} = r[${2 * n + 1}];`).join(" ");
  const body = g.out.join("\n").replaceAll("/*RELOAD*/", reload);
  const decl = regs
    .map((n) => (g.liveIn.has(n) ? `L${n} = r[${2 * n}], H${n} = r[${2 * n + 1}]` : `L${n} = 0, H${n} = 0`))
    .join(", ");
  const src = `return function block_${b.ip.toString(16)}() {
const s0 = m.steps;
let i = 0, sy = 0, sl = 0, o_ = 0, j_ = 0, dv = RV[0], a = 0, q = 0, t = 0, th = 0, u = 0, uh = 0, v = 0, vh = 0, w = 0, x = 0;
let fk = -1, fa = 0, fah = 0, fb = 0, fbh = 0, fr = 0, frh = 0, fx = 0;
${decl === "" ? "" : `let ${decl};`}
try {
${body}
} catch (e) {
if (sy === 0) {
${catchFlush}
if (fk >= 0) { fl[${FK}] = fk; fl[${FA}] = fa; fl[${FAH}] = fah; fl[${FB}] = fb; fl[${FBH}] = fbh; fl[${FR}] = fr; fl[${FRH}] = frh; fl[${FX}] = fx; }
}
m.fi = i; m.steps = s0 + i;
throw e;
}
};`;
  // Generating code is the point of this module: the source is built from decoded operands only.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function(
    "m",
    "r",
    "fl",
    "mem",
    "MH",
    "ops",
    "B",
    "EA",
    "BT",
    "COND",
    "GETCF",
    "PARITY",
    "SH32",
    "SH64",
    "TT",
    "RT",
    "RV",
    "WT",
    "WV",
    src,
  ) as (...args: unknown[]) => BlockFn;
  return make(
    m,
    m.r,
    m.fl,
    m.memory,
    m.memory.hi,
    ops,
    b,
    ea,
    branchTarget,
    cond,
    getCF,
    PARITY,
    shift32,
    shift64,
    T,
    m.memory.rTag,
    m.memory.rView,
    m.memory.wTag,
    m.memory.wView,
  );
}

/** The generated source of a block, for tests and curious readers. */
export function translatedSource(b: Block, m: Machine): string {
  return translate(b, m).toString();
}
