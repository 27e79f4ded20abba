/**
 * `npm run bench`: the same programs run natively (built with `abi-lab build`, or musl-gcc for
 * C) and emulated by `abi-lab run`, with ratios, guest instructions per second, peak memory, and
 * the end-to-end time of `abi-lab run examples/hello.scm`. qemu-x86_64 is timed too when
 * installed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const here = join(process.cwd(), "bench", "programs");
const work = mkdtempSync(join(tmpdir(), "abi-lab-bench-"));
const cli = join(process.cwd(), "bin", "abi-lab.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function has(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall time in ms (median of RUNS) and the last run's output. */
function time(
  cmd: string,
  args: string[],
  runs = RUNS,
): { ms: number; stdout: string; stderr: string; status: number | null } {
  const times: number[] = [];
  let last = { stdout: "", stderr: "", status: 0 as number | null };
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: "utf8", cwd: work, maxBuffer: 1 << 26 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    last = { stdout: r.stdout, stderr: r.stderr, status: r.status };
  }
  return { ms: median(times), ...last };
}

interface Row {
  name: string;
  native: number;
  emulated: number;
  qemu?: number;
  instructions?: number;
  peakMiB?: number;
  /** CPU time (user + system) of the last end-to-end run, ms: steadier than wall time on a busy machine. */
  cpu?: number;
  /** CPU time of `abi-lab run` on the executable built natively (no compile, assemble, link). */
  exeCpu?: number;
  /** Wall time of `abi-lab run` on that executable. */
  exeMs: number;
  same: boolean;
}

const rows: Row[] = [];
const programs = readdirSync(here).filter((f) => f.endsWith(".scm") || f.endsWith(".c"));
const qemu = has("qemu-x86_64");

for (const file of programs) {
  const src = join(here, file);
  const exe = join(work, file.replace(/\.\w+$/, ""));
  if (file.endsWith(".c")) {
    if (!has("musl-gcc")) {
      console.log(`skipping ${file}: musl-gcc is not installed`);
      continue;
    }
    const cc = spawnSync("musl-gcc", ["-O2", "-static", "-o", exe, src], { encoding: "utf8" });
    if (cc.status !== 0) {
      console.log(`skipping ${file}: ${cc.stderr}`);
      continue;
    }
  } else {
    const b = spawnSync(process.execPath, [cli, "build", src, "-o", exe], { encoding: "utf8" });
    if (b.status !== 0) throw new Error(`build ${file}: ${b.stderr}`);
  }
  const native = time(exe, []);
  // End to end (a .scm file is compiled, assembled and linked first), and the executable alone.
  const emulated = emulate(file.endsWith(".c") ? exe : src);
  const exeRun = file.endsWith(".c") ? emulated : emulate(exe);
  rows.push({
    name: file,
    native: native.ms,
    emulated: emulated.ms,
    qemu: qemu ? time("qemu-x86_64", [exe]).ms : undefined,
    instructions: exeRun.instructions,
    peakMiB: exeRun.peakMiB,
    cpu: emulated.cpu,
    exeCpu: exeRun.cpu,
    exeMs: exeRun.ms,
    same: native.stdout === emulated.stdout && native.stdout === exeRun.stdout,
  });
}

/** `abi-lab run --stats` under /usr/bin/time: wall ms, CPU ms, peak RSS, instructions, output. */
function emulate(target: string): {
  ms: number;
  stdout: string;
  cpu?: number;
  peakMiB?: number;
  instructions?: number;
} {
  const r = time("/usr/bin/time", [
    "-f",
    "%M %U %S",
    process.execPath,
    cli,
    "run",
    "--sandbox",
    work,
    "--stats",
    target,
  ]);
  const stats = /abi-lab: (\d+) instructions emulated/.exec(r.stderr);
  // The last line from /usr/bin/time: peak RSS in KiB, user and system CPU seconds.
  const usage = /^(\d+) ([\d.]+) ([\d.]+)$/m.exec(r.stderr.trim().split("\n").pop() ?? "");
  return {
    ms: r.ms,
    stdout: r.stdout,
    cpu: usage ? (Number(usage[2]) + Number(usage[3])) * 1000 : undefined,
    peakMiB: usage ? Number(usage[1]) / 1024 : undefined,
    instructions: stats ? Number(stats[1]) : undefined,
  };
}

const hello = helloEndToEnd();

// What `abi-lab run` of an executable costs besides emulating it (Node, iced-x86, loading):
// an executable that runs a handful of instructions.
const emptyExe = join(work, "empty");
writeFileSync(join(work, "empty.scm"), "0\n");
spawnSync(process.execPath, [cli, "build", join(work, "empty.scm"), "-o", emptyExe]);
const base = emulate(emptyExe);

