/**
 * The stepper's history: what it takes to go back.
 *
 * - A `step` record undoes one instruction exactly: the CPU state before it (saveState), the old
 *   bytes of every memory write (recorded by an onMemoryWrite observer), for a syscall the
 *   mappings and pages it may unmap, the sandbox files it may change and the kernel's state.
 * - A `span` record stands for many instructions run at full speed (continue, next, finish) or for
 *   old step records merged together: it can restore the state at its start (a whole-memory
 *   checkpoint, or the merged undo logs), and reverse-stepping into it restores that state and
 *   re-executes all but the last instruction (the emulator and the sandboxed kernel are
 *   deterministic), recording the tail instruction by instruction again.
 *
 * Records also keep the session's own state at their start (output length, syscall log length,
 * call stack, descriptors), which is immutable or append-only and so costs a reference each.
 */
import type { CheckerSnapshot } from "../abi/checker.js";
import type { Machine, MachineState } from "../emulator/index.js";
import type { CallState } from "./call-tracker.js";
import { restoreExtras, type MachineExtras } from "./internals.js";
import { restoreMemory, type MemorySnapshot } from "./memory-snapshot.js";
import { undoFiles, type FileState, type FileUndo } from "./sandbox-files.js";

/** The session's state that records restore. */
export interface Mark {
  outputLength: number;
  syscallLength: number;
  calls: CallState;
  files: FileState;
  checker: CheckerSnapshot;
}

interface Base {
  cpu: MachineState;
  extras: MachineExtras;
  mark: Mark;
  files: FileUndo[];
  /** Kernel state before the first syscall of the record, if the kernel can save it. */
  kernel?: unknown;
}

export interface StepRecord extends Base {
  kind: "step";
  /** Address and old bytes of every write, in order. */
  writes: { address: number; bytes: Uint8Array }[];
  /** Mappings and pages saved before syscalls that may unmap, in order. */
  ranges: MemorySnapshot[];
}

export interface SpanRecord extends Base {
  kind: "span";
  /** Instructions executed in the span. */
  steps: number;
  /** A checkpoint of all memory at the start... */
  memory?: MemorySnapshot;
  /** ...or merged step records to undo, oldest first. */
  merged?: StepRecord[];
}

export type HistoryRecord = StepRecord | SpanRecord;

export interface KernelState {
  save(): unknown;
  restore(state: unknown): void;
}

/** Approximate bytes a record holds (for the history's memory budget). */
export function recordBytes(r: HistoryRecord): number {
  let n = 700 + r.files.reduce((s, f) => s + (f.kind === "file" ? (f.content?.length ?? 0) : 0), 0);
  if (r.kind === "step") {
    for (const w of r.writes) n += 64 + w.bytes.length;
    for (const m of r.ranges) n += m.ownBytes;
  } else {
    n += r.memory?.ownBytes ?? 0;
    for (const s of r.merged ?? []) n += recordBytes(s) - 500;
  }
  return n;
}

/** Undo one record's memory, files and kernel, then put the CPU back. */
export function undoRecord(machine: Machine, r: HistoryRecord, kernel: KernelState | undefined): void {
  if (r.kind === "step") undoStepMemory(machine, r);
  else if (r.memory) restoreMemory(machine.memory, r.memory);
  else for (let i = (r.merged ?? []).length - 1; i >= 0; i--) undoStepMemory(machine, r.merged![i]);
  if (r.kind === "span" && r.merged)
    for (let i = r.merged.length - 1; i >= 0; i--) undoFiles(r.merged[i].files);
  undoFiles(r.files);
  if (r.kernel !== undefined && kernel) kernel.restore(r.kernel);
  machine.restoreState(r.cpu);
  restoreExtras(machine, r.extras);
}

function undoStepMemory(machine: Machine, r: StepRecord): void {
  const memory = machine.memory;
  for (let i = r.writes.length - 1; i >= 0; i--) {
    const w = r.writes[i];
    try {
      memory.writeBytes(w.address, w.bytes);
    } catch {
      // unmapped again by the same syscall: the range snapshot below puts it back
    }
  }
  for (let i = r.ranges.length - 1; i >= 0; i--) restoreMemory(memory, r.ranges[i]);
}

/** Several consecutive step records as one span (oldest first). */
export function mergeSteps(records: StepRecord[]): SpanRecord {
  const first = records[0];
  const kernel = records.find((r) => r.kernel !== undefined)?.kernel;
  return {
    kind: "span",
    steps: records.length,
    cpu: first.cpu,
    extras: first.extras,
    mark: first.mark,
    files: [],
    kernel,
    merged: records.map((r) => ({ ...r, kernel: undefined, cpu: first.cpu })),
  };
}

/**
 * The records, oldest first, with a budget: when step records exceed `maxSteps`, the oldest half
 * are merged into a span; when the bytes exceed `maxBytes`, the oldest records are dropped.
 */
export class History {
  private readonly records: HistoryRecord[] = [];
  private stepCount = 0;
  private bytes = 0;

  constructor(
    readonly maxSteps = 20_000,
    readonly maxBytes = 512 << 20,
  ) {}

  get length(): number {
    return this.records.length;
  }

  /** Instructions the history can go back. */
  get depth(): number {
    return this.records.reduce((s, r) => s + (r.kind === "step" ? 1 : r.steps), 0);
  }

  push(r: HistoryRecord): void {
    this.records.push(r);
    this.bytes += recordBytes(r);
    if (r.kind === "step") this.stepCount++;
    if (this.stepCount > this.maxSteps) this.compact();
    while (this.bytes > this.maxBytes && this.records.length > 1) {
      const old = this.records.shift()!;
      this.bytes -= recordBytes(old);
      if (old.kind === "step") this.stepCount--;
    }
  }

  pop(): HistoryRecord | undefined {
    const r = this.records.pop();
    if (r) {
      this.bytes -= recordBytes(r);
      if (r.kind === "step") this.stepCount--;
    }
    return r;
  }

  peek(): HistoryRecord | undefined {
    return this.records[this.records.length - 1];
  }

  private compact(): void {
    // The oldest run of consecutive step records, up to half of the budget.
    const want = Math.floor(this.maxSteps / 2);
    const start = this.records.findIndex((r) => r.kind === "step");
    let end = start;
    while (end < this.records.length && this.records[end].kind === "step" && end - start < want) end++;
    const run = this.records.slice(start, end) as StepRecord[];
    if (run.length < 2) return;
    const span = mergeSteps(run);
    for (const r of run) this.bytes -= recordBytes(r);
    this.bytes += recordBytes(span);
    this.records.splice(start, run.length, span);
    this.stepCount -= run.length;
  }
}
