import {
  GP_REGISTERS,
  type CallEvent,
  type GpRegister,
  type GuestMachine,
  type MachineObserver,
  type ReturnEvent,
} from "../emulator/types.js";
import { RULES, SYSTEM_V, SCHEME, type CallingConvention, type RuleName } from "./conventions.js";

export interface Violation {
  rule: RuleName;
  /** One sentence for a person. */
  message: string;
  /** The instruction that broke the rule. */
  address: number;
  /** The function called (for call/return rules). */
  callee?: string;
  /** Values involved, printable. */
  values: Record<string, string>;
}

export interface CheckerOptions {
  /** Which convention a call from `callSite` to `target` follows; undefined skips the call. */
  conventionOf(target: number, callSite: number): CallingConvention | undefined;
  /** A name for an address (for messages). */
  nameOf(address: number): string;
  /** Called for every violation, as it happens. */
  onViolation?(v: Violation): void;
}

export interface CheckerFrame {
  /** The frame below (frames form an immutable list, so a snapshot is one reference). */
  parent: CheckerFrame | null;
  depth: number;
  /** The called address (named only when a violation is reported). */
  target: number;
  /** undefined: a call the checker does not judge (e.g. inside the runtime). */
  convention: CallingConvention | undefined;
  callSite: number;
  returnAddress: number;
  rspAtCall: number;
  argumentCount: number;
  saved: SavedRegisters;
}

const DF = 1 << 10;
const REGISTER_INDEX = Object.fromEntries(GP_REGISTERS.map((r, i) => [r, i])) as Record<GpRegister, number>;

interface SavedRegisters {
  registers: readonly GpRegister[];
  /** Low and high 32-bit words of each register (a fast machine), or the values. */
  words?: number[];
  values?: bigint[];
}
const NOTHING_SAVED: SavedRegisters = { registers: [], values: [] };
const hex = (v: bigint | number) => `0x${v.toString(16)}`;

/**
 * Observes a run and reports every break of the calling convention: misaligned calls,
 * callee-saved registers changed, unbalanced stacks, writes below the red zone, DF set.
 */
/** What `AbiChecker.snapshot()` saves: restore it to take the checker back in time (the stepper's reverse). */
export interface CheckerSnapshot {
  readonly top: CheckerFrame | null;
  readonly violations: number;
  readonly lowestBelowRsp: number | undefined;
}

export class AbiChecker implements MachineObserver {
  readonly violations: Violation[] = [];
  private top: CheckerFrame | null = null;
  /** Lowest address written below rsp since the last call or rsp change, per depth. */
  private lowestBelowRsp: number | undefined;
  private lastRip = 0;
  private readonly pending: { address: number; size: number; rip: number }[] = [];

  constructor(
    private readonly machine: GuestMachine,
    private readonly options: CheckerOptions,
  ) {}

  snapshot(): CheckerSnapshot {
    this.settle();
    return { top: this.top, violations: this.violations.length, lowestBelowRsp: this.lowestBelowRsp };
  }

  restore(s: CheckerSnapshot): void {
    this.top = s.top;
    this.violations.length = Math.min(this.violations.length, s.violations);
    this.lowestBelowRsp = s.lowestBelowRsp;
    this.pending.length = 0;
  }

  /** Only the call and return rules (no per-instruction observation, so the emulator keeps its fast loop). */
  callsOnly(): MachineObserver {
    return { onCall: (e) => this.onCall(e), onReturn: (e) => this.onReturn(e) };
  }

  private push(
    target: number,
    convention: CallingConvention | undefined,
    callSite: number,
    returnAddress: number,
    rspAtCall: number,
    argumentCount: number,
    saved: SavedRegisters,
  ): void {
    const parent = this.top;
    this.top = {
      parent,
      depth: parent === null ? 1 : parent.depth + 1,
      target,
      convention,
      callSite,
      returnAddress,
      rspAtCall,
      argumentCount,
      saved,
    };
  }

