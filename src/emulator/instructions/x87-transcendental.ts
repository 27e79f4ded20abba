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
import { mn, type InstrDef } from "./def.js";
import { begin, end, noOperands, rc, unary } from "./x87-operands.js";

const f2xm1H = unary((f, x) => f2xm1(x, rc(f)));

/** st(1) = fn(st(0), st(1)), then pop. */
function binary(fn: (x: F80, y: F80, rc: number) => F80): Handler {
  return (m, o) => {
    const f = begin(m, o);
    if (f.isEmpty(0) || f.isEmpty(1)) {
      f.underflow();
      f.set(1, INDEFINITE);
    } else f.set(1, fn(f.get(0), f.get(1), rc(f)));
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
    const mode = rc(f);
    const first = trig(x, which === COS ? COS : which === TAN ? TAN : SIN, mode);
    // A NaN, infinite or invalid operand gives the NaN result twice.
    const nan = isNaNKind(kind(first)) && !isNaNKind(kind(x)) ? true : isNaNKind(kind(x));
    const second = pushes ? (nan ? first : which === TAN ? ONE : trig(x, COS, mode)) : null;
    f.set(0, first);
    if (second !== null) f.push(second);
    end(f);
  };
}

export const X87_TRANSCENDENTAL: InstrDef[] = [
  { mnemonics: mn("F2xm1"), family: "x87", build: noOperands(f2xm1H) },
  { mnemonics: mn("Fyl2x"), family: "x87", build: noOperands(binary(fyl2x)) },
  { mnemonics: mn("Fyl2xp1"), family: "x87", build: noOperands(binary(fyl2xp1)) },
  { mnemonics: mn("Fpatan"), family: "x87", build: noOperands(binary(fpatan)) },
  { mnemonics: mn("Fsin"), family: "x87", build: noOperands(trigonometric(SIN, false)) },
  { mnemonics: mn("Fcos"), family: "x87", build: noOperands(trigonometric(COS, false)) },
  { mnemonics: mn("Fsincos"), family: "x87", build: noOperands(trigonometric(SIN, true)) },
  { mnemonics: mn("Fptan"), family: "x87", build: noOperands(trigonometric(TAN, true)) },
];
