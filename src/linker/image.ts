import type { AssembledLine } from "../assembler/index.js";

/** One loadable piece of a linked program: a PT_LOAD segment. */
export interface ImageSegment {
  /** "text", "rodata", "data" for linked images; "segment N" for executables read from disk. */
  name: string;
  /** Where it is loaded (page-aligned for linked images; as in the file for executables). */
  address: number;
  /** Initialised contents; the rest up to memorySize is zero (bss). */
  bytes: Uint8Array;
  memorySize: number;
  /** Perm bits (src/emulator/types.ts): read 1, write 2, exec 4. */
  perm: number;
}

export interface ImageSymbol {
  name: string;
  address: number;
  size: number;
  kind: "function" | "object" | "label";
  /** Where it was defined: the program file, an object, or archive(member). */
  origin: string;
  /** ELF binding (global if absent). */
  binding?: "local" | "global" | "weak";
}

/** A linked program, ready to load into the emulator or to write as an ELF executable. */
export interface Image {
  entry: number;
  segments: ImageSegment[];
  /** Sorted by address. */
  symbols: ImageSymbol[];
  /** The assembled program's lines that emitted bytes (address → file, line, column, text). */
  lines: AssembledLine[];
  /** The program's file, when the image was linked from assembly. */
  sourceFile?: string;
  /** Symbols left undefined (resolved to 0) in a link without an entry point. */
  unresolved?: string[];
  /** Program headers as found in an executable (for AT_PHDR), if loaded from one. */
  programHeaders?: { address: number; bytes: Uint8Array; count: number };
  /** The thread-local storage template (PT_TLS), if any. */
  tls?: { address: number; fileSize: number; memorySize: number; align: number };
}

/**
 * The function or label containing an address (or the nearest one before it): the symbol a
 * fault or a call target is reported against. Data objects are not candidates.
 */
export function symbolize(
  image: Pick<Image, "symbols">,
  address: number,
): { name: string; offset: number } | undefined {
  const symbols = image.symbols;
  let lo = 0;
  let hi = symbols.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (symbols[mid].address <= address) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Prefer a sized function that contains the address, else the nearest label or function.
  let fallback: { name: string; offset: number } | undefined;
  for (let i = best; i >= 0; i--) {
    const s = symbols[i];
    if (s.kind === "object") continue;
    if (s.size > 0 && address < s.address + s.size) return { name: s.name, offset: address - s.address };
    fallback ??= { name: s.name, offset: address - s.address };
    if (s.size === 0 || address - s.address > 1 << 20) break;
  }
  return fallback;
}