  private report(v: Violation): void {
    this.violations.push(v);
    this.options.onViolation?.(v);
  }

  onInstruction(rip: number): void {
    this.settle();
    this.lastRip = rip;
  }

  onMemoryWrite(address: number, size: number): void {
    if (this.pending.length < 64) this.pending.push({ address, size, rip: this.lastRip });
  }

  /**
   * Judge the previous instruction's writes against rsp after it: a push or a call writes at
   * the rsp it leaves, which is fine; a store below the rsp it leaves is red-zone data.
   */
  private settle(): void {
    if (this.pending.length === 0) return;
    const rsp = Number(this.machine.getRegister("rsp"));
    for (const w of this.pending) {
      if (w.address >= rsp || w.address < rsp - 0x100000) continue;
      if (w.address < rsp - SYSTEM_V.redZone) {
        this.report({
          rule: "red-zone",
          message: `a write ${rsp - w.address} bytes below rsp, past the ${SYSTEM_V.redZone}-byte red zone: a signal handler may clobber it`,
          address: w.rip,
          values: { rsp: hex(rsp), address: hex(w.address), size: String(w.size) },
        });
      } else {
        this.lowestBelowRsp = Math.min(this.lowestBelowRsp ?? w.address, w.address);
      }
    }
    this.pending.length = 0;
  }

  onCall(e: CallEvent): void {
    const convention = this.options.conventionOf(e.target, e.rip);
    const belowRsp = this.lowestBelowRsp;
    this.lowestBelowRsp = undefined;
    if (!convention) {
      // Not checked, but tracked, so that its return finds its frame.
      this.push(e.target, undefined, e.rip, e.returnAddress, e.rsp, 0, NOTHING_SAVED);
      return;
    }
    const rsp = e.rsp;
    if (convention.stackAlignment && rsp % convention.stackAlignment !== 0) {
      const name = this.options.nameOf(e.target);
      this.report({
        rule: "stack-alignment",
        message: `call to ${name} with rsp = ${hex(rsp)}, which is ${rsp % 16} bytes off a multiple of 16: code that uses aligned SSE stores on the stack (movaps) will crash`,
        address: e.rip,
        callee: name,
        values: { rsp: hex(rsp), "rsp % 16": String(rsp % 16) },
      });
    }
    if (convention.directionFlagClear && (this.machine.getFlags() & DF) !== 0) {
      const name = this.options.nameOf(e.target);
      this.report({
        rule: "direction-flag",
        message: `call to ${name} with the direction flag set: string instructions in the callee would run backwards (cld before calling)`,
        address: e.rip,
        callee: name,
        values: { rflags: hex(this.machine.getFlags()) },
      });
    }
    if (belowRsp !== undefined && belowRsp < e.rsp && convention.redZone) {
      const name = this.options.nameOf(e.target);
      this.report({
        rule: "red-zone",
        message: `data stored below rsp (at ${hex(belowRsp)}) before calling ${name}: the call's return address and the callee's frame overwrite it (move rsp first)`,
        address: e.rip,
        callee: name,
        values: { rsp: hex(rsp), address: hex(belowRsp) },
      });
    }
    this.push(
      e.target,
      convention,
      e.rip,
      e.returnAddress,
      rsp,
      convention === SCHEME ? Number(this.machine.getRegister("rax")) : 0,
      this.saveRegisters(convention.calleeSaved),
    );
  }

  /** The callee-saved registers' values (as 32-bit word pairs when the machine exposes them: no BigInt per call). */
  private saveRegisters(registers: readonly GpRegister[]): SavedRegisters {
    const words = (this.machine as { r?: unknown }).r;
    if (words instanceof Int32Array) {
      const out = new Array<number>(2 * registers.length);
      for (let i = 0; i < registers.length; i++) {
        const n = REGISTER_INDEX[registers[i]];
        out[2 * i] = words[2 * n];
        out[2 * i + 1] = words[2 * n + 1];
      }
      return { registers, words: out };
    }
    return { registers, values: registers.map((r) => this.machine.getRegister(r)) };
  }

