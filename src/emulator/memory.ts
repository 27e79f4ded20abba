/**
 * Guest memory: 4 KiB pages with read/write/execute permissions, a size cap and lazy storage.
 *
 * Mappings are kept as a sorted list of areas (like Linux VMAs), so mapping 64 MiB costs one list
 * entry. A `Page` object is created the first time a page is touched, and its 4 KiB of storage the
 * first time it is written: reads of untouched pages see a shared page of zeros.
 *
 * The CPU goes through `load8/16/32` and `store8/16/32/64/128`. Each looks the page up in a
 * direct-mapped software TLB (one for reads, one for writes) and falls back to a slow path that
 * checks permissions, crosses page boundaries byte by byte, invalidates decoded code and calls the
 * write hook. A page is only entered in the write TLB when it is writable, allocated, holds no
 * decoded code and no write hook is installed, so the fast path pays for none of those features.
 *
 * Permissions follow the hardware: every mapped page with any permission is readable (x86 page
 * tables have no "no read" bit), writes need `Perm.write`, instruction fetch needs `Perm.exec`.
 * The kernel-side accessors (readBytes, writeBytes, read64 ...) ignore permissions but throw a
 * `GuestFaultError` on unmapped pages.
 */
import { GuestFaultError, MemoryLimitError, hex } from "./errors.js";
import { PAGE_SIZE, Perm, type GuestMemory } from "./types.js";
import { sharedArena, type Arena } from "./arena.js";

const PAGE_SHIFT = 12;
const PAGE_MASK = PAGE_SIZE - 1;
/**
 * Entries in each TLB (a power of two). Translated code (translate.ts) inlines the lookup and must
 * index with TLB_MASK. A miss in a translated block that has been optimised costs a V8
 * deoptimisation the first time it happens at that instruction, so conflict misses (a growing heap
 * sweeping over the stack's entries) matter more than their count suggests.
 */
export const TLB_SIZE = 4096;
export const TLB_MASK = TLB_SIZE - 1;
/**
 * Whether a miss on one side (read or write) enters the page in both TLBs. That saves the second
 * miss on a fresh page but evicts twice as much: with 256 entries, where the heap keeps sweeping
 * over the stack's entries, it measured worse (more deoptimised blocks on closures.scm); with
 * 4096 entries better (strings.scm: no deoptimised block at all).
 */
const FILL_BOTH = TLB_SIZE >= 4096;
/** User space is [0, 2^47). */
export const USER_TOP = 2 ** 47;
const USER_TOP_PAGE = USER_TOP / PAGE_SIZE;
/** Start of the canonical upper (kernel) half, as an unsigned 64-bit value. */
const KERNEL_BOTTOM = 2 ** 64 - 2 ** 47;

const enum Access {
  Read = 0,
  Write = 1,
  Exec = 2,
}

const VERB = ["read from", "write to", "execute from"] as const;

/** Default cap on mapped guest memory. */
export const DEFAULT_MEMORY_LIMIT = 1024 * 1024 * 1024;

class Page {
  data: Uint8Array | null = null;
  view: DataView | null = null;
  /** Decoded instructions were taken from this page. */
  code = false;
  constructor(
    public perm: number,
    public area: Area,
  ) {}
}

/** A mapped range of pages with one permission and name. */
interface Area {
  /** First page number. */
  start: number;
  /** Page number after the last. */
  end: number;
  perm: number;
  name: string;
}

/** A mapped range as reported by `Memory.regions()`. */
export interface MemoryRegion {
  start: number;
  end: number;
  perm: number;
  name: string;
}

/**
 * Page storage comes from the process's arena (arena.ts), whose page 0 is the page of zeros, and
 * the TLB (`tlb`) gives each page's offset in it, so translated code reaches any page through the
 * arena's one typed array. When the arena is full, or this memory holds its `arenaBytes` cap,
 * storage comes from buffers of CHUNK_PAGES pages, whose pages never enter `tlb`: every access to
 * them takes the slow path. The storage of unmapped pages is reused (arena pages given back to the
 * arena, and all of them when the memory is garbage-collected), so the storage held never exceeds
 * the most pages written at once.
 */
