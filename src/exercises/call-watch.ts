import type { CallEvent, GpRegister, GuestMachine, MachineObserver, ReturnEvent } from "../emulator/types.js";

/** Registers a System V callee may change: the grader overwrites them after calls out of the answer. */
export const SCRAMBLED: readonly GpRegister[] = ["rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"];
/** What a scrambled register holds afterwards (low byte: the register's index in SCRAMBLED). */
export const SCRAMBLE_BASE = 0x5c4a_4b1e_d000_0000n;

export interface ArgumentCheck {
  address: number;
  symbol: string;
  register: GpRegister;
  bits: number;
  expected: bigint;
  rule: string;
}

export interface ArgumentMismatch {
  check: ArgumentCheck;
  actual: bigint;
  /** The call instruction. */
  rip: number;
}

export interface CallWatchOptions {
  /** Whether an address is in the student's program (answer and exercise support). */
  isProgram(address: number): boolean;
  /** Functions whose calls are counted: address → name. */
  counted: ReadonlyMap<number, string>;
  argumentChecks: readonly ArgumentCheck[];
  /** Overwrite caller-saved registers when a call from the program into the runtime returns. */
  scramble: boolean;
}

/**
 * Watches the calls an answer makes: counts calls to named functions, checks argument
 * registers at calls, and after each return from the runtime overwrites the caller-saved
 * registers, as a real callee is free to, so that an answer relying on them fails.
 */
export class CallWatch implements MachineObserver {
  readonly calls = new Map<string, number>();
  readonly mismatches: ArgumentMismatch[] = [];
  scrambles = 0;
  private readonly targets: number[] = [];

  constructor(
    private readonly machine: GuestMachine,
    private readonly options: CallWatchOptions,
  ) {}

  onCall(e: CallEvent): void {
    this.targets.push(e.target);
    const name = this.options.counted.get(e.target);
    if (name !== undefined) this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    for (const check of this.options.argumentChecks) {
      if (check.address !== e.target) continue;
      const actual = BigInt.asUintN(check.bits, this.machine.getRegister(check.register));
      if (actual !== BigInt.asUintN(check.bits, check.expected))
        this.mismatches.push({ check, actual, rip: e.rip });
    }
  }

  onReturn(e: ReturnEvent): void {
    const target = this.targets.pop();
    if (!this.options.scramble || target === undefined) return;
    if (this.options.isProgram(target) || !this.options.isProgram(e.target)) return;
    SCRAMBLED.forEach((r, i) => this.machine.setRegister(r, SCRAMBLE_BASE | BigInt(i)));
    this.scrambles++;
  }
}
