/**
 * The arena: one buffer that page storage is carved out of, shared by every Memory of the process.
 * A Memory's TLB gives each page's offset in it, so translated code reaches any page through one
 * typed array, which V8 embeds in the compiled code as a constant. One buffer for the whole process
 * (not one per Memory): reserving hundreds of MiB per machine made V8 collect garbage at every new
 * machine (it counts the reservation as memory in use), which made a test suite creating thousands
 * of machines ten times slower.
 *
 * The OS zero-fills the buffer lazily, so pages not handed out yet cost no resident memory. Page 0
 * is the page of zeros that unwritten pages read from; it is never handed out. A page given back
 * (unmapped, or its Memory garbage-collected) is zeroed before it is handed out again.
 */
import { PAGE_SIZE } from "./types.js";

/** Size of the arena. A Memory whose storage does not fit takes separate buffers (the slow path). */
export const ARENA_BYTES = 256 * 1024 * 1024;

export class Arena {
  readonly buffer: ArrayBuffer;
  readonly view: DataView;
  readonly i32: Int32Array;
  private readonly bytes: Uint8Array;
  /** The page of zeros (offset 0). */
  readonly zeroView: DataView;
  /** Pages handed out at least once (page 0 included). */
  private used = 1;
  /** Offsets of pages given back. */
  private readonly free: number[] = [];

  constructor(size: number) {
    this.buffer = new ArrayBuffer(size - (size % PAGE_SIZE));
    this.view = new DataView(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.bytes = new Uint8Array(this.buffer);
    this.zeroView = new DataView(this.buffer, 0, PAGE_SIZE);
  }

  /** The offset of a page of zeros for a Memory to use, or -1 when the arena is full. */
  take(): number {
    const off = this.free.pop();
    if (off !== undefined) {
      this.bytes.fill(0, off, off + PAGE_SIZE);
      return off;
    }
    if ((this.used + 1) * PAGE_SIZE > this.buffer.byteLength) return -1;
    return this.used++ * PAGE_SIZE;
  }

  /** Gives back the page at `off`, which nothing may use any more. */
  give(off: number): void {
    this.free.push(off);
  }
}

let shared: Arena | undefined;

/** The process's arena, created on first use. */
export function sharedArena(): Arena {
  return (shared ??= new Arena(ARENA_BYTES));
}
