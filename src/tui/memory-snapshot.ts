/**
 * Whole-memory checkpoints and their restoration: the mappings (address ranges and permissions)
 * and the contents of every page that holds data. Untouched pages read as zeros and are not copied,
 * so a checkpoint of a program with a 64 MiB heap costs what the program actually wrote. Pages
 * equal to the previous checkpoint's copy share it.
 */
import type { Memory, MemoryRegion } from "../emulator/index.js";
import { PAGE_SIZE } from "../emulator/types.js";
import { allocatedPages } from "./internals.js";

export interface MemorySnapshot {
  regions: MemoryRegion[];
  /** Page number → contents, for pages that may hold non-zero bytes. */
  pages: Map<number, Uint8Array>;
  /**
   * Whether `pages` covers all of memory (a checkpoint) rather than a range (before a syscall
   * that may unmap): then every page missing from it was zero.
   */
  complete: boolean;
  /** Bytes of page copies this snapshot owns (not shared with the previous one). */
  ownBytes: number;
}

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function isZero(a: Uint8Array): boolean {
  return equalBytes(a, ZERO_PAGE);
}

/** Page numbers with storage in [startPn, endPn), via the page table or by reading every mapped page. */
function* touchedPages(memory: Memory, startPn: number, endPn: number): Generator<[number, Uint8Array]> {
  const pages = allocatedPages(memory);
  if (pages) {
    if (endPn - startPn <= pages.size) {
      for (let pn = startPn; pn < endPn; pn++) {
        const data = pages.get(pn)?.data;
        if (data) yield [pn, data];
      }
    } else {
      for (const [pn, p] of pages) if (pn >= startPn && pn < endPn && p.data) yield [pn, p.data];
    }
    return;
  }
  for (const r of memory.regions()) {
    const from = Math.max(r.start / PAGE_SIZE, startPn);
    const to = Math.min(r.end / PAGE_SIZE, endPn);
    for (let pn = from; pn < to; pn++) {
      const data = memory.readBytes(pn * PAGE_SIZE, PAGE_SIZE);
      if (!isZero(data)) yield [pn, data];
    }
  }
}

/** All of memory, sharing unchanged pages with `previous`. */
export function captureMemory(memory: Memory, previous?: MemorySnapshot): MemorySnapshot {
  const pages = new Map<number, Uint8Array>();
  let ownBytes = 0;
  for (const [pn, data] of touchedPages(memory, 0, Number.MAX_SAFE_INTEGER)) {
    const old = previous?.pages.get(pn);
    if (old && equalBytes(old, data)) pages.set(pn, old);
    else {
      pages.set(pn, data.slice());
      ownBytes += PAGE_SIZE;
    }
  }
  return { regions: memory.regions(), pages, complete: true, ownBytes };
}

/** The mappings, and the pages of [address, address+size) (before an munmap, mremap, MAP_FIXED...). */
export function captureRange(memory: Memory, address: number, size: number): MemorySnapshot {
  const pages = new Map<number, Uint8Array>();
  const start = Math.floor(address / PAGE_SIZE);
  const end = Math.ceil((address + Math.max(0, size)) / PAGE_SIZE);
  let ownBytes = 0;
  if (Number.isFinite(start) && Number.isFinite(end) && end > start)
    for (const [pn, data] of touchedPages(memory, start, end)) {
      pages.set(pn, data.slice());
      ownBytes += PAGE_SIZE;
    }
  return { regions: memory.regions(), pages, complete: false, ownBytes };
}

/** Makes the mappings what they were (unmap, map, protect), without touching unchanged ranges. */
export function restoreRegions(memory: Memory, saved: readonly MemoryRegion[]): void {
  const current = memory.regions();
  const cuts = new Set<number>();
  for (const r of [...saved, ...current]) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const covering = (list: readonly MemoryRegion[], a: number) => list.find((r) => r.start <= a && a < r.end);
  const toMap: [number, number, MemoryRegion][] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const was = covering(saved, a);
    const now = covering(current, a);
    if (!was && now) memory.unmap(a, b - a);
    else if (was && !now) toMap.push([a, b, was]);
    else if (was && now && was.perm !== now.perm) memory.protect(a, b - a, was.perm);
  }
  // Unmap first so that re-mapping never trips the memory cap.
  for (const [a, b, r] of toMap) memory.map(a, b - a, r.perm, r.name);
}

/** Puts memory back as the snapshot saw it. */
export function restoreMemory(memory: Memory, snapshot: MemorySnapshot): void {
  restoreRegions(memory, snapshot.regions);
  for (const [pn, data] of snapshot.pages) {
    const address = pn * PAGE_SIZE;
    if (!memory.isMapped(address, PAGE_SIZE)) continue;
    if (!equalBytes(memory.readBytes(address, PAGE_SIZE), data)) memory.writeBytes(address, data);
  }
  if (!snapshot.complete) return;
  const stale: number[] = [];
  for (const [pn, data] of touchedPages(memory, 0, Number.MAX_SAFE_INTEGER))
    if (!snapshot.pages.has(pn) && !isZero(data)) stale.push(pn);
  for (const pn of stale) memory.writeBytes(pn * PAGE_SIZE, ZERO_PAGE);
}
