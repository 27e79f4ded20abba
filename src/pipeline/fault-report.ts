import { SIGNAL_NUMBERS, type GuestFault, type GuestMachine } from "../emulator/types.js";
import type { StackFrame } from "../emulator/index.js";
import type { DebugInfo } from "./debug-info.js";

const SIGNAL_MEANING: Record<string, string> = {
  SIGSEGV: "segmentation fault",
  SIGBUS: "bus error",
  SIGFPE: "arithmetic exception",
  SIGILL: "illegal instruction",
  SIGTRAP: "trace/breakpoint trap",
};

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

/**
 * The report for a guest crash: signal, rip, faulting address, symbol, source line and a
 * backtrace from the shadow call stack.
 */
export function formatFaultReport(
  fault: GuestFault,
  machine: GuestMachine,
  debug: DebugInfo,
  frames: readonly StackFrame[],
): string {
  const lines: string[] = [];
  const signo = SIGNAL_NUMBERS[fault.signal];
  lines.push(
    `abi-lab: the program was killed by ${fault.signal} (${SIGNAL_MEANING[fault.signal] ?? "signal"}, signal ${signo})`,
  );
  lines.push(`  cause:   ${fault.reason}`);
  lines.push(`  rip:     ${hex(fault.rip)}  in ${debug.nameOf(fault.rip)}`);
  if (fault.address !== undefined) lines.push(`  address: ${hex(fault.address)}`);
  const rsp = machine.getRegister("rsp");
  lines.push(...formatLocation(fault.rip, debug, frames, ` (rsp % 16 = ${rsp % 16n})`, rsp));
  return lines.join("\n");
}

/**
 * Where the program stopped (a limit, Ctrl-C, a signal it sent itself): a headline, then rip,
 * source line and backtrace as in a fault report.
 */
export function formatStopReport(
  headline: string,
  machine: GuestMachine,
  debug: DebugInfo,
  frames: readonly StackFrame[],
  /** Where it stopped, if not at rip (the syscall that asked for the stop). */
  at = machine.rip,
): string {
  const rip = at;
  return [
    headline,
    `  rip:     ${hex(rip)}  in ${debug.nameOf(rip)}`,
    ...formatLocation(rip, debug, frames, "", machine.getRegister("rsp")),
  ].join("\n");
}

function formatLocation(
  rip: number,
  debug: DebugInfo,
  frames: readonly StackFrame[],
  rspNote: string,
  rsp: bigint,
): string[] {
  const lines: string[] = [];
  const where = debug.describe(rip);
  if (where) lines.push(`  at:      ${where}`);
  lines.push(`  rsp:     ${hex(rsp)}${rspNote}`);
  lines.push("backtrace (innermost first):");
  lines.push(`  #0  ${hex(rip)}  ${debug.nameOf(rip)}${suffix(debug, rip)}`);
  let n = 1;
  for (let i = frames.length - 1; i >= 0 && n < 40; i--, n++) {
    const site = frames[i].callSite;
    lines.push(`  #${n}  ${hex(site)}  ${debug.nameOf(site)}${suffix(debug, site)}`);
  }
  if (frames.length >= 40) lines.push(`  ... ${frames.length - 39} more frames`);
  return lines;
}

function suffix(debug: DebugInfo, address: number): string {
  const span = debug.schemeAt(address);
  if (span) return `  (${span.start.file}:${span.start.line}:${span.start.column} ${span.text})`;
  const line = debug.asmLineAt(address);
  return line ? `  (${line.file}:${line.line})` : "";
}

/** "SIGABRT" for 6; "signal 40" for a number without a name here. */
export function signalName(signo: number): string {
  return Object.entries(SIGNAL_NUMBERS).find(([, n]) => n === signo)?.[0] ?? `signal ${signo}`;
}

export function exitStatusForSignal(signal: GuestFault["signal"]): number {
  return 128 + SIGNAL_NUMBERS[signal];
}