const CHUNK_PAGES = 256;
/** Gives a collected memory's arena pages back. */
const arenaPagesBack = new FinalizationRegistry<{ arena: Arena; offsets: Set<number> }>(
  ({ arena, offsets }) => {
    for (const off of offsets) arena.give(off);
  },
);
/** Int32 words per TLB entry in `tlb`: read tag low, high, write tag low, high, read offset, -, write offset, -. */
export const TLB_WORDS = 8;
/** A tag's low word that no page has (page bases have their low 12 bits clear): an empty entry. */
const NO_TAG = 1;

const ZERO_BYTES = new Uint8Array(PAGE_SIZE);

export interface MemoryOptions {
  /** Cap on mapped bytes (default 1 GiB). */
  limitBytes?: number;
  /**
   * Cap on the storage this memory takes from the arena (default: none but the arena's size).
   * Storage written past it comes from separate buffers and always takes the slow path.
   */
  arenaBytes?: number;
}

export class Memory implements GuestMemory {
  readonly limitBytes: number;
  private mapped = 0;
  private readonly areas: Area[] = [];
  private readonly pages = new Map<number, Page>();
  /** Page storage (arena.ts), and views of the whole of it. */
  private readonly arena = sharedArena();
  readonly arenaView = this.arena.view;
  readonly arena32 = this.arena.i32;
  private readonly zeroView = this.arena.zeroView;
  /** Offsets of the arena pages this memory holds, and how many it may hold. */
  private readonly arenaHeld = new Set<number>();
  private readonly arenaCap: number;
  /**
   * The TLBs: entry i (page number & TLB_MASK) holds the page's base address (or -1) and its
   * storage, for this class's methods. `tlb` keeps the same entries for translated code
   * (translate.ts), TLB_WORDS int32 words each from TLB_WORDS * i: the read tag's low and high
   * words, the write tag's, then the read storage's offset in the arena (word 4) and the write
   * storage's (word 6). A tag's low word is NO_TAG when the entry is empty or the page's storage
   * is not in the arena, so translated code checks an address held as two int32 words without
   * floating-point arithmetic, and only arena pages take its fast path. Read-only for everyone but
   * this class; entries change only through setR/setW and flushTlb.
   */
  readonly rTag = new Float64Array(TLB_SIZE).fill(-1);
  readonly rView: DataView[];
  readonly wTag = new Float64Array(TLB_SIZE).fill(-1);
  readonly wView: DataView[];
  readonly tlb = new Int32Array(TLB_SIZE * TLB_WORDS);
  /** Staging words for slow-path stores. */
  private readonly sw = new Int32Array(4);
  private readonly swBytes = new Uint8Array(this.sw.buffer);
  private hook: ((address: number, size: number) => void) | null = null;
  /** The buffer storage past the arena is taken from, and how many of its pages are handed out. */
  private chunk = new ArrayBuffer(0);
  private chunkUsed = CHUNK_PAGES;
  /** Storage past the arena of unmapped pages, to be zeroed and reused. */
  private readonly freeData: Uint8Array[] = [];
  private readonly freeViews: DataView[] = [];
  /**
   * Called before bytes [start, end) of page `page` change (or the whole page, for unmap and
   * protect) while it holds decoded code. The decode cache drops the blocks that overlap and
   * returns whether the page still holds code; if not, its code flag is cleared.
   */
  codeListener: ((page: number, start: number, end: number) => boolean) | null = null;

  constructor(options: MemoryOptions = {}) {
    this.limitBytes = options.limitBytes ?? DEFAULT_MEMORY_LIMIT;
    this.arenaCap = Math.floor((options.arenaBytes ?? Infinity) / PAGE_SIZE);
    arenaPagesBack.register(this, { arena: this.arena, offsets: this.arenaHeld });
    this.rView = new Array<DataView>(TLB_SIZE).fill(this.zeroView);
    this.wView = new Array<DataView>(TLB_SIZE).fill(this.zeroView);
    this.clearTlb(true, true);
  }

  get mappedBytes(): number {
    return this.mapped;
  }

  /** Pages of storage this memory holds in the arena. */
  get arenaPages(): number {
    return this.arenaHeld.size;
  }

  // ---------------------------------------------------------------- hot path (CPU accesses)

