/**
 * The stepper's screen as plain data, built from a session: one function per panel, no React.
 */
import { disassembleAround } from "../disasm.js";
import type { StepSession, Stop } from "../session.js";
import { callView, type CallView } from "./call-view.js";
import { registersView, type RegistersView } from "./registers-view.js";
import { sourceView, type SourceView } from "./source-view.js";
import { stackView, type StackSlot } from "./stack-view.js";

export interface DisasmLine {
  address: number;
  /** A symbol starting here. */
  label?: string;
  text: string;
  current: boolean;
  breakpoint: boolean;
}

export interface OutputLine {
  /** "stdout", "stderr", or a sandbox file's guest path. */
  source: string;
  text: string;
}

export interface ViewSizes {
  source: number;
  disasm: number;
  stack: number;
  output: number;
  syscalls: number;
}

export interface ViewModel {
  file: string;
  steps: number;
  where: string;
  stop: Stop;
  lastDelta: number;
  historyDepth: number;
  exited: number | null;
  source: SourceView;
  disasm: DisasmLine[];
  registers: RegistersView;
  stack: StackSlot[];
  call?: CallView;
  output: OutputLine[];
  syscalls: string[];
  breakpoints: string[];
  /** Calling-convention violations so far (the checker's call and return rules). */
  violations: number;
}

export function buildView(session: StepSession, sizes: ViewSizes): ViewModel {
  const { machine, view, program } = session;
  return {
    file: program.file,
    steps: machine.steps,
    where: view.nameOf(machine.rip),
    stop: session.stop,
    lastDelta: session.lastDelta,
    historyDepth: session.history.depth,
    exited: machine.exited,
    source: sourceView(session, sizes.source),
    disasm: disasmView(session, sizes.disasm),
    registers: registersView(machine, session.before),
    stack: stackView(session, sizes.stack),
    call: callView(session),
    output: outputView(session, sizes.output),
    syscalls: session.syscalls.slice(-sizes.syscalls).map(formatSyscall),
    breakpoints: [...machine.breakpoints].map((a) => view.nameOf(a)),
    violations: session.checker.violations.length,
  };
}

function disasmView(session: StepSession, count: number): DisasmLine[] {
  const { machine, program, view } = session;
  const rip = machine.rip;
  const symbol = program.debug.symbolAt(rip);
  const start = symbol ? rip - symbol.offset : undefined;
  const before = Math.min(Math.floor(count / 3), 4);
  return disassembleAround(machine.memory, rip, start, before, count, view).map((d) => ({
    address: d.address,
    label: program.debug.functionAt(d.address),
    text: d.text,
    current: d.address === rip,
    breakpoint: machine.breakpoints.has(d.address),
  }));
}

function outputView(session: StepSession, count: number): OutputLine[] {
  const lines: OutputLine[] = [];
  // Interleave by chunk order, line by line.
  let pending = "";
  let pendingFd = 0;
  for (const chunk of session.output) {
    if (chunk.fd !== pendingFd && pending) {
      lines.push({ source: pendingFd === 1 ? "stdout" : "stderr", text: pending });
      pending = "";
    }
    pendingFd = chunk.fd;
    const parts = (pending + chunk.text).split("\n");
    pending = parts.pop()!;
    for (const p of parts) lines.push({ source: chunk.fd === 1 ? "stdout" : "stderr", text: p });
  }
  if (pending) lines.push({ source: pendingFd === 1 ? "stdout" : "stderr", text: pending });
  for (const path of session.files.state.written) {
    const text = session.files.contents(path);
    if (text === undefined) continue;
    const fileLines = text.replace(/\n$/, "").split("\n");
    for (const l of text === "" ? ["(empty)"] : fileLines) lines.push({ source: path, text: l });
  }
  return lines.slice(-count);
}

function formatSyscall(s: StepSession["syscalls"][number]): string {
  const args = s.args.slice(0, 3).map((a) => {
    const signed = BigInt.asIntN(64, a);
    return signed < 0n && signed >= -4096n ? signed.toString() : `0x${a.toString(16)}`;
  });
  return `${s.name}(${args.join(", ")}) = ${BigInt.asIntN(64, s.result)}`;
}
