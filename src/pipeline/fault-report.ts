import { SIGNAL_NUMBERS, type GuestFault, type GuestMachine } from "../emulator/types.js";
import type { StackFrame } from "./call-stack.js";
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
  const where = debug.describe(fault.rip);
  if (where) lines.push(`  at:      ${where}`);
  const rsp = machine.getRegister("rsp");
  lines.push(`  rsp:     ${hex(rsp)} (rsp % 16 = ${rsp % 16n})`);
  lines.push("backtrace (innermost first):");
  lines.push(`  #0  ${hex(fault.rip)}  ${debug.nameOf(fault.rip)}${suffix(debug, fault.rip)}`);
  let n = 1;
  for (let i = frames.length - 1; i >= 0 && n < 40; i--, n++) {
    const site = frames[i].callSite;
    lines.push(`  #${n}  ${hex(site)}  ${debug.nameOf(site)}${suffix(debug, site)}`);
  }
  if (frames.length >= 40) lines.push(`  ... ${frames.length - 39} more frames`);
  return lines.join("\n");
}

function suffix(debug: DebugInfo, address: number): string {
  const span = debug.schemeAt(address);
  if (span) return `  (${span.start.file}:${span.start.line}:${span.start.column} ${span.text})`;
  const line = debug.asmLineAt(address);
  return line ? `  (${line.file}:${line.line})` : "";
}

export function exitStatusForSignal(signal: GuestFault["signal"]): number {
  return 128 + SIGNAL_NUMBERS[signal];
}
