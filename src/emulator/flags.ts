/**
 * Lazy RFLAGS. The six status flags (OF SF ZF AF PF CF) are not computed when an instruction
 * executes; the instruction records what it did in `Machine.fl` and the flags are derived only when
 * something reads them (jcc, setcc, cmovcc, adc, sbb, pushf, getFlags ...).
 *
 * Layout of the Int32Array `fl`:
 *   fl[FK]        kind of the last flag-setting operation (see K_*), 0 = eager
 *   fl[FA], [FAH] first operand, low and high word
 *   fl[FB], [FBH] second operand
 *   fl[FR], [FRH] result
 *   fl[FX]        extra: carry-in for adc/sbb, previous CF for inc/dec, CF|AF|OF bits for K_RES
 *   fl[FE]        the flags themselves when kind is K_EAGER
 *
 * Operations narrower than 64 bits store their operands and result sign-extended to 32 bits and
 * use the "32" kinds: sign extension preserves signed and unsigned order, the sign bit, the low
 * byte (parity) and bit 4 (AF), so every flag formula is the same for 8, 16 and 32 bits.
 * 64-bit operations use the "64" kinds with both words.
 */

export const FK = 0;
export const FA = 1;
export const FAH = 2;
export const FB = 3;
export const FBH = 4;
export const FR = 5;
export const FRH = 6;
export const FX = 7;
export const FE = 8;

/** RFLAGS bits. */
export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const AC = 0x40000;
export const ID = 0x200000;
export const STATUS = CF | PF | AF | ZF | SF | OF;

/** Kinds: even = up to 32 bits, odd = 64 bits. */
export const K_EAGER = 0;
export const K_ADD32 = 2;
export const K_ADD64 = 3;
export const K_SUB32 = 4;
export const K_SUB64 = 5;
export const K_ADC32 = 6;
export const K_ADC64 = 7;
export const K_SBB32 = 8;
export const K_SBB64 = 9;
export const K_INC32 = 10;
export const K_INC64 = 11;
export const K_DEC32 = 12;
export const K_DEC64 = 13;
/** ZF SF PF from the result; CF AF OF taken from fl[FX]. Logic ops, shifts, multiplies. */
export const K_RES32 = 14;
export const K_RES64 = 15;

/** PF for every byte value. */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i;
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  PARITY[i] = (b & 1) === 0 ? PF : 0;
}

function ltu64(ah: number, al: number, bh: number, bl: number): boolean {
  return ah !== bh ? ah >>> 0 < bh >>> 0 : al >>> 0 < bl >>> 0;
}

/** The carry flag, 0 or 1. */
export function getCF(f: Int32Array): number {
  switch (f[FK]) {
    case K_EAGER:
      return f[FE] & CF;
    case K_ADD32:
      return f[FR] >>> 0 < f[FA] >>> 0 ? 1 : 0;
    case K_ADD64:
      return ltu64(f[FRH], f[FR], f[FAH], f[FA]) ? 1 : 0;
    case K_SUB32:
      return f[FA] >>> 0 < f[FB] >>> 0 ? 1 : 0;
    case K_SUB64:
      return ltu64(f[FAH], f[FA], f[FBH], f[FB]) ? 1 : 0;
    case K_ADC32:
      if (f[FX] === 0) return f[FR] >>> 0 < f[FA] >>> 0 ? 1 : 0;
      return f[FR] >>> 0 <= f[FA] >>> 0 ? 1 : 0;
    case K_ADC64:
      if (f[FX] === 0) return ltu64(f[FRH], f[FR], f[FAH], f[FA]) ? 1 : 0;
      return ltu64(f[FAH], f[FA], f[FRH], f[FR]) ? 0 : 1;
    case K_SBB32:
      if (f[FX] === 0) return f[FA] >>> 0 < f[FB] >>> 0 ? 1 : 0;
      return f[FA] >>> 0 <= f[FB] >>> 0 ? 1 : 0;
    case K_SBB64:
      if (f[FX] === 0) return ltu64(f[FAH], f[FA], f[FBH], f[FB]) ? 1 : 0;
      return ltu64(f[FBH], f[FB], f[FAH], f[FA]) ? 0 : 1;
    case K_INC32:
    case K_INC64:
    case K_DEC32:
    case K_DEC64:
      return f[FX];
    default:
      return f[FX] & CF;
  }
}