  load8(a: number): number {
    const off = a & PAGE_MASK;
    const i = (a >>> PAGE_SHIFT) & TLB_MASK;
    if (this.rTag[i] === a - off) return this.rView[i].getUint8(off);
    return this.readView(a).getUint8(off);
  }

  load16(a: number): number {
    const off = a & PAGE_MASK;
    const i = (a >>> PAGE_SHIFT) & TLB_MASK;
    if (this.rTag[i] === a - off && off <= PAGE_SIZE - 2) return this.rView[i].getUint16(off, true);
    if (off > PAGE_SIZE - 2) return this.load8(a) | (this.load8(a + 1) << 8);
    return this.readView(a).getUint16(off, true);
  }

  /** A 32-bit load, as a signed int32. */
  load32(a: number): number {
    const off = a & PAGE_MASK;
    const i = (a >>> PAGE_SHIFT) & TLB_MASK;
    if (this.rTag[i] === a - off && off <= PAGE_SIZE - 4) return this.rView[i].getInt32(off, true);
    if (off > PAGE_SIZE - 4) {
      return this.load8(a) | (this.load8(a + 1) << 8) | (this.load8(a + 2) << 16) | (this.load8(a + 3) << 24);
    }
    return this.readView(a).getInt32(off, true);
  }

  /** High word of the last load64. */
  readonly hi = new Int32Array(1);

  /** A 64-bit load: returns the low word, `hi[0]` receives the high word. */
  load64(a: number): number {
    const off = a & PAGE_MASK;
    const i = (a >>> PAGE_SHIFT) & TLB_MASK;
    if (this.rTag[i] === a - off && off <= PAGE_SIZE - 8) {
      const v = this.rView[i];
      this.hi[0] = v.getInt32(off + 4, true);
      return v.getInt32(off, true);
    }
    const lo = this.load32(a);
    this.hi[0] = this.load32(a + 4);
    return lo;
  }

  store8(a: number, v: number): void {
    const off = a & PAGE_MASK;
    const i = (a >>> PAGE_SHIFT) & TLB_MASK;
    if (this.wTag[i] === a - off) {
      this.wView[i].setUint8(off, v);
      return;
    }
    this.sw[0] = v;
    this.storeSlow(a, 1);
  }

  store16(a: number, v: number): void {
    const off = a & PAGE_MASK;
    const i = (a >>> PAGE_SHIFT) & TLB_MASK;
    if (this.wTag[i] === a - off && off <= PAGE_SIZE - 2) {
      this.wView[i].setUint16(off, v, true);
      return;
    }
    this.sw[0] = v;
    this.storeSlow(a, 2);
  }

  store32(a: number, v: number): void {
    const off = a & PAGE_MASK;
    const i = (a >>> PAGE_SHIFT) & TLB_MASK;
    if (this.wTag[i] === a - off && off <= PAGE_SIZE - 4) {
      this.wView[i].setInt32(off, v, true);
      return;
    }
    this.sw[0] = v;
    this.storeSlow(a, 4);
  }

  /** A 64-bit store of lo | hi << 32; all or nothing. */
  store64(a: number, lo: number, hi: number): void {
    const off = a & PAGE_MASK;
    const i = (a >>> PAGE_SHIFT) & TLB_MASK;
    if (this.wTag[i] === a - off && off <= PAGE_SIZE - 8) {
      const v = this.wView[i];
      v.setInt32(off, lo, true);
      v.setInt32(off + 4, hi, true);
      return;
    }
    this.sw[0] = lo;
    this.sw[1] = hi;
    this.storeSlow(a, 8);
  }

  /** A 128-bit store of four little-endian words; all or nothing. */
  store128(a: number, w0: number, w1: number, w2: number, w3: number): void {
    const off = a & PAGE_MASK;
    const i = (a >>> PAGE_SHIFT) & TLB_MASK;
    if (this.wTag[i] === a - off && off <= PAGE_SIZE - 16) {
      const v = this.wView[i];
      v.setInt32(off, w0, true);
      v.setInt32(off + 4, w1, true);
      v.setInt32(off + 8, w2, true);
      v.setInt32(off + 12, w3, true);
      return;
    }
    const sw = this.sw;
    sw[0] = w0;
    sw[1] = w1;
    sw[2] = w2;
    sw[3] = w3;
    this.storeSlow(a, 16);
  }

