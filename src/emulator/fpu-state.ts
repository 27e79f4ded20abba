/**
 * The x87 FPU's state: eight 80-bit registers addressed as a stack (TOP), which of them are empty,
 * the status word (exception flags, condition codes C0-C3) and the control word (precision,
 * rounding, exception masks). Linux starts a process with control word 0x037F: 64-bit precision,
 * round to nearest, all exceptions masked, and masked responses are all this FPU produces.
 */
import { C1_UP, INDEFINITE, IE, ZERO, tagOf, type F80 } from "./float80.js";

/** Status word bits. */
export const SW_SF = 0x40;
export const SW_ES = 0x80;
export const SW_C0 = 0x100;
export const SW_C1 = 0x200;
export const SW_C2 = 0x400;
export const SW_C3 = 0x4000;
export const SW_B = 0x8000;
/** A result flag from float80: the result was rounded up in magnitude (reported in C1). */
export const ROUNDED_UP = C1_UP;

export interface FpuSnapshot {
  regs: F80[];
  top: number;
  empty: number;
  sw: number;
  cw: number;
}

export class Fpu {
  /** Physical registers R0-R7; ST(i) is R[(top + i) & 7]. */
  regs: F80[] = new Array<F80>(8).fill(ZERO);
  top = 0;
  /** Bit r set: physical register r is empty. */
  empty = 0xff;
  /** Status word without TOP. */
  sw = 0;
  cw = 0x037f;

  reset(): void {
    this.regs = new Array<F80>(8).fill(ZERO);
    this.top = 0;
    this.empty = 0xff;
    this.sw = 0;
    this.cw = 0x037f;
  }

  /** Significand bits of the precision-control field (24, 53 or 64). */
  get precision(): number {
    const pc = (this.cw >> 8) & 3;
    return pc === 0 ? 24 : pc === 2 ? 53 : 64;
  }

  /** Rounding control (0 nearest, 1 down, 2 up, 3 toward zero). */
  get rc(): number {
    return (this.cw >> 10) & 3;
  }

  /** The status word as fnstsw stores it. */
  get status(): number {
    return (this.sw & ~0x3800) | (this.top << 11);
  }

  isEmpty(i: number): boolean {
    return ((this.empty >> ((this.top + i) & 7)) & 1) !== 0;
  }

  /** ST(i); an empty register is a stack underflow (IE and SF, C1 clear) and reads as the indefinite. */
  get(i: number): F80 {
    const r = (this.top + i) & 7;
    if ((this.empty >> r) & 1) {
      this.raise(IE | SW_SF);
      this.sw &= ~SW_C1;
      return INDEFINITE;
    }
    return this.regs[r];
  }

  set(i: number, v: F80): void {
    const r = (this.top + i) & 7;
    this.regs[r] = v;
    this.empty &= ~(1 << r);
  }

  /** Pushes v; a full stack is an overflow (IE, SF and C1) and the indefinite is pushed. */
  push(v: F80): void {
    this.top = (this.top - 1) & 7;
    if (((this.empty >> this.top) & 1) === 0) {
      this.raise(IE | SW_SF);
      this.sw |= SW_C1;
      v = INDEFINITE;
    }
    this.regs[this.top] = v;
    this.empty &= ~(1 << this.top);
  }

  pop(): void {
    this.empty |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  /** Records exception flags (sticky) and sets ES/B when one is unmasked. */
  raise(flags: number): void {
    this.sw |= flags & 0x7f;
    if (this.sw & 0x3f & ~this.cw) this.sw |= SW_ES | SW_B;
  }

  /** Records an arithmetic result's exceptions, and C1 = rounded up. */
  result(flags: number): void {
    this.raise(flags & 0x3f);
    this.sw = (this.sw & ~SW_C1) | (flags & ROUNDED_UP);
  }

  /** Sets C3 C2 C1 C0 from a 4-bit value c3<<3 | c2<<2 | c1<<1 | c0. */
  setCC(bits: number): void {
    this.sw =
      (this.sw & ~(SW_C0 | SW_C1 | SW_C2 | SW_C3)) |
      (bits & 1 ? SW_C0 : 0) |
      (bits & 2 ? SW_C1 : 0) |
      (bits & 4 ? SW_C2 : 0) |
      (bits & 8 ? SW_C3 : 0);
  }

  /** The full tag word (2 bits per physical register: 0 valid, 1 zero, 2 special, 3 empty). */
  get tagWord(): number {
    let t = 0;
    for (let r = 0; r < 8; r++) t |= ((this.empty >> r) & 1 ? 3 : tagOf(this.regs[r])) << (2 * r);
    return t;
  }

  snapshot(): FpuSnapshot {
    return { regs: this.regs.slice(), top: this.top, empty: this.empty, sw: this.sw, cw: this.cw };
  }

  restore(s: FpuSnapshot): void {
    this.regs = s.regs.slice();
    this.top = s.top;
    this.empty = s.empty;
    this.sw = s.sw;
    this.cw = s.cw;
  }
}
