/**
 * The x87 FPU's architectural state: eight 80-bit data registers (physical order), the stack top,
 * the tag word (kept as "empty" bits; the full tag word is derived from the contents), the control
 * word and the status word.
 *
 * ST(i) is physical register (TOP + i) mod 8. Reading an empty register is a stack underflow and
 * pushing onto a full stack a stack overflow: both are invalid-operation exceptions with SF set and
 * C1 telling which (1 = overflow). The masked response stores the QNaN indefinite.
 *
 * The instruction and operand pointers (FIP, FDP, FOP) saved by fnstenv/fnsave are not tracked:
 * they read as zero.
 */
import { fromWords, IE, INDEFINITE, kind, K_ZERO, K_NORMAL, POS_ZERO, SF, type F80 } from "./x87-float.js";

export const C0 = 0x100;
export const C1 = 0x200;
export const C2 = 0x400;
export const C3 = 0x4000;
/** Exception summary and busy bits. */
export const ES = 0x80;
export const B = 0x8000;
export const CC_MASK = C0 | C1 | C2 | C3;
export const TOP_MASK = 0x3800;

export const DEFAULT_CW = 0x037f;

/** A copy of the FPU state (MachineState snapshots). */
export interface X87Snapshot {
  regs: F80[];
  top: number;
  cw: number;
  sw: number;
  empty: number;
}

export class X87 {
  /** Physical registers R0..R7. */
  regs: F80[] = [POS_ZERO, POS_ZERO, POS_ZERO, POS_ZERO, POS_ZERO, POS_ZERO, POS_ZERO, POS_ZERO];
  top = 0;
  cw = DEFAULT_CW;
  /** Status word without the TOP field. */
  sw = 0;
  /** Bit p set: physical register p is empty (tag 11). */
  empty = 0xff;

  /** fninit. */
  reset(): void {
    this.top = 0;
    this.cw = DEFAULT_CW;
    this.sw = 0;
    this.empty = 0xff;
  }

  phys(i: number): number {
    return (this.top + i) & 7;
  }

  isEmpty(i: number): boolean {
    return ((this.empty >> this.phys(i)) & 1) !== 0;
  }

  /** ST(i); an empty register raises a stack underflow and reads as the QNaN indefinite. */
  get(i: number): F80 {
    const p = this.phys(i);
    if (((this.empty >> p) & 1) !== 0) {
      this.underflow();
      return INDEFINITE;
    }
    return this.regs[p];
  }

  /** ST(i) without the empty check (fxam, stale contents). */
  raw(i: number): F80 {
    return this.regs[this.phys(i)];
  }

  set(i: number, v: F80): void {
    const p = this.phys(i);
    this.regs[p] = v;
    this.empty &= ~(1 << p);
  }

  /** Pushes v; a full stack is a stack overflow (the indefinite is pushed instead). */
  push(v: F80): void {
    const p = (this.top - 1) & 7;
    this.top = p;
    if (((this.empty >> p) & 1) === 0) {
      this.sw |= IE | SF | C1;
      this.signal(IE);
      v = INDEFINITE;
    }
    this.regs[p] = v;
    this.empty &= ~(1 << p);
  }

  /** Whether a push would overflow the stack. */
  full(): boolean {
    return ((this.empty >> ((this.top - 1) & 7)) & 1) === 0;
  }

  pop(): void {
    this.empty |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  free(i: number): void {
    this.empty |= 1 << this.phys(i);
  }

  underflow(): void {
    this.sw = (this.sw & ~C1) | IE | SF;
    this.signal(IE);
  }

  /** Records exceptions: the flags stick in the status word; unmasked ones set ES and B. */
  signal(flags: number): void {
    this.sw |= flags;
    if ((flags & ~this.cw & 0x3f) !== 0) this.sw |= ES | B;
  }

  /** The status word as fnstsw stores it. */
  status(): number {
    return (this.sw & ~TOP_MASK) | (this.top << 11);
  }

  setStatus(v: number): void {
    this.top = (v >> 11) & 7;
    this.sw = v & ~TOP_MASK & 0xffff;
  }

  /** The full tag word (2 bits per physical register: 00 valid, 01 zero, 10 special, 11 empty). */
  tagWord(): number {
    let t = 0;
    for (let p = 0; p < 8; p++) {
      let tag: number;
      if (((this.empty >> p) & 1) !== 0) tag = 3;
      else {
        const k = kind(this.regs[p]);
        tag = k === K_ZERO ? 1 : k === K_NORMAL ? 0 : 2;
      }
      t |= tag << (2 * p);
    }
    return t;
  }

  /** Loads a tag word: only "empty" matters, other tags are recomputed from the contents. */
  setTagWord(t: number): void {
    let e = 0;
    for (let p = 0; p < 8; p++) if (((t >> (2 * p)) & 3) === 3) e |= 1 << p;
    this.empty = e;
  }

  snapshot(): X87Snapshot {
    return { regs: this.regs.slice(), top: this.top, cw: this.cw, sw: this.sw, empty: this.empty };
  }

  restore(s: X87Snapshot): void {
    this.regs = s.regs.slice();
    this.top = s.top;
    this.cw = s.cw;
    this.sw = s.sw;
    this.empty = s.empty;
  }

  /** Register ST(i) as 10 bytes (for observers and tests). */
  bytes(i: number): Uint8Array {
    return toBytes(this.raw(i));
  }
}

/** The 80-bit memory image of a value. */
export function toBytes(x: F80): Uint8Array {
  const b = new Uint8Array(10);
  let m = x.m;
  for (let k = 0; k < 8; k++) {
    b[k] = Number(m & 0xffn);
    m >>= 8n;
  }
  const se = (x.s << 15) | x.e;
  b[8] = se & 0xff;
  b[9] = se >> 8;
  return b;
}

export function fromBytes(b: Uint8Array): F80 {
  const lo = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
  const hi = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
  return fromWords(lo, hi, b[8] | (b[9] << 8));
}
