/**
 * Address assignment. Everything of one kind is merged: all code (the runtime's, then the
 * program's) in one read+execute group at 0x401000, then read-only data, then writable data
 * followed by bss. Each group starts on a fresh page so that it can have its own permissions;
 * inside a group every piece is aligned to its own alignment.
 */

export type Kind = "text" | "rodata" | "data" | "bss";
export const KINDS: readonly Kind[] = ["text", "rodata", "data", "bss"];

export const TEXT_BASE = 0x401000;
export const PAGE = 0x1000;

/** One piece to place: an input section, the GOT, a common symbol, a program section. */
export interface Chunk {
  kind: Kind;
  size: number;
  /** A power of two. */
  align: number;
  /** Assigned by layOut. */
  address: number;
}

export interface Range {
  start: number;
  end: number;
}

export type Ranges = Record<Kind, Range>;

export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Assigns every chunk's address (in the order given within each kind) and returns each kind's range. */
export function layOut(chunks: readonly Chunk[], textBase = TEXT_BASE): Ranges {
  const ranges = {} as Ranges;
  let cursor = textBase;
  for (const kind of KINDS) {
    if (kind !== "bss") cursor = alignUp(cursor, PAGE);
    const start = cursor;
    for (const c of chunks) {
      if (c.kind !== kind) continue;
      cursor = alignUp(cursor, c.align);
      c.address = cursor;
      cursor += c.size;
    }
    ranges[kind] = { start, end: cursor };
  }
  return ranges;
}