/** The six status flags as RFLAGS bits. */
export function materialize(f: Int32Array): number {
  const k = f[FK];
  if (k === K_EAGER) return f[FE];
  const is64 = (k & 1) !== 0;
  const r = f[FR];
  const rs = is64 ? f[FRH] : r;
  let bits = PARITY[r & 0xff];
  if (is64 ? (r | f[FRH]) === 0 : r === 0) bits |= ZF;
  if (rs < 0) bits |= SF;
  if (k >= K_RES32) return bits | (f[FX] & (CF | AF | OF));
  const a = f[FA];
  const b = f[FB];
  bits |= (a ^ b ^ r) & AF;
  const as = is64 ? f[FAH] : a;
  const bs = is64 ? f[FBH] : b;
  switch (k >> 1) {
    case K_ADD32 >> 1:
    case K_ADC32 >> 1:
    case K_INC32 >> 1:
      if (((as ^ rs) & (bs ^ rs)) < 0) bits |= OF;
      break;
    default:
      if (((as ^ bs) & (as ^ rs)) < 0) bits |= OF;
  }
  return bits | getCF(f);
}

/** Replaces the status flags with `bits` (other bits ignored). */
export function setEager(f: Int32Array, bits: number): void {
  f[FK] = K_EAGER;
  f[FE] = bits & STATUS;
}

/** Sets the flags in `mask` to `bits`, keeping the others. */
export function updateFlags(f: Int32Array, mask: number, bits: number): void {
  const cur = materialize(f);
  f[FK] = K_EAGER;
  f[FE] = (cur & ~mask) | (bits & mask);
}

/** Records a result whose ZF SF PF follow it and whose CF AF OF are `x`. */
export function setRes32(f: Int32Array, r: number, x: number): void {
  f[FK] = K_RES32;
  f[FR] = r;
  f[FX] = x;
}

export function setRes64(f: Int32Array, lo: number, hi: number, x: number): void {
  f[FK] = K_RES64;
  f[FR] = lo;
  f[FRH] = hi;
  f[FX] = x;
}

export function set32(f: Int32Array, kind: number, a: number, b: number, r: number): void {
  f[FK] = kind;
  f[FA] = a;
  f[FB] = b;
  f[FR] = r;
}

export function set64(
  f: Int32Array,
  kind: number,
  al: number,
  ah: number,
  bl: number,
  bh: number,
  rl: number,
  rh: number,
): void {
  f[FK] = kind;
  f[FA] = al;
  f[FAH] = ah;
  f[FB] = bl;
  f[FBH] = bh;
  f[FR] = rl;
  f[FRH] = rh;
}

// ------------------------------------------------------------------ conditions
// One function per base condition, with fast paths for the common producers (cmp/sub, test/logic).

export function condO(f: Int32Array): boolean {
  switch (f[FK]) {
    case K_ADD32:
      return ((f[FA] ^ f[FR]) & (f[FB] ^ f[FR])) < 0;
    case K_ADD64:
      return ((f[FAH] ^ f[FRH]) & (f[FBH] ^ f[FRH])) < 0;
    case K_SUB32:
      return ((f[FA] ^ f[FB]) & (f[FA] ^ f[FR])) < 0;
    case K_SUB64:
      return ((f[FAH] ^ f[FBH]) & (f[FAH] ^ f[FRH])) < 0;
    case K_RES32:
    case K_RES64:
      return (f[FX] & OF) !== 0;
    default:
      return (materialize(f) & OF) !== 0;
  }
}

