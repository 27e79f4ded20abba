/**
 * Mutation arbitraries for the fuzz targets: edits of text (characters, tokens, lines) and of
 * binary files (bytes, little-endian fields set to extreme values, truncation, splices).
 */
import fc from "fast-check";

// ------------------------------------------------------------------ text

export type TextEdit =
  | { kind: "delete"; at: number; length: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "swap"; at: number; other: number; length: number }
  | { kind: "duplicate"; at: number; length: number };

/** A position in [0, 1): scaled to the text or file when the edit is applied. */
const position = fc.noBias(fc.integer({ min: 0, max: 999_999_999 })).map((n) => n / 1e9);

function textEdit(vocabulary: fc.Arbitrary<string>): fc.Arbitrary<TextEdit> {
  return fc.oneof(
    fc.record({
      kind: fc.constant("delete" as const),
      at: position,
      length: fc.integer({ min: 1, max: 12 }),
    }),
    fc.record({ kind: fc.constant("insert" as const), at: position, text: vocabulary }),
    fc.record({
      kind: fc.constant("swap" as const),
      at: position,
      other: position,
      length: fc.integer({ min: 1, max: 20 }),
    }),
    fc.record({
      kind: fc.constant("duplicate" as const),
      at: position,
      length: fc.integer({ min: 1, max: 40 }),
    }),
  );
}

/** Apply edits to a list of units (characters, tokens or lines). */
function applyEdits<T>(units: T[], edits: TextEdit[], fromText: (s: string) => T[]): T[] {
  let out = units.slice();
  for (const e of edits) {
    const at = Math.floor(e.at * (out.length + 1));
    switch (e.kind) {
      case "delete":
        out.splice(at, e.length);
        break;
      case "insert":
        out.splice(at, 0, ...fromText(e.text));
        break;
      case "duplicate":
        out.splice(at, 0, ...out.slice(at, at + e.length));
        break;
      case "swap": {
        const b = Math.floor(e.other * (out.length + 1));
        const [lo, hi] = at < b ? [at, b] : [b, at];
        const first = out.slice(lo, lo + e.length);
        const second = out.slice(hi, hi + e.length);
        if (lo + e.length > hi) break;
        out = [
          ...out.slice(0, lo),
          ...second,
          ...out.slice(lo + e.length, hi),
          ...first,
          ...out.slice(hi + e.length),
        ];
        break;
      }
    }
  }
  return out;
}

/** Split text into tokens that keep the whitespace: joining them gives the text back. */
export function tokens(text: string, pattern: RegExp): string[] {
  return text.split(pattern).filter((t) => t.length > 0);
}

export type Granularity = "char" | "token" | "line";

/**
 * Mutations of one of `seeds`: character, token and line edits. Inserted text comes from
 * `vocabulary` (for tokens and lines) or from any characters (for characters).
 */
export function mutatedText(
  seeds: readonly string[],
  vocabulary: fc.Arbitrary<string>,
  tokenPattern: RegExp,
): fc.Arbitrary<{ seed: number; granularity: Granularity; edits: TextEdit[]; text: string }> {
  const granularity = fc.constantFrom<Granularity>("char", "token", "line");
  const insertable = fc.oneof(vocabulary, fc.string({ maxLength: 4, unit: "binary" }));
  return fc
    .tuple(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      granularity,
      fc.array(textEdit(insertable), { minLength: 1, maxLength: 6 }),
    )
    .map(([seed, granularity, edits]) => {
      const source = seeds[seed];
      const text =
        granularity === "char"
          ? applyEdits([...source], edits, (s) => [...s]).join("")
          : granularity === "token"
            ? applyEdits(tokens(source, tokenPattern), edits, (s) => [s]).join("")
            : applyEdits(source.split("\n"), edits, (s) => [s]).join("\n");
      return { seed, granularity, edits, text };
    });
}

// ------------------------------------------------------------------ bytes

export type ByteEdit =
  | { kind: "byte"; at: number; value: number }
  | { kind: "field"; at: number; width: 2 | 4 | 8; value: bigint }
  | { kind: "truncate"; at: number }
  | { kind: "splice"; at: number; from: number; length: number }
  | { kind: "delete"; at: number; length: number };

/** Values that break parsers: zero, one, sign boundaries, all ones, sizes near 2^32 and 2^64. */
export const EXTREMES: readonly bigint[] = [
  0n,
  1n,
  2n,
  7n,
  0x40n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0xffffn,
  0x7fff_ffffn,
  0x8000_0000n,
  0xffff_ffffn,
  0x1_0000_0000n,
  0x7fff_ffff_ffffn,
  0x7fff_ffff_ffff_ffffn,
  0x8000_0000_0000_0000n,
  0xffff_ffff_ffff_fff0n,
  0xffff_ffff_ffff_ffffn,
];

