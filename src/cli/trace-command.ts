import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbiChecker, type Violation } from "../abi/checker.js";
import { CallTracer, formatTraceEvent, type TraceEvent } from "../abi/call-trace.js";
import type { GuestMachine, MachineObserver } from "../emulator/types.js";
import { loadProgram } from "../pipeline/load-program.js";
import { programView } from "../pipeline/program-view.js";
import { envOption, oneFile, parseCommand } from "./args.js";
import { LIMIT_OPTIONS, limitsFrom, runFromCommandLine } from "./guest-run.js";

/**
 * `abi-lab trace FILE [--json] [--all]` (and run's limits, --timeout, Ctrl-C): every call and return across a function border and
 * every syscall, with arguments raw and decoded, alignment and callee-saved verdicts, and the
 * checker's violations; one event per line (JSON Lines with --json).
 */
export async function traceCommand(argv: string[]): Promise<number> {
  const { values, positionals, rest } = parseCommand("trace", argv, {
    json: { type: "boolean" },
    all: { type: "boolean" },
    sandbox: { type: "string" },
    ...LIMIT_OPTIONS,
    env: { type: "string", multiple: true },
    "no-align": { type: "boolean" },
  });
  const file = oneFile("trace", positionals);
  const limits = limitsFrom("trace", values);
  const json = values.json === true;
  const program = await loadProgram(file, { align: !values["no-align"] });
  const view = programView(program);
  const emit = (record: object, text: string) =>
    process.stdout.write((json ? JSON.stringify(record) : text) + "\n");
  const decoder = new TextDecoder();
  const output = (fd: number) => (bytes: Uint8Array) => {
    const text = decoder.decode(bytes);
    emit(
      { event: "output", fd, text },
      text
        .replace(/\n$/, "")
        .split("\n")
        .map((l) => `${fd === 1 ? "stdout" : "stderr"}| ${l}`)
        .join("\n"),
    );
  };
  const attach = (machine: GuestMachine): MachineObserver[] => {
    const tracer = new CallTracer(
      machine,
      view,
      (e: TraceEvent) => emit(e, formatTraceEvent(e)),
      values.all === true,
    );
    const checker = new AbiChecker(machine, {
      conventionOf: (t, site) => view.conventionOf(t, site),
      nameOf: (a) => view.nameOf(a),
      onViolation: (v: Violation) =>
        emit(
          {
            event: "violation",
            ...v,
            address: `0x${v.address.toString(16)}`,
            source: view.sourceOf(v.address),
          },
          `VIOLATION ${v.rule}: ${v.message}  [at ${view.nameOf(v.address)}${sourceText(view.sourceOf(v.address))}]`,
        ),
    });
    return [tracer, checker];
  };
  const result = await runFromCommandLine(program, {
    args: rest,
    env: envOption("trace", values.env),
    sandboxDir: (values.sandbox as string | undefined) ?? mkdtempSync(join(tmpdir(), "abi-lab-")),
    ...limits,
    stdout: output(1),
    stderr: output(2),
    attach,
  });
  const stop = result.stop;
  if (stop.kind === "exit")
    emit(
      { event: "exit", code: stop.code, steps: result.steps },
      `exit ${stop.code} after ${result.steps} instructions`,
    );
  else if (stop.kind === "fault")
    emit(
      {
        event: "fault",
        signal: stop.fault.signal,
        rip: `0x${stop.fault.rip.toString(16)}`,
        address: stop.fault.address,
        reason: stop.fault.reason,
        report: result.report,
      },
      result.report ?? stop.fault.reason,
    );
  else emit({ event: "stopped", reason: result.report ?? stop.kind }, result.report ?? stop.kind);
  return result.exitCode;
}

function sourceText(s: { file: string; line: number; text?: string } | undefined): string {
  return s ? `, ${s.file}:${s.line}${s.text ? ` ${s.text}` : ""}` : "";
}