  /** Checks that [a, a+size) may be written by the CPU (for instructions that must not fault half-way). */
  probeWrite(a: number, size: number): void {
    this.writablePage(a);
    const last = a + size - 1;
    if (last - (last & PAGE_MASK) !== a - (a & PAGE_MASK)) this.writablePage(last - (last & PAGE_MASK));
  }

  // ---------------------------------------------------------------- bulk access (rep movs / rep stos)

  /** Offset and length of the span returned by readSpan/writeSpan. */
  spanOff = 0;
  spanLen = 0;

  /**
   * The bytes of the page holding `a` for reading up to `len` bytes from `a` (clipped to the page):
   * returns the page storage (or a page of zeros) and sets spanOff/spanLen. Throws the read fault.
   */
  readSpan(a: number, len: number): Uint8Array {
    const page = this.translate(a, Access.Read);
    const off = a & PAGE_MASK;
    this.spanOff = off;
    this.spanLen = Math.min(len, PAGE_SIZE - off);
    return page.data ?? ZERO_BYTES;
  }

  /**
   * Like readSpan for writing: checks permission, invalidates decoded code in the span and calls
   * the write hook for it, allocates the page. Throws the write fault.
   */
  writeSpan(a: number, len: number): Uint8Array {
    const page = this.translate(a, Access.Write);
    const off = a & PAGE_MASK;
    const n = Math.min(len, PAGE_SIZE - off);
    this.spanOff = off;
    this.spanLen = n;
    const pn = (a - off) / PAGE_SIZE;
    if (page.code) this.dropCode(pn, page, a, a + n);
    if (this.hook !== null) this.hook(a, n);
    return this.storage(page, a);
  }

  // ---------------------------------------------------------------- slow paths

  /** Sets read-TLB entry i to the page at `base` (-1: empty) whose storage is `view`. */
  private setR(i: number, base: number, view: DataView): void {
    this.rTag[i] = base;
    this.rView[i] = view;
    this.setTags(TLB_WORDS * i, base, view);
  }

  private setW(i: number, base: number, view: DataView): void {
    this.wTag[i] = base;
    this.wView[i] = view;
    this.setTags(TLB_WORDS * i + 2, base, view);
  }

  /** Empties every entry of the read TLB, the write TLB or both (what setR/setW(i, -1) do to one). */
  private clearTlb(read: boolean, write: boolean): void {
    const t = this.tlb;
    if (read) {
      this.rTag.fill(-1);
      this.rView.fill(this.zeroView);
    }
    if (write) {
      this.wTag.fill(-1);
      this.wView.fill(this.zeroView);
    }
    for (let k = 0; k < t.length; k += TLB_WORDS) {
      if (read) {
        t[k] = NO_TAG;
        t[k + 1] = 0;
        t[k + 4] = 0;
      }
      if (write) {
        t[k + 2] = NO_TAG;
        t[k + 3] = 0;
        t[k + 6] = 0;
      }
    }
  }

  /** The int32 words of a tag at tlb[k], tlb[k + 1], and the storage's arena offset at tlb[k + 4]. */
  private setTags(k: number, base: number, view: DataView): void {
    const t = this.tlb;
    const inArena = base >= 0 && view.buffer === this.arena.buffer;
    t[k] = inArena ? base | 0 : NO_TAG;
    t[k + 1] = inArena ? Math.floor(base / 4294967296) : 0;
    t[k + 4] = inArena ? view.byteOffset : 0;
  }

  private readView(a: number): DataView {
    const page = this.translate(a, Access.Read);
    const base = a - (a & PAGE_MASK);
    const view = page.view ?? this.zeroView;
    if (FILL_BOTH && page.view !== null) {
      this.enter(base, page);
      return view;
    }
    this.setR((a >>> PAGE_SHIFT) & TLB_MASK, base, view);
    return view;
  }

  /**
   * Enters an allocated page in the read TLB and, when stores may go straight to it (writable, no
   * decoded code, no write hook), in the write TLB: a miss on either side fills both, so that a
   * page just written is not missed again when read, and the other way round.
   */
  private enter(base: number, page: Page): void {
    const i = (base / PAGE_SIZE) & TLB_MASK;
    const view = page.view!;
    this.setR(i, base, view);
    if ((page.perm & Perm.write) !== 0 && !page.code && this.hook === null) this.setW(i, base, view);
  }

