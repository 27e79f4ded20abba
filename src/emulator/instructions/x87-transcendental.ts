/**
 * x87 transcendental instructions: f2xm1 (st(0) = 2^st(0) - 1), fyl2x (st(1) = st(1) * log2 st(0),
 * pop), fyl2xp1 (st(1) = st(1) * log2(st(0) + 1), pop), fpatan (st(1) = atan(st(1) / st(0)), pop).
 * fsin fcos fsincos fptan (|st(0)| >= 2^63: C2 set and st(0) left alone). The values are correctly
 * rounded to 64 bits (x87-transcendental.ts), which the hardware is documented to be within 1 ulp
 * of (for large trigonometric arguments the hardware reduces with a shorter pi and differs more).
 */
import type { Handler } from "../op.js";
import { C2 } from "../x87-state.js";
import { INDEFINITE, ONE, isNaNKind, kind, type F80 } from "../x87-float.js";
import { f2xm1, fpatan, fyl2x, fyl2xp1, trig, trigOutOfRange } from "../x87-transcendental.js";
import { mn, type Decoding, type InstrDef } from "./def.js";
import { begin, end } from "./x87-operands.js";

const f2xm1H: Handler = (m, o) => {
  const f = begin(m, o);
  if (f.isEmpty(0)) {
    f.underflow();
    f.set(0, INDEFINITE);
  } else f.set(0, f2xm1(f.get(0), (f.cw >> 10) & 3));
  end(f);
};

/** st(1) = fn(st(0), st(1)), then pop. */
function binary(fn: (x: F80, y: F80, rc: number) => F80): Handler {
  return (m, o) => {
    const f = begin(m, o);
    if (f.isEmpty(0) || f.isEmpty(1)) {
      f.underflow();
      f.set(1, INDEFINITE);
    } else f.set(1, fn(f.get(0), f.get(1), (f.cw >> 10) & 3));
    if (end(f)) f.pop();
  };
}

const SIN = 0;
const COS = 1;
const TAN = 2;

/** fsin, fcos (one result), fsincos (sin, then cos pushed), fptan (tan, then 1.0 pushed). */
function trigonometric(which: number, pushes: boolean): Handler {
  return (m, o) => {
    const f = begin(m, o);
    f.sw &= ~C2;
    if (f.isEmpty(0)) {
      f.set(0, INDEFINITE);
      if (pushes) f.push(INDEFINITE);
      f.underflow();
      end(f);
      return;
    }
    const x = f.get(0);
    if (trigOutOfRange(x)) {
      f.sw |= C2;
      end(f);
      return;
    }
    if (pushes && f.full()) {
      f.set(0, INDEFINITE);
      f.push(INDEFINITE);
      end(f);
      return;
    }
    const rc = (f.cw >> 10) & 3;
    const first = trig(x, which === COS ? COS : which === TAN ? TAN : SIN, rc);
    // A NaN, infinite or invalid operand gives the NaN result twice.
    const nan = isNaNKind(kind(first)) && !isNaNKind(kind(x)) ? true : isNaNKind(kind(x));
    const second = pushes ? (nan ? first : which === TAN ? ONE : trig(x, COS, rc)) : null;
    f.set(0, first);
    if (second !== null) f.push(second);
    end(f);
  };
}

const simple = (h: Handler) => (d: Decoding) => (d.count === 0 ? h : null);

export const X87_TRANSCENDENTAL: InstrDef[] = [
  { mnemonics: mn("F2xm1"), family: "x87", build: simple(f2xm1H) },
  { mnemonics: mn("Fyl2x"), family: "x87", build: simple(binary(fyl2x)) },
  { mnemonics: mn("Fyl2xp1"), family: "x87", build: simple(binary(fyl2xp1)) },
  { mnemonics: mn("Fpatan"), family: "x87", build: simple(binary(fpatan)) },
  { mnemonics: mn("Fsin"), family: "x87", build: simple(trigonometric(SIN, false)) },
  { mnemonics: mn("Fcos"), family: "x87", build: simple(trigonometric(COS, false)) },
  { mnemonics: mn("Fsincos"), family: "x87", build: simple(trigonometric(SIN, true)) },
  { mnemonics: mn("Fptan"), family: "x87", build: simple(trigonometric(TAN, true)) },
];
