/**
 * The stepper's shadow call stack. Cheap enough to stay attached during a continue over millions
 * of instructions: a call records the event and a copy of the 16 registers (an Int32Array slice),
 * a return pops to the matching frame. Nothing is decoded until the call panel asks, and then
 * `CallTracer` does the decoding, fed a machine that answers with the recorded registers.
 *
 * The state is immutable (a linked list of frames and the last event), so a history record keeps
 * it by reference and reverse-stepping puts it back for free.
 */
import { CallTracer, type ProgramView, type TraceEvent } from "../abi/call-trace.js";
import type { Machine } from "../emulator/index.js";
import {
  GP_REGISTERS,
  type CallEvent,
  type GpRegister,
  type GuestMachine,
  type MachineObserver,
  type ReturnEvent,
} from "../emulator/types.js";

export interface Frame {
  readonly call: CallEvent;
  /** Registers at the call (rax..r15, low/high words, as in Machine.r). */
  readonly regs: Regs;
  readonly steps: number;
  readonly parent: Frame | null;
  readonly depth: number;
}

/** A copy of Machine.r (a plain array: allocating typed arrays per call costs 10× more). */
export type Regs = ArrayLike<number>;

export function copyRegs(r: Int32Array): number[] {
  const out = new Array<number>(32);
  for (let i = 0; i < 32; i++) out[i] = r[i];
  return out;
}

export type LastEvent =
  | { kind: "call"; frame: Frame }
  | { kind: "return"; frame: Frame; ret: ReturnEvent; regs: Regs; steps: number };

export interface CallState {
  readonly top: Frame | null;
  /** Frames not recorded beyond the depth cap (deep recursion), still counted. */
  readonly dropped: number;
  readonly last: LastEvent | null;
}

const MAX_DEPTH = 100_000;
const EMPTY: CallState = { top: null, dropped: 0, last: null };

export class CallTracker implements MachineObserver {
  state: CallState = EMPTY;
  /** When set, the machine is halted as soon as the depth drops below it (finish, next). */
  haltBelowDepth: number | null = null;

  constructor(private readonly machine: Machine) {}

  get depth(): number {
    return (this.state.top?.depth ?? 0) + this.state.dropped;
  }

  onCall(e: CallEvent): void {
    const s = this.state;
    const top = s.top;
    if ((top?.depth ?? 0) >= MAX_DEPTH) {
      this.state = { top, dropped: s.dropped + 1, last: s.last };
      return;
    }
    const frame: Frame = {
      call: e,
      regs: copyRegs(this.machine.r),
      steps: this.machine.steps,
      parent: top,
      depth: (top?.depth ?? 0) + 1,
    };
    this.state = { top: frame, dropped: s.dropped, last: { kind: "call", frame } };
  }

  onReturn(e: ReturnEvent): void {
    const s = this.state;
    if (s.dropped > 0) {
      this.state = { top: s.top, dropped: s.dropped - 1, last: s.last };
    } else {
      let f = s.top;
      while (f && f.call.returnAddress !== e.target) f = f.parent;
      if (!f) return; // a ret that matches no call (hand-made stacks): ignore
      const regs = copyRegs(this.machine.r);
      this.state = {
        top: f.parent,
        dropped: 0,
        last: { kind: "return", frame: f, ret: e, regs, steps: this.machine.steps },
      };
    }
    if (this.haltBelowDepth !== null && this.depth < this.haltBelowDepth) this.machine.halt("return");
  }

  /** Frames from the innermost outward. */
  frames(): Frame[] {
    const out: Frame[] = [];
    for (let f = this.state.top; f; f = f.parent) out.push(f);
    return out;
  }
}

/** A read-only machine that answers with recorded registers and the live memory. */
class RecordedMachine implements GuestMachine {
  regs: Regs;
  steps: number;
  rip = 0;
  fsBase = 0n;
  gsBase = 0n;
  constructor(
    private readonly live: Machine,
    regs: Regs,
    steps: number,
  ) {
    this.regs = regs;
    this.steps = steps;
  }
  get memory() {
    return this.live.memory;
  }
  getRegister(name: GpRegister): bigint {
    const n = GP_REGISTERS.indexOf(name);
    return (BigInt(this.regs[2 * n + 1] >>> 0) << 32n) | BigInt(this.regs[2 * n] >>> 0);
  }
  setRegister(): void {}
  getFlags(): number {
    return this.live.getFlags();
  }
  getXmm(i: number): Uint8Array {
    return this.live.getXmm(i);
  }
  exit(): void {}
  halt(): void {}
}

export type CallRecord = Extract<TraceEvent, { event: "call" }>;
export type ReturnRecord = Extract<TraceEvent, { event: "return" }>;

/** The call record of a frame (decoded now, from the registers recorded at the call). */
export function describeCall(machine: Machine, view: ProgramView, frame: Frame): CallRecord {
  const m = new RecordedMachine(machine, frame.regs, frame.steps);
  let out: CallRecord | undefined;
  new CallTracer(m, view, (e) => (out = e as CallRecord), true).onCall(frame.call);
  return out!;
}

/** The call and return records of a completed call. */
export function describeReturn(
  machine: Machine,
  view: ProgramView,
  last: Extract<LastEvent, { kind: "return" }>,
): { call: CallRecord; ret: ReturnRecord } {
  const m = new RecordedMachine(machine, last.frame.regs, last.frame.steps);
  const events: TraceEvent[] = [];
  const tracer = new CallTracer(m, view, (e) => events.push(e), true);
  tracer.onCall(last.frame.call);
  m.regs = last.regs;
  m.steps = last.steps;
  tracer.onReturn(last.ret);
  return { call: events[0] as CallRecord, ret: events[1] as ReturnRecord };
}

/**
 * The record of a call about to happen (rip at a call instruction): what the callee will see.
 * `target` is the resolved destination, `next` the return address.
 */
export function previewCall(
  machine: Machine,
  view: ProgramView,
  rip: number,
  next: number,
  target: number,
): CallRecord {
  const m = new RecordedMachine(machine, copyRegs(machine.r), machine.steps);
  let out: CallRecord | undefined;
  const rsp = Number(machine.getRegister("rsp"));
  new CallTracer(m, view, (e) => (out = e as CallRecord), true).onCall({
    rip,
    returnAddress: next,
    target,
    rsp,
  });
  return out!;
}