  private writablePage(a: number): Page {
    return this.translate(a, Access.Write);
  }

  /** Stores `size` bytes from `this.sw` at `a`, checking every page first. */
  private storeSlow(a: number, size: number): void {
    const first = this.writablePage(a);
    const off = a & PAGE_MASK;
    const fits = off + size <= PAGE_SIZE;
    const second = fits ? null : this.writablePage(a + (PAGE_SIZE - off));
    const pn = (a - off) / PAGE_SIZE;
    if (first.code) this.dropCode(pn, first, a, a + size);
    if (second !== null && second.code) this.dropCode(pn + 1, second, a, a + size);
    if (this.hook !== null) this.hook(a, size);
    const b = this.swBytes;
    if (fits) {
      const data = this.storage(first, a);
      for (let k = 0; k < size; k++) data[off + k] = b[k];
      if (FILL_BOTH) this.enter(a - off, first);
      else if (this.hook === null && !first.code) {
        this.setW((a >>> PAGE_SHIFT) & TLB_MASK, a - off, first.view!);
      }
      return;
    }
    const d1 = this.storage(first, a);
    const d2 = this.storage(second!, a + (PAGE_SIZE - off));
    for (let k = 0; k < size; k++) {
      const o = off + k;
      if (o < PAGE_SIZE) d1[o] = b[k];
      else d2[o - PAGE_SIZE] = b[k];
    }
  }

  /** The page's storage, allocated on first write. */
  private storage(page: Page, a: number): Uint8Array {
    if (page.data === null) {
      const at = this.arenaHeld.size < this.arenaCap ? this.arena.take() : -1;
      const reused = at < 0 ? this.freeData.pop() : undefined;
      if (at >= 0) {
        this.arenaHeld.add(at);
        page.data = new Uint8Array(this.arena.buffer, at, PAGE_SIZE);
        page.view = new DataView(this.arena.buffer, at, PAGE_SIZE);
      } else if (reused !== undefined) {
        page.data = reused.fill(0);
        page.view = this.freeViews.pop()!;
      } else {
        if (this.chunkUsed === CHUNK_PAGES) {
          this.chunk = new ArrayBuffer(CHUNK_PAGES * PAGE_SIZE);
          this.chunkUsed = 0;
        }
        const at = this.chunkUsed++ * PAGE_SIZE;
        page.data = new Uint8Array(this.chunk, at, PAGE_SIZE);
        page.view = new DataView(this.chunk, at, PAGE_SIZE);
      }
      const i = (a >>> PAGE_SHIFT) & TLB_MASK;
      if (this.rTag[i] === a - (a & PAGE_MASK)) this.setR(i, -1, this.zeroView);
    }
    return page.data;
  }

  /** Invalidates decoded code overlapping [start, end) of page pn (default: the whole page). */
  private dropCode(pn: number, page: Page, start = pn * PAGE_SIZE, end = (pn + 1) * PAGE_SIZE): void {
    page.code = this.codeListener !== null && this.codeListener(pn, start, end);
  }

  /** The page holding `a`, checked for `access`; throws the guest fault otherwise. */
  private translate(a: number, access: Access): Page {
    if (!(a >= 0 && a < USER_TOP && a === Math.floor(a))) throw badAddress(a, access);
    const pn = (a - (a & PAGE_MASK)) / PAGE_SIZE;
    const page = this.pageAt(pn);
    if (page === undefined) {
      throw new GuestFaultError("SIGSEGV", `${VERB[access]} unmapped address ${hex(a)}`, a);
    }
    const perm = page.perm;
    if (access === Access.Read) {
      if (perm === Perm.none) {
        throw new GuestFaultError("SIGSEGV", `read from inaccessible (PROT_NONE) page at ${hex(a)}`, a);
      }
    } else if (access === Access.Write) {
      if ((perm & Perm.write) === 0) {
        const why = perm === Perm.none ? "inaccessible (PROT_NONE) page" : "read-only page";
        throw new GuestFaultError("SIGSEGV", `write to ${why} at ${hex(a)}`, a);
      }
    } else if ((perm & Perm.exec) === 0) {
      throw new GuestFaultError("SIGSEGV", `execute from non-executable page at ${hex(a)}`, a);
    }
    return page;
  }

