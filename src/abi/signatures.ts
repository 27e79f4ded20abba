/**
 * Typed signatures of the functions a program can call: runtime-rs's (extracted from its
 * source at build time into runtime-rs/dist/signatures.json) and `define-foreign` declarations.
 */

export interface Parameter {
  name: string;
  /** `Value` is a tagged Scheme value; anything else is a C/Rust type (i64, *const u8, usize...). */
  type: string;
}

export interface Signature {
  name: string;
  params: Parameter[];
  /** Return type; `!` never returns; empty for none. */
  returns: string;
}

/** `writeln(data: Value, port: Value) -> Value` */
export function formatSignature(s: Signature): string {
  const params = s.params.map((p) => `${p.name}: ${p.type}`).join(", ");
  return `${s.name}(${params})${s.returns ? ` -> ${s.returns}` : ""}`;
}

export function isTagged(type: string): boolean {
  return type === "Value";
}

/** Interpret a raw 64-bit argument as its declared C type, for display. */
export function formatCValue(raw: bigint, type: string): string {
  const t = type.replace(/\s+/g, " ").trim();
  switch (t) {
    case "i8":
      return BigInt.asIntN(8, raw).toString();
    case "u8":
    case "bool":
      return t === "bool"
        ? BigInt.asUintN(8, raw) !== 0n
          ? "true"
          : "false"
        : BigInt.asUintN(8, raw).toString();
    case "i16":
      return BigInt.asIntN(16, raw).toString();
    case "u16":
      return BigInt.asUintN(16, raw).toString();
    case "i32":
    case "int":
      return BigInt.asIntN(32, raw).toString();
    case "u32":
    case "char": {
      const c = Number(BigInt.asUintN(32, raw));
      return t === "char" && c <= 0x10ffff ? `'${String.fromCodePoint(c)}' (${c})` : c.toString();
    }
    case "i64":
    case "isize":
    case "long":
    case "ssize":
      return BigInt.asIntN(64, raw).toString();
    case "u64":
    case "usize":
    case "size":
      return BigInt.asUintN(64, raw).toString();
    default:
      return `0x${BigInt.asUintN(64, raw).toString(16)}`;
  }
}
