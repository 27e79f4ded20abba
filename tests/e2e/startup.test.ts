/**
 * Start-up: the object cache gives the same programs as building anew (byte for byte), survives
 * damaged entries and concurrent runs, and a warm `abi-lab run examples/hello.scm` is fast.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { serialize } from "node:v8";
import { cacheDirectory, readEntry, writeEntry } from "../../src/cache/object-cache.js";
import { writeExecutable } from "../../src/linker/index.js";
import { loadProgram, type LoadedProgram } from "../../src/pipeline/load-program.js";

const HELLO = "examples/hello.scm";
const tmp = (what: string) => mkdtempSync(join(tmpdir(), `abi-lab-${what}-`));

/** Runs `fn` with the cache in `dir` (null: turned off). */
async function withCache<T>(dir: string | null, fn: () => T | Promise<T>): Promise<T> {
  const saved = { dir: process.env.ABI_LAB_CACHE_DIR, off: process.env.ABI_LAB_NO_CACHE };
  if (dir === null) process.env.ABI_LAB_NO_CACHE = "1";
  else {
    process.env.ABI_LAB_CACHE_DIR = dir;
    delete process.env.ABI_LAB_NO_CACHE;
  }
  try {
    return await fn();
  } finally {
    for (const [name, value] of [
      ["ABI_LAB_CACHE_DIR", saved.dir],
      ["ABI_LAB_NO_CACHE", saved.off],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  }
}

/** Entry files of a kind ("compiled", "linked", "v8-code") in a cache folder. */
function entries(dir: string, kind: string): string[] {
  const d = join(dir, kind);
  return existsSync(d) ? readdirSync(d).map((n) => join(d, n)) : [];
}

/** What must not differ between a program built anew and one from the cache. */
function essence(p: LoadedProgram) {
  return { image: p.image, elf: writeExecutable(p.image), compiled: p.compiled, assembly: p.assembly };
}

void test("a cold and a warm cache give byte-identical linked images (and the same as no cache)", async () => {
  const dir = tmp("cache");
  const fresh = await withCache(null, () => loadProgram(HELLO));
  assert.equal(existsSync(dir) && readdirSync(dir).length, 0);
  const cold = await withCache(dir, () => loadProgram(HELLO));
  assert.equal(entries(dir, "compiled").length, 1);
  assert.equal(entries(dir, "linked").length, 1);
  const warm = await withCache(dir, () => loadProgram(HELLO));
  assert.deepEqual(essence(cold), essence(fresh));
  assert.deepEqual(essence(warm), essence(fresh));
  assert.ok(Buffer.from(writeExecutable(warm.image)).equals(Buffer.from(writeExecutable(fresh.image))));
  // The options are part of the key: --no-align is another program.
  const unaligned = await withCache(dir, () => loadProgram(HELLO, { align: false }));
  assert.notEqual(unaligned.assembly, warm.assembly);
  assert.equal(entries(dir, "linked").length, 2);
});

void test("a damaged cache entry is ignored and rebuilt", async () => {
  const dir = tmp("cache");
  const good = await withCache(dir, () => loadProgram(HELLO));
  const [linked] = entries(dir, "linked");
  const original = readFileSync(linked);
  const damage: [string, (b: Buffer) => Buffer][] = [
    [
      "a flipped byte",
      (b) =>
        Buffer.concat([
          b.subarray(0, b.length - 9),
          Buffer.from([b[b.length - 9] ^ 0x40]),
          b.subarray(b.length - 8),
        ]),
    ],
    ["a truncated file", (b) => b.subarray(0, b.length >> 1)],
    ["an empty file", () => Buffer.alloc(0)],
    ["another file's contents", () => Buffer.from("not a cache entry at all")],
  ];
  for (const [what, spoil] of damage) {
    writeFileSync(linked, spoil(original));
    const again = await withCache(dir, () => loadProgram(HELLO));
    assert.deepEqual(essence(again), essence(good), what);
    assert.ok(readFileSync(linked).equals(original), `${what}: the entry is rewritten`);
  }
  // A well-formed entry holding something else than an image (cannot happen short of a key
  // collision, but the shape is checked anyway).
  const key = linked.replace(/^.*\//, "").replace(/\.bin$/, "");
  await withCache(dir, () => writeEntry("linked", key, serialize({ entry: "nonsense" })));
  const again = await withCache(dir, () => loadProgram(HELLO));
  assert.deepEqual(essence(again), essence(good));
  assert.ok(readFileSync(linked).equals(original));
  await withCache(dir, () => assert.ok(readEntry("linked", key)));
});

void test("a kind of entry is kept to its limit, the oldest removed first", async () => {
  const dir = tmp("cache");
  await withCache(dir, () => {
    for (let i = 0; i < 8; i++) {
      writeEntry("test", `entry${i}`, new Uint8Array([i]), 8);
      // Distinct modification times, oldest first.
      const when = new Date(Date.now() - (100 - i) * 1000);
      utimesSync(join(dir, "test", `entry${i}.bin`), when, when);
    }
    assert.equal(readdirSync(join(dir, "test")).length, 8);
    // The ninth goes beyond the limit: the oldest are removed down to three quarters of it.
    writeEntry("test", "entry8", new Uint8Array([8]), 8);
    const left = readdirSync(join(dir, "test")).sort();
    assert.deepEqual(
      left,
      [3, 4, 5, 6, 7, 8].map((i) => `entry${i}.bin`),
    );
    assert.deepEqual(readEntry("test", "entry8"), Buffer.from([8]));
  });
});

void test("the cache folder comes from ABI_LAB_CACHE_DIR, else XDG_CACHE_HOME", async () => {
  await withCache("/somewhere/else", () => assert.equal(cacheDirectory(), "/somewhere/else"));
  const saved = { dir: process.env.ABI_LAB_CACHE_DIR, xdg: process.env.XDG_CACHE_HOME };
  delete process.env.ABI_LAB_CACHE_DIR;
  process.env.XDG_CACHE_HOME = "/xdg";
  try {
    assert.equal(cacheDirectory(), "/xdg/abi-lab");
  } finally {
    if (saved.dir !== undefined) process.env.ABI_LAB_CACHE_DIR = saved.dir;
    if (saved.xdg === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved.xdg;
  }
});

const cli = join(process.cwd(), "bin", "abi-lab.js");
/** V8 code caches are kept for iced-x86 and, when npm run build made it, the CLI bundle. */
const bundled = existsSync(join(process.cwd(), "dist/src/cli/main.bundle.cjs"));

/** Prints the process's CPU time (user + system, all threads) and whether it loaded iced-x86 when it exits. */
const CPU_PROBE =
  "data:text/javascript,import {createRequire} from 'node:module';process.on('exit',()=>{" +
  "const u=process.cpuUsage();const c=createRequire(process.argv[1]).cache;" +
  "const iced=Object.keys(c).some((f)=>f.includes('iced-x86'));" +
  "process.stderr.write('\\ncpu-ms '+(u.user+u.system)/1000+'\\niced '+iced+'\\n')})";

/**
 * `abi-lab run hello.scm`: its wall time and its CPU time in ms. The bound is on the CPU time, which
 * other processes on a busy machine do not inflate (wall time is also reported on failure).
 */
function runHello(cacheDir: string, extra: string[] = []): { wall: number; cpu: number; iced: boolean } {
  const sandbox = tmp("sandbox");
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    ["--import", CPU_PROBE, cli, "run", ...extra, "--sandbox", sandbox, HELLO],
    { encoding: "utf8", env: { ...process.env, ABI_LAB_CACHE_DIR: cacheDir, ABI_LAB_NO_CACHE: "" } },
  );
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(sandbox, "tmp/inc/io.txt"), "utf8"), "Hello !!con 👋\n");
  const cpu = /cpu-ms ([\d.]+)/.exec(r.stderr);
  assert.ok(cpu, r.stderr);
  return { wall, cpu: Number(cpu[1]), iced: /\niced true/.test(r.stderr) };
}

void test("abi-lab run from a warm cache: hello.scm end to end well under 400 ms of CPU, without loading iced; --no-cache writes nothing", (t) => {
  assert.ok(existsSync(join(process.cwd(), "dist/src/cli/main.js")), "npm run build first");
  const dir = tmp("cache");
  runHello(dir, ["--no-cache"]);
  assert.deepEqual(readdirSync(dir), []);
  assert.ok(runHello(dir).iced, "a cold run decodes with iced");
  for (const kind of ["compiled", "linked", "decoded"]) assert.equal(entries(dir, kind).length, 1, kind);
  const codes = entries(dir, "v8-code");
  assert.equal(codes.length, bundled ? 2 : 1);
  // A damaged V8 code cache is rejected (by our checksum or by V8) and rewritten. (Without its
  // decoded instructions, the run loads iced, through its code cache.)
  for (const code of codes) writeFileSync(code, readFileSync(code).subarray(0, 1000));
  for (const decoded of entries(dir, "decoded")) rmSync(decoded);
  assert.ok(runHello(dir).iced);
  const runs = Array.from({ length: 5 }, () => runHello(dir));
  // Every instruction it runs was decoded by an earlier run: iced-x86 is not even loaded.
  for (const r of runs) assert.equal(r.iced, false);
  const median = runs.map((r) => r.cpu).sort((a, b) => a - b)[2];
  const all = runs.map((r) => `${r.cpu.toFixed(0)} ms CPU / ${r.wall.toFixed(0)} ms wall`).join(", ");
  t.diagnostic(`warm hello.scm: ${all}`);
  assert.ok(median < 400, `warm hello.scm took ${median.toFixed(0)} ms of CPU (median of 5): ${all}`);
  for (const code of codes) assert.ok(readFileSync(code).length > 1000);
});

void test("concurrent runs on an empty cache all succeed and leave whole entries only", async () => {
  const dir = tmp("cache");
  const runs = Array.from(
    { length: 4 },
    () =>
      new Promise<number | null>((resolve) => {
        const sandbox = tmp("sandbox");
        const child = spawn(process.execPath, [cli, "run", "--sandbox", sandbox, HELLO], {
          env: { ...process.env, ABI_LAB_CACHE_DIR: dir, ABI_LAB_NO_CACHE: "" },
          stdio: "ignore",
        });
        child.on("exit", (code) => resolve(code));
      }),
  );
  assert.deepEqual(await Promise.all(runs), [0, 0, 0, 0]);
  for (const kind of ["compiled", "linked", "v8-code", "decoded"]) {
    const files = entries(dir, kind);
    // Temporary files renamed into place or removed: only entries.
    assert.equal(files.length, kind === "v8-code" && bundled ? 2 : 1, `${kind}: ${files.join(", ")}`);
    for (const f of files)
      await withCache(dir, () => assert.ok(readEntry(kind, f.replace(/^.*\/|\.bin$/g, ""))));
  }
});