export function condB(f: Int32Array): boolean {
  switch (f[FK]) {
    case K_SUB32:
      return f[FA] >>> 0 < f[FB] >>> 0;
    case K_SUB64:
      return ltu64(f[FAH], f[FA], f[FBH], f[FB]);
    default:
      return getCF(f) !== 0;
  }
}

export function condE(f: Int32Array): boolean {
  const k = f[FK];
  if (k === K_EAGER) return (f[FE] & ZF) !== 0;
  return (k & 1) !== 0 ? (f[FR] | f[FRH]) === 0 : f[FR] === 0;
}

export function condBE(f: Int32Array): boolean {
  switch (f[FK]) {
    case K_SUB32:
      return f[FA] >>> 0 <= f[FB] >>> 0;
    case K_SUB64: {
      const ah = f[FAH];
      const bh = f[FBH];
      return ah !== bh ? ah >>> 0 < bh >>> 0 : f[FA] >>> 0 <= f[FB] >>> 0;
    }
    default:
      return (materialize(f) & (CF | ZF)) !== 0;
  }
}

export function condS(f: Int32Array): boolean {
  const k = f[FK];
  if (k === K_EAGER) return (f[FE] & SF) !== 0;
  return ((k & 1) !== 0 ? f[FRH] : f[FR]) < 0;
}

export function condP(f: Int32Array): boolean {
  const k = f[FK];
  if (k === K_EAGER) return (f[FE] & PF) !== 0;
  return PARITY[f[FR] & 0xff] !== 0;
}

export function condL(f: Int32Array): boolean {
  switch (f[FK]) {
    case K_SUB32:
      return f[FA] < f[FB];
    case K_SUB64: {
      const ah = f[FAH];
      const bh = f[FBH];
      return ah !== bh ? ah < bh : f[FA] >>> 0 < f[FB] >>> 0;
    }
    case K_RES32:
      return f[FR] < 0 !== ((f[FX] & OF) !== 0);
    case K_RES64:
      return f[FRH] < 0 !== ((f[FX] & OF) !== 0);
    default: {
      const b = materialize(f);
      return ((b & SF) !== 0) !== ((b & OF) !== 0);
    }
  }
}

export function condLE(f: Int32Array): boolean {
  switch (f[FK]) {
    case K_SUB32:
      return f[FA] <= f[FB];
    case K_SUB64: {
      const ah = f[FAH];
      const bh = f[FBH];
      return ah !== bh ? ah < bh : f[FA] >>> 0 <= f[FB] >>> 0;
    }
    case K_RES32:
      return f[FR] === 0 || f[FR] < 0 !== ((f[FX] & OF) !== 0);
    case K_RES64:
      return (f[FR] | f[FRH]) === 0 || f[FRH] < 0 !== ((f[FX] & OF) !== 0);
    default: {
      const b = materialize(f);
      return (b & ZF) !== 0 || ((b & SF) !== 0) !== ((b & OF) !== 0);
    }
  }
}

/** Condition code in hardware encoding (0 = o ... 15 = g). */
export function cond(f: Int32Array, cc: number): boolean {
  switch (cc) {
    case 0:
      return condO(f);
    case 1:
      return !condO(f);
    case 2:
      return condB(f);
    case 3:
      return !condB(f);
    case 4:
      return condE(f);
    case 5:
      return !condE(f);
    case 6:
      return condBE(f);
    case 7:
      return !condBE(f);
    case 8:
      return condS(f);
    case 9:
      return !condS(f);
    case 10:
      return condP(f);
    case 11:
      return !condP(f);
    case 12:
      return condL(f);
    case 13:
      return !condL(f);
    case 14:
      return condLE(f);
    default:
      return !condLE(f);
  }
}

/** Condition-code suffixes in hardware encoding order. */
export const CC_NAMES = [
  "o",
  "no",
  "b",
  "ae",
  "e",
  "ne",
  "be",
  "a",
  "s",
  "ns",
  "p",
  "np",
  "l",
  "ge",
  "le",
  "g",
];
