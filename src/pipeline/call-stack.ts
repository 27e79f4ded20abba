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
 * backtraces whatever the code does with rbp, and costs nothing between calls. Frames are kept in
 * three parallel number arrays (no object per call, no array truncation per return: a program
 * making millions of calls pays a few stores each); `frames` builds the objects when asked.
 */
export class CallStack implements MachineObserver {
  private readonly callSites: number[] = [];
  private readonly targets: number[] = [];
  private readonly returns: number[] = [];
  /** Frames in use (the arrays may be longer). */
  private n = 0;
  /** Frames beyond this depth are not kept (deep recursion), only counted. */
  private dropped = 0;
  /** onCall and onReturn look at their event only. */
  readonly eventsOnly = true;

  constructor(private readonly maxDepth = 100_000) {}

  onCall(e: CallEvent): void {
    const n = this.n;
    if (n >= this.maxDepth) {
      this.dropped++;
      return;
    }
    if (n === this.returns.length) {
      this.callSites.push(e.rip);
      this.targets.push(e.target);
      this.returns.push(e.returnAddress);
    } else {
      this.callSites[n] = e.rip;
      this.targets[n] = e.target;
      this.returns[n] = e.returnAddress;
    }
    this.n = n + 1;
  }

  onReturn(e: ReturnEvent): void {
    if (this.dropped > 0) {
      this.dropped--;
      return;
    }
    const returns = this.returns;
    const target = e.target;
    let i = this.n - 1;
    while (i >= 0 && returns[i] !== target) i--;
    if (i >= 0) this.n = i;
  }

  /** The frames, outermost first. */
  get frames(): StackFrame[] {
    const out: StackFrame[] = [];
    for (let i = 0; i < this.n; i++) {
      out.push({ callSite: this.callSites[i], target: this.targets[i], returnAddress: this.returns[i] });
    }
    return out;
  }

  get depth(): number {
    return this.n + this.dropped;
  }
}
