/**
 * x87 packed BCD: fbld m80bcd (18 decimal digits and a sign byte, pushed as an exact integer) and
 * fbstp m80bcd (st(0) rounded to an integer in the RC mode and stored as 18 digits, then popped; a
 * value of 19 digits or more, or a NaN or infinity, stores the BCD indefinite with IE). Digits
 * above 9 in an fbld operand are undefined on hardware; here they count with their nibble value.
 */
import type { Handler } from "../op.js";
import { ea } from "../operands.js";
import { FX, IE, INDEFINITE, K_DENORMAL, K_NORMAL, K_ZERO, fromInt, kind, toInteger } from "../x87-float.js";
import { mn, type Decoding, type InstrDef } from "./def.js";
import { begin, end, rc, unmaskedStoreFault } from "./x87-operands.js";

const LIMIT = 10n ** 18n;

const fbld: Handler = (m, o) => {
  const f = begin(m, o);
  const a = ea(m, o);
  let v = 0n;
  for (let i = 8; i >= 0; i--) {
    const b = m.memory.load8(a + i);
    v = v * 100n + BigInt((b >> 4) * 10 + (b & 15));
  }
  const sign = m.memory.load8(a + 9) >> 7;
  f.push(fromInt(v, sign));
  end(f);
};

const fbstp: Handler = (m, o) => {
  const f = begin(m, o);
  const a = ea(m, o);
  const x = f.isEmpty(0) ? (f.underflow(), INDEFINITE) : f.get(0);
  const k = kind(x);
  const flags = FX.flags;
  const c1 = FX.c1;
  const v = k === K_NORMAL || k === K_DENORMAL || k === K_ZERO ? toInteger(x, rc(f)) : null;
  const bytes = new Uint8Array(10);
  if (v === null || v >= LIMIT || v <= -LIMIT) {
    // out of range: invalid only (no precision exception from the rounding)
    FX.flags = flags | IE;
    FX.c1 = c1;
    bytes.set([0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff]);
  } else {
    let mag = v < 0n ? -v : v;
    for (let i = 0; i < 9; i++) {
      const lo = Number(mag % 10n);
      mag /= 10n;
      const hi = Number(mag % 10n);
      mag /= 10n;
      bytes[i] = (hi << 4) | lo;
    }
    bytes[9] = x.s !== 0 ? 0x80 : 0;
  }
  const store = !unmaskedStoreFault(f);
  if (store) {
    m.memory.probeWrite(a, 10);
    for (let i = 0; i < 10; i++) m.memory.store8(a + i, bytes[i]);
  }
  if (end(f) && store) f.pop();
};

const memory = (h: Handler) => (d: Decoding) => (d.count === 1 && d.isMem(0) && d.mem() ? h : null);

export const X87_BCD: InstrDef[] = [
  { mnemonics: mn("Fbld"), family: "x87", build: memory(fbld) },
  { mnemonics: mn("Fbstp"), family: "x87", build: memory(fbstp) },
];
