/**
 * The machine's shadow call stack, as a CPU with Intel CET keeps one: every `call` pushes a frame,
 * every `ret` pops the frame it returns to. It gives exact backtraces whatever the code does with
 * rbp (a fault report's backtrace), and costs a few stores per call: translated code (translate.ts)
 * pushes and pops inline, in the `frames` array and the `depth` word, and calls `push`/`pop` only
 * when that is not the simple case (the array is full and must grow, the frame returned to is not
 * the top one).
 *
 * Unlike CET, a `ret` that does not return to the top frame is not a fault: it pops down to the
 * frame it returns to (a longjmp, a tail call through a trampoline), or pops nothing if none
 * matches. Past MAX_FRAMES frames (deep recursion), calls are only counted, and the returns that
 * match them uncounted first.
 */
export interface StackFrame {
  /** The call instruction. */
  callSite: number;
  /** Where the callee started. */
  target: number;
  returnAddress: number;
}

/** Frames kept; deeper calls are counted only. */
export const MAX_FRAMES = 100_000;
/** Numbers per frame in `frames`: call site, target, return address. */
export const FRAME_WORDS = 3;
/** Frames there is room for at first. */
const INITIAL_FRAMES = 256;

export class ShadowStack {
  /** Frame k at FRAME_WORDS * k: call site, target, return address. Grows by doubling. */
  frames = new Float64Array(INITIAL_FRAMES * FRAME_WORDS);
  /** Frames `frames` has room for. */
  room = INITIAL_FRAMES;
  /** depth[0]: frames in use. */
  readonly depth = new Int32Array(1);
  /** Calls past MAX_FRAMES not yet returned from. */
  private dropped = 0;

  /** Pushes the frame of a call (translated code does the same inline below MAX_FRAMES). */
  push(callSite: number, target: number, returnAddress: number): void {
    const n = this.depth[0];
    if (n >= MAX_FRAMES) {
      this.dropped++;
      return;
    }
    if (n >= this.room) {
      this.room = Math.min(2 * this.room, MAX_FRAMES);
      const frames = new Float64Array(this.room * FRAME_WORDS);
      frames.set(this.frames);
      this.frames = frames;
    }
    const k = FRAME_WORDS * n;
    this.frames[k] = callSite;
    this.frames[k + 1] = target;
    this.frames[k + 2] = returnAddress;
    this.depth[0] = n + 1;
  }

  /** Pops down to the frame whose return address is `target` (translated code pops the top one inline). */
  pop(target: number): void {
    if (this.dropped > 0) {
      this.dropped--;
      return;
    }
    const f = this.frames;
    let i = this.depth[0] - 1;
    while (i >= 0 && f[FRAME_WORDS * i + 2] !== target) i--;
    if (i >= 0) this.depth[0] = i;
  }

  /** Forgets every frame (a new run from a fresh entry point). */
  clear(): void {
    this.depth[0] = 0;
    this.dropped = 0;
  }

  /** The frames, outermost first. */
  get list(): StackFrame[] {
    const out: StackFrame[] = [];
    const f = this.frames;
    for (let i = 0; i < this.depth[0]; i++) {
      const k = FRAME_WORDS * i;
      out.push({ callSite: f[k], target: f[k + 1], returnAddress: f[k + 2] });
    }
    return out;
  }

  /** Calls not returned from, counted ones included. */
  get size(): number {
    return this.depth[0] + this.dropped;
  }
}
