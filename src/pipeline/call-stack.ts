import type { CallEvent, MachineObserver, ReturnEvent } from "../emulator/types.js";

export interface StackFrame {
  /** The call instruction. */
  callSite: number;
  /** Where the callee started. */
  target: number;
  returnAddress: number;
}

/**
 * A shadow call stack: every call pushes, every matching return pops. It gives exact
 * backtraces whatever the code does with rbp, and costs nothing between calls.
 */
export class CallStack implements MachineObserver {
  readonly frames: StackFrame[] = [];
  /** Frames beyond this depth are not kept (deep recursion), only counted. */
  private dropped = 0;

  constructor(private readonly maxDepth = 100_000) {}

  onCall(e: CallEvent): void {
    if (this.frames.length >= this.maxDepth) {
      this.dropped++;
      return;
    }
    this.frames.push({ callSite: e.rip, target: e.target, returnAddress: e.returnAddress });
  }

  onReturn(e: ReturnEvent): void {
    if (this.dropped > 0) {
      this.dropped--;
      return;
    }
    let i = this.frames.length - 1;
    while (i >= 0 && this.frames[i].returnAddress !== e.target) i--;
    if (i >= 0) this.frames.length = i;
  }

  get depth(): number {
    return this.frames.length + this.dropped;
  }
}