  /** The Page object for a mapped page number, created on first touch. */
  private pageAt(pn: number): Page | undefined {
    const p = this.pages.get(pn);
    if (p !== undefined) return p;
    const area = this.areaAt(pn);
    if (area === undefined) return undefined;
    const page = new Page(area.perm, area);
    this.pages.set(pn, page);
    return page;
  }

  private areaIndex(pn: number): number {
    const areas = this.areas;
    let lo = 0;
    let hi = areas.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (areas[mid].end <= pn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private areaAt(pn: number): Area | undefined {
    const i = this.areaIndex(pn);
    const a = this.areas[i];
    return a !== undefined && a.start <= pn ? a : undefined;
  }

  /** Drops the TLB entries of pages [start, end) (all entries when the range is larger than the TLB). */
  private flushTlb(start: number, end: number): void {
    if (end - start >= TLB_SIZE) {
      this.clearTlb(true, true);
      return;
    }
    for (let pn = start; pn < end; pn++) {
      const i = pn & TLB_MASK;
      const base = pn * PAGE_SIZE;
      if (this.rTag[i] === base) this.setR(i, -1, this.zeroView);
      if (this.wTag[i] === base) this.setW(i, -1, this.zeroView);
    }
  }

  // ---------------------------------------------------------------- instruction fetch (decode cache)

  /**
   * Bytes for the decoder starting at `ip`: up to the end of its page plus up to 15 bytes of the
   * next page if that one is executable, at most `max` bytes. Throws the execute fault if `ip`
   * itself cannot be fetched. `stop` is the address where fetching stopped because the next page
   * is not executable, or -1.
   */
  fetch(ip: number, max: number): { bytes: Uint8Array; stop: number } {
    const page = this.translate(ip, Access.Exec);
    const off = ip & PAGE_MASK;
    const inPage = Math.min(PAGE_SIZE - off, max);
    const out = new Uint8Array(Math.min(max, PAGE_SIZE - off + 15));
    if (page.data !== null) out.set(page.data.subarray(off, off + inPage));
    let stop = -1;
    if (out.length > inPage) {
      const next = ip - off + PAGE_SIZE;
      const np = next < USER_TOP ? this.pageAt(next / PAGE_SIZE) : undefined;
      if (np !== undefined && (np.perm & Perm.exec) !== 0) {
        if (np.data !== null) out.set(np.data.subarray(0, out.length - inPage), inPage);
      } else {
        stop = next;
        return { bytes: out.subarray(0, inPage), stop };
      }
    }
    return { bytes: out, stop };
  }

  /** Marks a page as holding decoded code: writes to it go through the slow path. */
  markCode(pn: number): void {
    const page = this.pageAt(pn);
    if (page === undefined || page.code) return;
    page.code = true;
    const i = pn & TLB_MASK;
    if (this.wTag[i] === pn * PAGE_SIZE) this.setW(i, -1, this.zeroView);
  }

  /** Installs (or removes, with null) a function called before every write, CPU or kernel. */
  setWriteHook(hook: ((address: number, size: number) => void) | null): void {
    this.hook = hook;
    this.clearTlb(false, true);
  }

  // ---------------------------------------------------------------- mapping (loader, kernel)

  map(address: number, size: number, perm: number, name = ""): void {
    const [start, end] = this.pageRange(address, size, "map");
    const areas = this.areas;
    let already = 0;
    for (let k = this.areaIndex(start); k < areas.length && areas[k].start < end; k++) {
      already += Math.min(areas[k].end, end) - Math.max(areas[k].start, start);
    }
    const added = (end - start - already) * PAGE_SIZE;
    if (this.mapped + added > this.limitBytes) {
      throw new MemoryLimitError(size, this.mapped, this.limitBytes);
    }
    this.removeRange(start, end);
    this.mapped += (end - start) * PAGE_SIZE;
    this.flushTlb(start, end);
    // A mapping that extends its neighbour (brk growth, consecutive mmaps) joins it, as Linux
    // merges VMAs: a program growing its heap a page at a time keeps one area, not thousands.
    let i = this.areaIndex(start);
    const prev = areas[i - 1];
    const next = areas[i];
    const joins = (a: Area | undefined): a is Area => a !== undefined && a.perm === perm && a.name === name;
    if (joins(prev) && prev.end === start) {
      prev.end = end;
      i--;
    } else {
      areas.splice(i, 0, { start, end, perm, name });
    }
    if (joins(next) && next.start === end) {
      areas[i].end = next.end;
      areas.splice(i + 1, 1);
    }
  }

  unmap(address: number, size: number): void {
    const [start, end] = this.pageRange(address, size, "unmap");
    this.removeRange(start, end);
    this.flushTlb(start, end);
  }

  protect(address: number, size: number, perm: number): void {
    const [start, end] = this.pageRange(address, size, "protect");
    this.splitAt(start);
    this.splitAt(end);
    for (const a of this.areas) {
      if (a.start >= start && a.end <= end) a.perm = perm;
    }
    this.forTouchedPages(start, end, (pn, page) => {
      if (page.code && (perm & Perm.exec) === 0) this.dropCode(pn, page);
      page.perm = perm;
      page.area = this.areaAt(pn)!;
    });
    this.flushTlb(start, end);
  }

  isMapped(address: number, size: number): boolean {
    if (!(address >= 0 && size >= 0 && address + size <= USER_TOP)) return false;
    if (size === 0) return true;
    let pn = Math.floor(address / PAGE_SIZE);
    const end = Math.ceil((address + size) / PAGE_SIZE);
    while (pn < end) {
      const a = this.areaAt(pn);
      if (a === undefined) return false;
      pn = a.end;
    }
    return true;
  }

  /** A free page-aligned range of `size` bytes at or above `hint`, or -1 if there is none. */
  findFree(size: number, hint: number): number {
    const pages = Math.ceil(size / PAGE_SIZE);
    let pn = Math.max(Math.ceil(Math.max(hint, PAGE_SIZE * 16) / PAGE_SIZE), 16);
    for (const a of this.areas) {
      if (a.end <= pn) continue;
      if (a.start >= pn + pages) break;
      pn = a.end;
    }
    return pn + pages <= USER_TOP_PAGE ? pn * PAGE_SIZE : -1;
  }

  /** The mapped areas, in address order (addresses, not page numbers). */
  regions(): MemoryRegion[] {
    return this.areas.map((a) => ({
      start: a.start * PAGE_SIZE,
      end: a.end * PAGE_SIZE,
      perm: a.perm,
      name: a.name,
    }));
  }

  /** Permissions of the page holding `address`, or undefined if unmapped. */
  permAt(address: number): number | undefined {
    if (!(address >= 0 && address < USER_TOP)) return undefined;
    return this.areaAt(Math.floor(address / PAGE_SIZE))?.perm;
  }

  private pageRange(address: number, size: number, what: string): [number, number] {
    if (!Number.isInteger(address) || !Number.isInteger(size) || address % PAGE_SIZE !== 0) {
      throw new RangeError(`${what}: address ${hex(address)} and size ${size} must be page-aligned integers`);
    }
    if (size <= 0 || size % PAGE_SIZE !== 0) {
      throw new RangeError(`${what}: size ${size} must be a positive multiple of ${PAGE_SIZE}`);
    }
    if (address < 0 || address + size > USER_TOP) {
      throw new RangeError(`${what}: [${hex(address)}, ${hex(address + size)}) is outside user space`);
    }
    return [address / PAGE_SIZE, (address + size) / PAGE_SIZE];
  }

  /** Splits the area containing page `pn` so that an area starts at `pn`. */
  private splitAt(pn: number): void {
    const i = this.areaIndex(pn);
    const a = this.areas[i];
    if (a === undefined || a.start >= pn) return;
    const tail: Area = { start: pn, end: a.end, perm: a.perm, name: a.name };
    a.end = pn;
    this.areas.splice(i + 1, 0, tail);
  }

  private removeRange(start: number, end: number): void {
    this.splitAt(start);
    this.splitAt(end);
    const i = this.areaIndex(start);
    let j = i;
    while (j < this.areas.length && this.areas[j].end <= end) {
      this.mapped -= (this.areas[j].end - this.areas[j].start) * PAGE_SIZE;
      j++;
    }
    this.areas.splice(i, j - i);
    this.forTouchedPages(start, end, (pn, page) => {
      if (page.code) this.dropCode(pn, page);
      this.pages.delete(pn);
      if (page.data !== null) {
        const off = page.data.byteOffset;
        if (page.data.buffer === this.arena.buffer) {
          this.arenaHeld.delete(off);
          this.arena.give(off);
        } else {
          this.freeData.push(page.data);
          this.freeViews.push(page.view!);
        }
      }
    });
  }

  private forTouchedPages(start: number, end: number, f: (pn: number, page: Page) => void): void {
    if (end - start <= this.pages.size) {
      for (let pn = start; pn < end; pn++) {
        const p = this.pages.get(pn);
        if (p !== undefined) f(pn, p);
      }
    } else {
      for (const [pn, p] of [...this.pages]) if (pn >= start && pn < end) f(pn, p);
    }
  }

  // ---------------------------------------------------------------- kernel / loader access

  /** The page for kernel access: permissions ignored, unmapped pages fault. */
  private kernelPage(a: number, write: boolean): Page {
    if (!(a >= 0 && a < USER_TOP && a === Math.floor(a)))
      throw badAddress(a, write ? Access.Write : Access.Read);
    const page = this.pageAt((a - (a & PAGE_MASK)) / PAGE_SIZE);
    if (page === undefined) {
      throw new GuestFaultError(
        "SIGSEGV",
        `${write ? "write to" : "read from"} unmapped address ${hex(a)}`,
        a,
      );
    }
    return page;
  }

  readBytes(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const a = address + done;
      const page = this.kernelPage(a, false);
      const off = a & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, length - done);
      if (page.data !== null) out.set(page.data.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  writeBytes(address: number, data: Uint8Array): void {
    const length = data.length;
    if (length === 0) return;
    for (let a = address - (address & PAGE_MASK); a < address + length; a += PAGE_SIZE) {
      this.kernelPage(Math.max(a, address), true);
    }
    for (let a = address - (address & PAGE_MASK); a < address + length; a += PAGE_SIZE) {
      const page = this.kernelPage(Math.max(a, address), true);
      if (page.code) this.dropCode(a / PAGE_SIZE, page, address, address + length);
    }
    if (this.hook !== null) this.hook(address, length);
    let done = 0;
    while (done < length) {
      const a = address + done;
      const page = this.kernelPage(a, true);
      const off = a & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, length - done);
      this.storage(page, a).set(data.subarray(done, done + n), off);
      done += n;
    }
  }

  read64(address: number): bigint {
    const b = this.readBytes(address, 8);
    return new DataView(b.buffer).getBigUint64(0, true);
  }

  write64(address: number, value: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    this.writeBytes(address, b);
  }

  /** Unsigned 32-bit read. */
  read32(address: number): number {
    const b = this.readBytes(address, 4);
    return new DataView(b.buffer).getUint32(0, true);
  }

  read8(address: number): number {
    const page = this.kernelPage(address, false);
    return page.data === null ? 0 : page.data[address & PAGE_MASK];
  }

  /** Bytes up to (not including) the first NUL, reading at most `maxLength` bytes. */
  readCString(address: number, maxLength: number): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < maxLength; i++) {
      const c = this.read8(address + i);
      if (c === 0) break;
      out.push(c);
    }
    return Uint8Array.from(out);
  }
}

/** The fault for an address outside user space: non-canonical (#GP) or kernel half (#PF). */
function badAddress(a: number, access: Access): GuestFaultError {
  if (Number.isNaN(a) || !Number.isFinite(a)) {
    return new GuestFaultError("SIGSEGV", `${VERB[access]} invalid address ${String(a)}`);
  }
  const u = a < 0 ? a + 2 ** 64 : a;
  if (u >= KERNEL_BOTTOM)
    return new GuestFaultError("SIGSEGV", `${VERB[access]} kernel address ${hex(a)}`, u);
  const e = new GuestFaultError("SIGSEGV", `${VERB[access]} non-canonical address ${hex(a)} (#GP)`);
  e.nonCanonical = true;
  return e;
}
