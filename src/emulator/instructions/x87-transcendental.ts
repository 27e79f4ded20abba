/**
 * x87 transcendental instructions: f2xm1 (st(0) = 2^st(0) - 1), fyl2x (st(1) = st(1) * log2 st(0),
 * pop), fyl2xp1 (st(1) = st(1) * log2(st(0) + 1), pop), fpatan (st(1) = atan(st(1) / st(0)), pop).
 * The values are correctly rounded to 64 bits (x87-transcendental.ts), which the hardware is
 * documented to be within 1 ulp of. fsin fcos fsincos fptan are not implemented (musl does not use
 * them on x86-64): they raise SIGILL.
 */
import type { Handler } from "../op.js";
import { INDEFINITE, type F80 } from "../x87-float.js";
import { f2xm1, fpatan, fyl2x, fyl2xp1 } from "../x87-transcendental.js";
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

const simple = (h: Handler) => (d: Decoding) => (d.count === 0 ? h : null);

export const X87_TRANSCENDENTAL: InstrDef[] = [
  { mnemonics: mn("F2xm1"), family: "x87", build: simple(f2xm1H) },
  { mnemonics: mn("Fyl2x"), family: "x87", build: simple(binary(fyl2x)) },
  { mnemonics: mn("Fyl2xp1"), family: "x87", build: simple(binary(fyl2xp1)) },
  { mnemonics: mn("Fpatan"), family: "x87", build: simple(binary(fpatan)) },
];