  private savedValue(saved: SavedRegisters, i: number): bigint {
    if (saved.words) return (BigInt(saved.words[2 * i + 1] >>> 0) << 32n) | BigInt(saved.words[2 * i] >>> 0);
    return saved.values![i];
  }

  private changedRegister(saved: SavedRegisters, i: number): boolean {
    const words = (this.machine as { r?: unknown }).r;
    if (saved.words && words instanceof Int32Array) {
      const n = REGISTER_INDEX[saved.registers[i]];
      return words[2 * n] !== saved.words[2 * i] || words[2 * n + 1] !== saved.words[2 * i + 1];
    }
    return this.machine.getRegister(saved.registers[i]) !== this.savedValue(saved, i);
  }

  onReturn(e: ReturnEvent): void {
    this.lowestBelowRsp = undefined;
    // Find the frame this return belongs to (skipping frames abandoned by non-local exits).
    let frame = this.top;
    while (frame && frame.returnAddress !== e.target) frame = frame.parent;
    if (!frame) {
      // A ret that goes nowhere a call came from: the callee left rsp off, so ret popped
      // something else than the return address.
      const top = this.top;
      this.top = top?.parent ?? null;
      if (!top?.convention) return;
      const callee = this.options.nameOf(top.target);
      this.report({
        rule: "stack-balance",
        message: `${callee} returned to 0x${e.target.toString(16)} instead of its return address 0x${top.returnAddress.toString(16)}: rsp was not restored before ret (a push without its pop, or a missing add rsp)`,
        address: e.rip,
        callee,
        values: { "return address": hex(top.returnAddress), "ret went to": hex(e.target), rsp: hex(e.rsp) },
      });
      return;
    }
    this.top = frame.parent;
    const { convention } = frame;
    if (!convention) return;
    // Named only in a report: most returns break no rule, and naming costs a symbol lookup.
    const callee = () => this.options.nameOf(frame.target);
    for (let r = 0; r < frame.saved.registers.length; r++) {
      if (!this.changedRegister(frame.saved, r)) continue;
      const reg = frame.saved.registers[r];
      const before = this.savedValue(frame.saved, r);
      const after = this.machine.getRegister(reg);
      {
        this.report({
          rule: "callee-saved",
          message: `${callee()} returned with ${reg} changed from ${hex(before)} to ${hex(after)}: ${reg} is callee-saved in ${convention.name}, the caller may still need it`,
          address: e.rip,
          callee: callee(),
          values: { register: reg, before: hex(before), after: hex(after) },
        });
      }
    }
    const expected =
      frame.rspAtCall +
      (convention.argumentCleanup === "callee" && convention === SCHEME ? 8 * frame.argumentCount : 0);
    const rsp = e.rsp;
    if (rsp !== expected) {
      this.report({
        rule: "stack-balance",
        message: `${callee()} returned with rsp = ${hex(rsp)}, expected ${hex(expected)} (${rsp > expected ? "+" : "-"}${rsp > expected ? rsp - expected : expected - rsp} bytes): a push without its pop, or the wrong return address`,
        address: e.rip,
        callee: callee(),
        values: { rsp: hex(rsp), expected: hex(expected) },
      });
    }
    if (convention.directionFlagClear && (this.machine.getFlags() & DF) !== 0) {
      this.report({
        rule: "direction-flag",
        message: `${callee()} returned with the direction flag set (cld before returning)`,
        address: e.rip,
        callee: callee(),
        values: { rflags: hex(this.machine.getFlags()) },
      });
    }
  }

  /** Calls still open (e.g. when the program exits from inside a callee). */
  get depth(): number {
    return this.top?.depth ?? 0;
  }
}

export { RULES };
