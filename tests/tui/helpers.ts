import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { PAGE_SIZE } from "../../src/emulator/types.js";
import { loadProgram, type LoadedProgram } from "../../src/pipeline/load-program.js";
import { saveExtras } from "../../src/tui/internals.js";
import { kernelStateOf } from "../../src/tui/kernel-state.js";
import { captureMemory } from "../../src/tui/memory-snapshot.js";
import { openSession, type OpenOptions } from "../../src/tui/open-session.js";
import type { StepSession } from "../../src/tui/session.js";

const programs = new Map<string, Promise<LoadedProgram>>();

/** Examples are compiled and linked once per test file. */
export function program(file: string): Promise<LoadedProgram> {
  let p = programs.get(file);
  if (!p) programs.set(file, (p = loadProgram(file)));
  return p;
}

export async function session(file: string, options: Partial<OpenOptions> = {}): Promise<StepSession> {
  const sandboxDir = mkdtempSync(join(tmpdir(), "abi-lab-step-test-"));
  return openSession(await program(file), { sandboxDir, ...options });
}

function sandboxFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out[relative(dir, p) + "/"] = "(dir)";
        walk(p);
      } else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

/**
 * Everything a guest can observe or leave behind: CPU (saveState and exit state), the mappings,
 * every non-zero page, the output, the syscall log, the sandbox's files and the kernel's
 * descriptor table (host descriptor numbers left out: they may be reopened).
 */
export function fullState(s: StepSession) {
  const memory = captureMemory(s.machine.memory);
  const pages: Record<number, string> = {};
  const zero = Buffer.alloc(PAGE_SIZE);
  for (const [pn, data] of memory.pages)
    if (Buffer.compare(data, zero) !== 0) pages[pn] = Buffer.from(data).toString("hex");
  const kernel = kernelStateOf(s.kernel)?.save() as
    | {
        files: [number, { fd?: number }][];
        cwd: string;
        brkStart: number;
        brkEnd: number;
        outputBytes: number;
      }
    | undefined;
  const extras = saveExtras(s.machine);
  return {
    cpu: s.machine.saveState(),
    exitCode: extras.exitCode,
    lastTsc: extras.lastTsc,
    regions: memory.regions,
    pages,
    output: s.output.map((c) => `${c.fd}:${c.text}`).join(""),
    syscalls: s.syscalls.map((c) => `${c.name}=${c.result}`),
    calls: s.tracker.depth,
    sandbox: sandboxFiles(s.files.sandboxDir),
    kernel: kernel && {
      ...kernel,
      files: kernel.files.map(([n, f]) => [n, { ...f, fd: f.fd === undefined ? undefined : "host" }]),
    },
  };
}
