/**
 * x86-64 relocations (System V psABI §4.4): what value each type computes and how wide the
 * field is, with range checks. Notation: S the symbol's address, A the addend, P the address
 * being patched, GOT the address of the global offset table, G the address of the symbol's
 * GOT slot, Z the symbol's size.
 */
import { LinkError } from "./bytes.js";
import { R_X86_64, relocationName } from "./elf.js";

export { R_X86_64, relocationName } from "./elf.js";

/** The inputs of a relocation: addresses as numbers (below 2^53), the addend as written (64-bit). */
export interface RelocationValues {
  S: number;
  A: bigint;
  P: number;
  /** Address of the GOT (for GOTPC*, GOTOFF64, PLTOFF64). */
  GOT: number;
  /** Address of the symbol's GOT slot (for the GOT-using types). */
  G: number;
  Z: number;
}

interface Big {
  S: bigint;
  A: bigint;
  P: bigint;
  GOT: bigint;
  G: bigint;
  Z: bigint;
}

type Check = "signed" | "unsigned" | "either" | "none";

interface Rule {
  width: 1 | 2 | 4 | 8;
  check: Check;
  value: (v: Big) => bigint;
}

const R = R_X86_64;

const RULES = new Map<number, Rule>([
  [R._64, { width: 8, check: "none", value: ({ S, A }) => S + A }],
  [R.PC32, { width: 4, check: "signed", value: ({ S, A, P }) => S + A - P }],
  // A static link needs no PLT: a call goes straight to the function.
  [R.PLT32, { width: 4, check: "signed", value: ({ S, A, P }) => S + A - P }],
  [R.GOT32, { width: 4, check: "signed", value: ({ G, GOT, A }) => G - GOT + A }],
  [R.GOTPCREL, { width: 4, check: "signed", value: ({ G, A, P }) => G + A - P }],
  [R.GOTPCRELX, { width: 4, check: "signed", value: ({ G, A, P }) => G + A - P }],
  [R.REX_GOTPCRELX, { width: 4, check: "signed", value: ({ G, A, P }) => G + A - P }],
  [R._32, { width: 4, check: "unsigned", value: ({ S, A }) => S + A }],
  [R._32S, { width: 4, check: "signed", value: ({ S, A }) => S + A }],
  [R._16, { width: 2, check: "either", value: ({ S, A }) => S + A }],
  [R.PC16, { width: 2, check: "signed", value: ({ S, A, P }) => S + A - P }],
  [R._8, { width: 1, check: "either", value: ({ S, A }) => S + A }],
  [R.PC8, { width: 1, check: "signed", value: ({ S, A, P }) => S + A - P }],
  [R.PC64, { width: 8, check: "none", value: ({ S, A, P }) => S + A - P }],
  [R.GOTOFF64, { width: 8, check: "none", value: ({ S, A, GOT }) => S + A - GOT }],
  [R.GOTPC32, { width: 4, check: "signed", value: ({ GOT, A, P }) => GOT + A - P }],
  [R.GOT64, { width: 8, check: "none", value: ({ G, GOT, A }) => G - GOT + A }],
  [R.GOTPCREL64, { width: 8, check: "none", value: ({ G, A, P }) => G + A - P }],
  [R.GOTPC64, { width: 8, check: "none", value: ({ GOT, A, P }) => GOT + A - P }],
  [R.GOTPLT64, { width: 8, check: "none", value: ({ G, GOT, A }) => G - GOT + A }],
  [R.PLTOFF64, { width: 8, check: "none", value: ({ S, GOT, A }) => S - GOT + A }],
  [R.SIZE32, { width: 4, check: "unsigned", value: ({ Z, A }) => Z + A }],
  [R.SIZE64, { width: 8, check: "none", value: ({ Z, A }) => Z + A }],
]);

const TLS = new Set<number>([
  R.DTPMOD64,
  R.DTPOFF64,
  R.TPOFF64,
  R.TLSGD,
  R.TLSLD,
  R.DTPOFF32,
  R.GOTTPOFF,
  R.TPOFF32,
  R.GOTPC32_TLSDESC,
  R.TLSDESC_CALL,
  R.TLSDESC,
]);

/** Types that need a GOT slot for their symbol. */
export function usesGot(type: number): boolean {
  return (
    type === R.GOTPCREL ||
    type === R.GOTPCRELX ||
    type === R.REX_GOTPCRELX ||
    type === R.GOT32 ||
    type === R.GOT64 ||
    type === R.GOTPCREL64 ||
    type === R.GOTPLT64
  );
}

