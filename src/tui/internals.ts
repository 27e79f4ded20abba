/**
 * The two places where the stepper needs more of the emulator than its public contract gives:
 *
 * - the exit state (`machine.exit()` is sticky: reverse-stepping out of an exit must undo it)
 *   and the time-stamp counter's last value (so that `rdtsc` replays identically);
 * - the set of guest pages that hold storage (so that a checkpoint copies only touched pages,
 *   not the 64 MiB of a mostly untouched heap mapping).
 *
 * Both are read through structural casts, checked at run time, with a public-API fallback;
 * nothing here writes emulator internals except the exit state and the TSC.
 */
import type { Machine, Memory } from "../emulator/index.js";
import type { StopReason } from "../emulator/types.js";

/** Machine state outside saveState(): exit, pending stop, TSC. */
export interface MachineExtras {
  exitCode: number | null;
  pending: StopReason | null;
  lastTsc: number;
}

interface MachinePrivates {
  exitCode: number | null;
  pending: StopReason | null;
  lastTsc: number;
}

function privates(machine: Machine): MachinePrivates | undefined {
  const p = machine as unknown as Partial<MachinePrivates>;
  return "exitCode" in p && "pending" in p && "lastTsc" in p ? (p as MachinePrivates) : undefined;
}

export function saveExtras(machine: Machine): MachineExtras {
  const p = privates(machine);
  return p
    ? { exitCode: p.exitCode, pending: p.pending, lastTsc: p.lastTsc }
    : { exitCode: machine.exited, pending: null, lastTsc: 0 };
}

export function restoreExtras(machine: Machine, extras: MachineExtras): void {
  const p = privates(machine);
  if (!p) return;
  p.exitCode = extras.exitCode;
  p.pending = extras.pending;
  p.lastTsc = extras.lastTsc;
}

interface PagePrivates {
  pages: Map<number, { data: Uint8Array | null }>;
}

/** The pages that hold storage (page number → 4 KiB), or undefined if the layout is unknown. */
export function allocatedPages(memory: Memory): ReadonlyMap<number, { data: Uint8Array | null }> | undefined {
  const p = memory as unknown as Partial<PagePrivates>;
  return p.pages instanceof Map ? p.pages : undefined;
}