/**
 * Byte-level mutations. `hot` lists offsets of header fields (ELF header, section and program
 * headers, symbol and relocation entries, archive member headers): half of the field edits land
 * on them.
 */
export function byteEdits(hot: readonly number[]): fc.Arbitrary<ByteEdit[]> {
  const at = hot.length
    ? fc.oneof(
        position,
        fc.integer({ min: 0, max: hot.length - 1 }).map((i) => -1 - i),
      )
    : position;
  const width = fc.constantFrom<2 | 4 | 8>(2, 4, 4, 8, 8);
  const value = fc.oneof(
    fc.constantFrom(...EXTREMES),
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.integer({ min: 0, max: 0x10000 }).map(BigInt),
  );
  const edit: fc.Arbitrary<ByteEdit> = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant("byte" as const),
        at,
        value: fc.integer({ min: 0, max: 255 }),
      }),
    },
    { weight: 10, arbitrary: fc.record({ kind: fc.constant("field" as const), at, width, value }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: position }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("splice" as const),
        at: position,
        from: position,
        length: fc.integer({ min: 1, max: 256 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("delete" as const),
        at: position,
        length: fc.integer({ min: 1, max: 64 }),
      }),
    },
  );
  return fc.array(edit, { minLength: 1, maxLength: 5 });
}

/** Apply byte edits to a copy. Negative positions index `hot`. */
export function applyByteEdits(
  bytes: Uint8Array,
  edits: readonly ByteEdit[],
  hot: readonly number[],
): Uint8Array {
  let out = Uint8Array.from(bytes);
  const offset = (p: number) => (p < 0 ? (hot[-1 - p] ?? 0) : Math.floor(p * Math.max(1, out.length)));
  for (const e of edits) {
    const at = offset(e.at);
    switch (e.kind) {
      case "byte":
        if (at < out.length) out[at] = e.value;
        break;
      case "field":
        for (let k = 0; k < e.width && at + k < out.length; k++)
          out[at + k] = Number((e.value >> BigInt(8 * k)) & 0xffn);
        break;
      case "truncate":
        out = out.slice(0, at);
        break;
      case "splice": {
        const from = offset(e.from);
        const piece = out.slice(from, from + e.length);
        const next = new Uint8Array(out.length + piece.length);
        next.set(out.subarray(0, at));
        next.set(piece, at);
        next.set(out.subarray(at), at + piece.length);
        out = next;
        break;
      }
      case "delete": {
        const next = new Uint8Array(Math.max(0, out.length - Math.min(e.length, out.length - at)));
        next.set(out.subarray(0, at));
        next.set(out.subarray(at + e.length), at);
        out = next;
        break;
      }
    }
  }
  return out;
}

/** Offsets of the header fields of an ELF file (a best-effort walk: for choosing where to mutate). */
export function elfFieldOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  if (bytes.length < 64) return out;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const f of [16, 18, 20, 24, 32, 40, 48, 52, 54, 56, 58, 60, 62]) out.push(f);
  const phoff = Number(v.getBigUint64(32, true));
  const phnum = v.getUint16(56, true);
  for (let i = 0; i < phnum && phoff + 56 * (i + 1) <= bytes.length; i++)
    for (const f of [0, 4, 8, 16, 24, 32, 40, 48]) out.push(phoff + 56 * i + f);
  const shoff = Number(v.getBigUint64(40, true));
  const shnum = v.getUint16(60, true);
  for (let i = 0; i < shnum && shoff + 64 * (i + 1) <= bytes.length; i++) {
    const sh = shoff + 64 * i;
    for (const f of [0, 4, 8, 16, 24, 32, 40, 44, 48, 56]) out.push(sh + f);
    const type = v.getUint32(sh + 4, true);
    const offset = Number(v.getBigUint64(sh + 24, true));
    const size = Number(v.getBigUint64(sh + 32, true));
    // Symbols (SHT_SYMTAB) and relocations (SHT_RELA): a few entries' fields each.
    const entry = type === 2 ? 24 : type === 4 ? 24 : 0;
    if (entry && offset + size <= bytes.length)
      for (let e = 0; e < Math.min(size / entry, 64); e++)
        for (const f of type === 2 ? [0, 4, 5, 6, 8, 16] : [0, 8, 12, 16]) out.push(offset + entry * e + f);
  }
  return out;
}

/** Offsets of the fields of each member header of an `ar` archive. */
export function archiveFieldOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let at = 8;
  const text = new TextDecoder("latin1");
  while (at + 60 <= bytes.length) {
    for (const f of [0, 16, 48, 58]) out.push(at + f);
    const size = parseInt(text.decode(bytes.subarray(at + 48, at + 58)).trim(), 10);
    if (!Number.isFinite(size) || size < 0) break;
    at += 60 + size + (size & 1);
  }
  return out;
}
