import fc from "fast-check";
import { FIXNUM_MAX, FIXNUM_MIN } from "../../values/layout.js";

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