const pad = (s: string, n: number) => s.padStart(n);
console.log(
  `\nabi-lab bench — ${process.platform} ${process.arch}, node ${process.version}, median of ${RUNS}\n`,
);
console.log(
  `${"program".padEnd(16)}${pad("native ms", 11)}${pad("abi-lab ms", 12)}${pad("ratio", 8)}${pad("emul ×", 8)}${qemu ? pad("qemu ms", 10) : ""}${pad("cpu ms", 9)}${pad("exe cpu", 9)}${pad("M instr", 10)}${pad("M instr/s", 11)}${pad("peak MiB", 10)}  output`,
);
const baseCpu = base.cpu ?? 0;
for (const r of rows) {
  const emuMs = r.exeCpu !== undefined ? r.exeCpu - baseCpu : undefined;
  const mips = r.instructions && emuMs !== undefined && emuMs > 0 ? r.instructions / 1e3 / emuMs : undefined;
  console.log(
    `${r.name.padEnd(16)}${pad(r.native.toFixed(1), 11)}${pad(r.emulated.toFixed(0), 12)}${pad((r.emulated / r.native).toFixed(1) + "×", 8)}${pad((Math.max(0, r.exeMs - base.ms) / r.native).toFixed(1) + "×", 8)}${
      qemu ? pad(r.qemu?.toFixed(1) ?? "", 10) : ""
    }${pad(r.cpu !== undefined ? r.cpu.toFixed(0) : "?", 9)}${pad(r.exeCpu !== undefined ? r.exeCpu.toFixed(0) : "?", 9)}${pad(r.instructions ? (r.instructions / 1e6).toFixed(1) : "?", 10)}${pad(mips ? mips.toFixed(1) : "?", 11)}${pad(r.peakMiB ? r.peakMiB.toFixed(0) : "?", 10)}  ${r.same ? "same" : "DIFFERENT"}`,
  );
}
console.log(
  `\nabi-lab ms: wall time of \`abi-lab run FILE\` end to end (a .scm is compiled, assembled and linked first);` +
    `\nemul ×: emulation alone, as a ratio to native: wall time of \`abi-lab run\` on the executable minus the` +
    `\n${base.ms.toFixed(0)} ms it takes on an almost empty one (Node, iced-x86, loading the image);` +
    `\ncpu ms: its CPU time; exe cpu: CPU time of \`abi-lab run\` on the executable built with \`abi-lab build\`;` +
    `\nM instr/s: guest instructions per second of CPU time spent emulating (exe cpu minus the ${baseCpu.toFixed(0)} ms` +
    `\nthat \`abi-lab run\` of an almost empty executable costs); peak MiB: peak RSS of the executable run.`,
);
console.log(`\n${hello}`);

/**
 * `abi-lab run examples/hello.scm` end to end (compile, assemble, link, load, run): cold (an empty
 * object cache, median of 3) and warm (median of 10), wall and CPU time, and `node -e 0` for scale.
 */
function helloEndToEnd(): string {
  const hello = join(process.cwd(), "examples", "hello.scm");
  const probe =
    "data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();" +
    "process.stderr.write('\\ncpu-ms '+(u.user+u.system)/1000+'\\n')})";
  const once = (args: string[], cacheDir: string) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["--import", probe, ...args], {
      encoding: "utf8",
      cwd: work,
      env: { ...process.env, ABI_LAB_CACHE_DIR: cacheDir, ABI_LAB_NO_CACHE: "" },
    });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
    return { wall, cpu: Number(/cpu-ms ([\d.]+)/.exec(r.stderr)?.[1]) };
  };
  const medians = (runs: { wall: number; cpu: number }[]) =>
    `${median(runs.map((r) => r.wall)).toFixed(0)} ms (CPU ${median(runs.map((r) => r.cpu)).toFixed(0)} ms)`;
  const run = [cli, "run", "--sandbox", work, hello];
  const cold = Array.from({ length: 3 }, () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "abi-lab-bench-cache-"));
    const r = once(run, cacheDir);
    rmSync(cacheDir, { recursive: true, force: true });
    return r;
  });
  const cacheDir = mkdtempSync(join(tmpdir(), "abi-lab-bench-cache-"));
  once(run, cacheDir);
  const warm = Array.from({ length: 10 }, () => once(run, cacheDir));
  const node = Array.from({ length: 10 }, () => once(["-e", "0"], cacheDir));
  rmSync(cacheDir, { recursive: true, force: true });
  return (
    `abi-lab run examples/hello.scm, end to end: warm cache ${medians(warm)} (median of 10), ` +
    `cold cache ${medians(cold)} (median of 3); node -e 0 alone ${medians(node)}`
  );
}