/** Types that refer to the GOT's address (so `_GLOBAL_OFFSET_TABLE_` must exist). */
export function usesGotAddress(type: number): boolean {
  return (
    usesGot(type) || type === R.GOTPC32 || type === R.GOTPC64 || type === R.GOTOFF64 || type === R.PLTOFF64
  );
}

/** The field width of a supported type; throws a LinkError for unsupported ones. */
export function relocationWidth(type: number, where: () => string): number {
  if (type === R.NONE) return 0;
  const rule = RULES.get(type);
  if (rule) return rule.width;
  if (TLS.has(type))
    throw new LinkError(
      `${where()}: ${relocationName(type)} is thread-local storage, which abi-lab does not support`,
    );
  throw new LinkError(`${where()}: unsupported relocation ${relocationName(type)}`);
}

function fits(v: bigint, bits: number, check: Check): boolean {
  const span = 1n << BigInt(bits);
  switch (check) {
    case "signed":
      return v >= -(span >> 1n) && v < span >> 1n;
    case "unsigned":
      return v >= 0n && v < span;
    case "either":
      return v >= -(span >> 1n) && v < span;
    case "none":
      return true;
  }
}

/**
 * Compute and store one relocation at `offset` of `view`. `where` describes the site for
 * messages ("relocation R_X86_64_PC32 against `foo` in bar.o(.text+0x1c)").
 */
export function applyRelocation(
  view: DataView,
  offset: number,
  type: number,
  values: RelocationValues,
  where: () => string,
): void {
  if (type === R.NONE) return;
  if (fastPath(view, offset, type, values)) return;
  const rule = RULES.get(type);
  if (!rule) {
    relocationWidth(type, where);
    return;
  }
  if (offset < 0 || offset + rule.width > view.byteLength)
    throw new LinkError(`${where()}: the relocated field lies outside its section`);
  const v = rule.value({
    S: BigInt(values.S),
    A: values.A,
    P: BigInt(values.P),
    GOT: BigInt(values.GOT),
    G: BigInt(values.G),
    Z: BigInt(values.Z),
  });
  const bits = rule.width * 8;
  if (!fits(v, bits, rule.check)) {
    const shown = v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
    throw new LinkError(
      `${where()}: value ${shown} does not fit in ${bits} bits (${rule.check === "unsigned" ? "unsigned" : "signed"}); ` +
        `the target is too far away`,
    );
  }
  const u = BigInt.asUintN(bits, v);
  switch (rule.width) {
    case 1:
      view.setUint8(offset, Number(u));
      break;
    case 2:
      view.setUint16(offset, Number(u), true);
      break;
    case 4:
      view.setUint32(offset, Number(u), true);
      break;
    case 8:
      view.setBigUint64(offset, u, true);
      break;
  }
}

const TWO32 = 2 ** 32;
const SMALL = 2n ** 52n;

/**
 * The common cases (PC32, PLT32, 32, 32S, 64 with addresses and addends well inside 2^52) in
 * plain numbers: BigInt arithmetic is slow in code that has not been optimised yet, and a
 * link runs each of these a few hundred times, once. Returns false to take the general path
 * (which also reports overflows).
 */
function fastPath(view: DataView, offset: number, type: number, v: RelocationValues): boolean {
  if (v.A >= SMALL || v.A <= -SMALL) return false;
  const S = v.S;
  const A = Number(v.A);
  let value: number;
  switch (type) {
    case R.PC32:
    case R.PLT32:
      value = S + A - v.P;
      if (value < -0x80000000 || value > 0x7fffffff || offset < 0 || offset + 4 > view.byteLength)
        return false;
      view.setInt32(offset, value, true);
      return true;
    case R._32S:
      value = S + A;
      if (value < -0x80000000 || value > 0x7fffffff || offset < 0 || offset + 4 > view.byteLength)
        return false;
      view.setInt32(offset, value, true);
      return true;
    case R._32:
      value = S + A;
      if (value < 0 || value > 0xffffffff || offset < 0 || offset + 4 > view.byteLength) return false;
      view.setUint32(offset, value, true);
      return true;
    case R._64:
      value = S + A;
      if (offset < 0 || offset + 8 > view.byteLength) return false;
      view.setUint32(offset, ((value % TWO32) + TWO32) % TWO32, true);
      view.setInt32(offset + 4, Math.floor(value / TWO32), true);
      return true;
    default:
      return false;
  }
}
