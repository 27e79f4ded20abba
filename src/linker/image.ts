import type { AssembledLine } from "../assembler/index.js";

/** One loadable piece of a linked program. */
export interface ImageSegment {
  name: string;
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
  /** Where it was defined: the program file, or archive(member). */
  origin: string;
}

/** A linked program, ready to load into the emulator or to write as an ELF executable. */
export interface Image {
  entry: number;
  segments: ImageSegment[];
  /** Sorted by address. */
  symbols: ImageSymbol[];
  /** The assembled program's lines (address → source line), for the source map. */
  lines: AssembledLine[];
  /** Program headers as found in an executable (for AT_PHDR), if loaded from one. */
  programHeaders?: { address: number; bytes: Uint8Array; count: number };
  /** The thread-local storage template (PT_TLS), if any. */
  tls?: { address: number; fileSize: number; memorySize: number; align: number };
}

/** The symbol containing, or nearest before, an address. */
export function symbolize(
  image: Pick<Image, "symbols">,
  address: number,
): { name: string; offset: number } | undefined {
  let lo = 0;
  let hi = image.symbols.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (image.symbols[mid].address <= address) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) return undefined;
  const s = image.symbols[best];
  return { name: s.name, offset: address - s.address };
}
