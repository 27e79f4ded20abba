import fc from "fast-check";
import { decodeValue, tagName } from "../../values/decode.js";
import {
  CHAR_SHIFT,
  EOF,
  FALSE,
  FIXNUM_MAX,
  FIXNUM_MIN,
  FIXNUM_SHIFT,
  NIL,
  Tag,
  TRUE,
  UNSPECIFIED,
} from "../../values/layout.js";

/** Input generators shared by the catalog's exercises. */

/** Any signed 64-bit integer, as a bigint. */
export const int64 = (): fc.Arbitrary<bigint> => fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

/** Signed integers in [min, max]. */
export const intIn = (min: bigint, max: bigint): fc.Arbitrary<bigint> => fc.bigInt({ min, max });

/** A fixnum's integer value (61-bit signed). */
export const fixnumValue = (): fc.Arbitrary<bigint> => fc.bigInt({ min: FIXNUM_MIN, max: FIXNUM_MAX });

/** A tuple of arbitraries as one argument list. */
export function argsOf(...parts: fc.Arbitrary<bigint>[]): fc.Arbitrary<bigint[]> {
  return fc.tuple(...parts).map((t) => [...t]);
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
/** Wrap to a signed 64-bit value, as the hardware does. */
export const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

const NO_MEMORY = { read64: () => undefined, read32: () => undefined };

/** A tagged word as a person reads it: `fixnum 5 (0x28)`, `#\a (0x30a)`, `a pair (0x1003)`. */
export function showWord(word: bigint): string {
  const w = BigInt.asUintN(64, word);
  const hex = `0x${w.toString(16)}`;
  const kind = tagName(w);
  if (kind === "fixnum") return `fixnum ${decodeValue(w, NO_MEMORY)} (${hex})`;
  if (["pair", "string", "symbol", "vector-like"].includes(kind)) return `a ${kind} (${hex})`;
  return `${decodeValue(w, NO_MEMORY)} (${hex})`;
}

/** Tagged words of every kind: fixnums, chars, booleans, special immediates and heap pointers. */
export function taggedWord(): fc.Arbitrary<bigint> {
  const fixnum = fixnumValue().map((n) => BigInt.asUintN(64, n << BigInt(FIXNUM_SHIFT)));
  const char = fc
    .integer({ min: 0, max: 0x10ffff })
    .map((c) => (BigInt(c) << BigInt(CHAR_SHIFT)) | BigInt(Tag.char));
  const immediate = fc.constantFrom(
    BigInt(TRUE),
    BigInt(FALSE),
    BigInt(NIL),
    BigInt(UNSPECIFIED),
    BigInt(EOF),
  );
  const heap = fc
    .tuple(
      fc.integer({ min: 0x1000, max: 0x7fff_ffff }),
      fc.constantFrom(Tag.pair, Tag.string, Tag.symbol, Tag.vectorLike),
    )
    .map(([a, tag]) => BigInt(a * 8 + tag));
  return fc.oneof(fixnum, char, immediate, heap);
}
