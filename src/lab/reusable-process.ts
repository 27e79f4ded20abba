/**
 * One loaded process for many calls. Loading an image (a new machine, its pages written, its
 * instructions decoded again) costs more than a short call, and a grader makes hundreds of calls
 * of one answer. Instead, the process is loaded once, and before each call it is put back exactly
 * as it was after loading:
 *
 * - every page written since (by the CPU or the kernel: a write observer sees both) gets its
 *   loaded contents back, copied before the page's first write;
 * - the areas mapped since (mmap, brk) are unmapped;
 * - the CPU state (registers, flags, SSE and x87 state, fs/gs bases, the step count) is restored,
 *   and the observers and breakpoints added since are removed;
 * - the kernel is a new one (no file open but 0, 1, 2, the program break where loading left it).
 *
 * What cannot be put back that way makes the process be thrown away, and the next call loads a new
 * one: a call that exited, that changed the loaded areas themselves (munmap, mprotect, mremap, or
 * mmap MAP_FIXED: pages replaced without a write), or that read the time-stamp counter (which
 * counts on from the last value read, across runs).
 */
import { PAGE_SIZE, type MachineObserver } from "../emulator/types.js";
import type { Machine, MachineState, MemoryRegion } from "../emulator/index.js";
import { createKernel, type KernelSetup } from "../loader/index.js";
import type { LinuxKernel } from "../syscalls/kernel.js";

const MMAP = 9;
const MPROTECT = 10;
const MUNMAP = 11;
const MREMAP = 25;
const MAP_FIXED = 0x10;

/** Syscalls that may change or replace pages of the areas mapped at load (not only add new areas). */
function changesLoadedAreas(machine: Machine): boolean {
  const n = machine.getRegister("rax");
  if (n === BigInt(MPROTECT) || n === BigInt(MUNMAP) || n === BigInt(MREMAP)) return true;
  return n === BigInt(MMAP) && (machine.getRegister("r10") & BigInt(MAP_FIXED)) !== 0n;
}

export class ReusableProcess {
  private loaded: LoadedProcess | undefined;

  /** `load` makes a machine in the state every call starts from. */
  constructor(private readonly load: () => { machine: Machine; brk: number }) {}

  /** The process as it was after loading, with a new kernel. */
  acquire(setup: KernelSetup): { machine: Machine; kernel: LinuxKernel } {
    if (this.loaded === undefined || !this.loaded.reset()) {
      const { machine, brk } = this.load();
      this.loaded = new LoadedProcess(machine, brk);
    }
    return this.loaded.start(setup);
  }
}

/** A machine, what it held after loading, and what it has changed since. */
class LoadedProcess {
  private readonly state: MachineState;
  private readonly regions: MemoryRegion[];
  private readonly breakpoints: number[];
  private readonly translation: boolean;
  private readonly translateAfter: number;
  /** Loaded contents of the pages written since loading (page number → bytes). */
  private readonly original = new Map<number, Uint8Array>();
  /** Pages written since the last reset. */
  private readonly written = new Set<number>();
  /** Set when something happened that a reset cannot undo. */
  private spoiled = false;
  private readonly tracker: MachineObserver;

  constructor(
    private readonly machine: Machine,
    private readonly brk: number,
  ) {
    this.state = machine.saveState();
    this.regions = machine.memory.regions();
    this.breakpoints = [...machine.breakpoints];
    this.translation = machine.translation;
    this.translateAfter = machine.translateAfter;
    // Sees every write from now on, and stays across calls (adding an observer has a cost).
    this.tracker = { onMemoryWrite: (address, size) => this.onWrite(address, size) };
    machine.addObserver(this.tracker);
    // rdtsc reads a counter that goes on from the last value read, even across runs.
    const tsc = machine.tsc.bind(machine);
    machine.tsc = () => {
      this.spoiled = true;
      return tsc();
    };
  }

  /** Puts the process back as it was after loading; false when it cannot be. */
  reset(): boolean {
    const machine = this.machine;
    for (const o of [...machine.observers]) if (o !== this.tracker) machine.removeObserver(o);
    if (this.spoiled || machine.exited !== null) return false;
    const memory = machine.memory;
    for (const r of memory.regions())
      for (const [start, end] of outside(r, this.regions)) memory.unmap(start, end - start);
    if (!sameRegions(memory.regions(), this.regions)) return false;
    for (const pn of this.written) {
      const bytes = this.original.get(pn);
      if (bytes !== undefined) memory.writeBytes(pn * PAGE_SIZE, bytes);
    }
    // (These writes went through the tracker too, to pages already in the set.)
    this.written.clear();
    for (const b of [...machine.breakpoints]) if (!this.breakpoints.includes(b)) machine.removeBreakpoint(b);
    for (const b of this.breakpoints) if (!machine.breakpoints.has(b)) machine.addBreakpoint(b);
    machine.restoreState(this.state);
    machine.lastFault = null;
    machine.translation = this.translation;
    machine.translateAfter = this.translateAfter;
    return true;
  }

  /** Starts a call: a new kernel. */
  start(setup: KernelSetup): { machine: Machine; kernel: LinuxKernel } {
    const machine = this.machine;
    const kernel = createKernel(setup, this.brk);
    machine.syscallHandler = {
      handle: (m) => {
        if (changesLoadedAreas(machine)) this.spoiled = true;
        return kernel.handle(m);
      },
      nameOf: (n) => kernel.nameOf(n),
    };
    return { machine, kernel };
  }

  /** Called before every write: the first write to a loaded page keeps its loaded contents. */
  private onWrite(address: number, size: number): void {
    const last = Math.floor((address + Math.max(size, 1) - 1) / PAGE_SIZE);
    for (let pn = Math.floor(address / PAGE_SIZE); pn <= last; pn++) {
      if (this.written.has(pn)) continue;
      this.written.add(pn);
      if (!this.original.has(pn) && this.isLoaded(pn))
        this.original.set(pn, this.machine.memory.readBytes(pn * PAGE_SIZE, PAGE_SIZE));
    }
  }

  private isLoaded(pn: number): boolean {
    const a = pn * PAGE_SIZE;
    return this.regions.some((r) => r.start <= a && a < r.end);
  }
}

/** The parts of `r` outside all of `areas` (sorted, not overlapping), as [start, end) ranges. */
function outside(r: MemoryRegion, areas: readonly MemoryRegion[]): [number, number][] {
  const parts: [number, number][] = [];
  let at = r.start;
  for (const a of areas) {
    if (a.end <= at || a.start >= r.end) continue;
    if (a.start > at) parts.push([at, a.start]);
    at = Math.max(at, a.end);
  }
  if (at < r.end) parts.push([at, r.end]);
  return parts;
}

function sameRegions(a: readonly MemoryRegion[], b: readonly MemoryRegion[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (r, i) => r.start === b[i].start && r.end === b[i].end && r.perm === b[i].perm && r.name === b[i].name,
    )
  );
}
