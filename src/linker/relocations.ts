import { LinkError } from "./bytes.js";
import type { Relocation } from "./elf-object.js";

/** x86-64 relocation types (System V psABI, table 4.10). */
export const R = {
  NONE: 0,
  R64: 1,
  PC32: 2,
  GOT32: 3,
  PLT32: 4,
  GOTPCREL: 9,
  R32: 10,
  R32S: 11,
  PC64: 24,
  GOTOFF64: 25,
  GOTPC32: 26,
  GOTPCRELX: 41,
  REX_GOTPCRELX: 42,
} as const;

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(R).map(([k, v]) => [v, `R_X86_64_${k.replace(/^R(?=\d)/, "")}`]),
);

export function usesGot(type: number): boolean {
  return type === R.GOTPCREL || type === R.GOTPCRELX || type === R.REX_GOTPCRELX;
}

/**
 * Patch one relocation in `data` (the section's bytes, placed at `place`): S is the symbol's
 * address, G the address of its GOT slot when the type uses one. Overflows are link errors.
 */
export function applyRelocation(
  data: Uint8Array,
  rel: Relocation,
  S: number,
  place: number,
  G: number | undefined,
  where: string,
): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const A = rel.addend;
  const P = BigInt(place + rel.offset);
  const s = BigInt(S);
  const width = rel.type === R.R64 || rel.type === R.PC64 || rel.type === R.GOTOFF64 ? 8 : 4;
  if (rel.offset < 0 || rel.offset + width > data.length)
    throw new LinkError(`${where}: relocation at offset ${rel.offset} lies outside its section`);
  const put32 = (v: bigint, signed: boolean) => {
    const ok = signed ? v >= -(2n ** 31n) && v < 2n ** 31n : v >= 0n && v < 2n ** 32n;
    if (!ok)
      throw new LinkError(
        `${where}: ${NAMES[rel.type] ?? rel.type} value 0x${v.toString(16)} does not fit in 32 bits (the program must be linked below 2 GiB)`,
      );
    view.setUint32(rel.offset, Number(BigInt.asUintN(32, v)), true);
  };
  switch (rel.type) {
    case R.NONE:
      return;
    case R.R64:
      view.setBigUint64(rel.offset, BigInt.asUintN(64, s + A), true);
      return;
    case R.PC64:
      view.setBigUint64(rel.offset, BigInt.asUintN(64, s + A - P), true);
      return;
    case R.PC32:
    case R.PLT32:
      put32(s + A - P, true);
      return;
    case R.R32:
      put32(s + A, false);
      return;
    case R.R32S:
      put32(s + A, true);
      return;
    case R.GOTPCREL:
    case R.GOTPCRELX:
    case R.REX_GOTPCRELX:
      put32(BigInt(G!) + A - P, true);
      return;
    default:
      throw new LinkError(`${where}: unsupported relocation type ${NAMES[rel.type] ?? rel.type}`);
  }
}
