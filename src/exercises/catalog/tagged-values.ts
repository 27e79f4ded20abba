import type { FunctionExercise } from "../types.js";
import { CHAR_SHIFT, FALSE, FIXNUM_SHIFT, NIL, Tag, TAG_MASK, TRUE } from "../../values/layout.js";
import { showWord, taggedWord } from "./generators.js";

const fixnum = (n: bigint) => BigInt.asUintN(64, n << BigInt(FIXNUM_SHIFT));

/** The reference model, from the value layout (src/values/layout.ts). */
function toNumber(v: bigint): bigint {
  const tag = Number(v & BigInt(TAG_MASK));
  if (tag === Tag.fixnum) return BigInt.asUintN(64, v + 8n);
  if (tag === Tag.char) return fixnum(v >> BigInt(CHAR_SHIFT));
  if (v === BigInt(TRUE)) return fixnum(1n);
  if (v === BigInt(FALSE) || v === BigInt(NIL)) return fixnum(0n);
  return BigInt(FALSE);
}

export const taggedValues: FunctionExercise = {
  kind: "function",
  id: "tagged-values",
  title: "Scheme values in assembly: decode the tag, encode the result",
  statement: `Write to_number, which takes one Scheme value (a tagged 64-bit word) and returns a Scheme value:
  - a fixnum n gives the fixnum n + 1
  - a character gives its code point as a fixnum (char->integer)
  - #t gives the fixnum 1, #f and the empty list () give the fixnum 0
  - anything else (pairs, strings, symbols, vectors, other immediates) gives #f

The layout (src/values/layout.ts): the low 3 bits are the tag. Fixnum: n << 3 (tag 0).
Char: code << 3 | 2. #f = 0b0001, #t = 0b1001. () = 0x04. Pair tag 3, string 5, symbol 6,
vector-like 7 (the tag is added to an 8-byte aligned address).`,
  signature: "value to_number(value v);   /* value: a tagged 64-bit Scheme word */",
  function: "to_number",
  starter: {
    file: "to-number.s",
    source: `.intel_syntax noprefix
.globl to_number
# value to_number(value v): fixnum n -> n + 1, char -> its code, #t -> 1, #f/() -> 0, else #f
to_number:
    # TODO: look at the tag (v & 7), decode, encode the result
    mov eax, 1          # #f
    ret
`,
  },
  inputs: taggedWord().map((w) => [w]),
  edgeCases: [
    [fixnum(0n)],
    [fixnum(41n)],
    [fixnum(-1n)],
    [(97n << 3n) | 2n],
    [BigInt(TRUE)],
    [BigInt(FALSE)],
    [BigInt(NIL)],
    [0x1000n | 3n],
    [0x2000n | 5n],
  ],
  expected: ([v]) => ({ rax: toNumber(v) }),
  showArgs: ([v]) => showWord(v),
  showValue: (v) => showWord(v),
  hints: [
    "mov eax, edi; and eax, 7 isolates the tag",
    "adding 8 to a fixnum adds 1 to the number it stands for",
  ],
};
