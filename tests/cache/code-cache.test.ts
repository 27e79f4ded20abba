/**
 * The V8 code cache of a big CommonJS file (src/cache/code-cache.ts), across processes: the first
 * run writes the entry when it exits; a later run uses it and leaves it alone; an entry that is
 * corrupt (its checksum fails) or stale (V8 rejects the data) is replaced by a good one.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const work = mkdtempSync(join(tmpdir(), "abi-lab-code-cache-"));
after(() => rmSync(work, { recursive: true, force: true }));

const MAGIC = "ABILABC1";
const moduleFile = join(work, "big.cjs");
writeFileSync(
  moduleFile,
  Array.from({ length: 200 }, (_, i) => `exports.f${i} = (x) => x * ${i} + ${i % 7};`).join("\n") + "\n",
);

/** Loads the module through the code cache in a new process; returns what it computed. */
function load(cacheDir: string): string {
  const script = `
    import { loadWithCodeCache } from ${JSON.stringify(join(ROOT, "src/cache/code-cache.ts"))};
    const m = loadWithCodeCache(${JSON.stringify(moduleFile)});
    process.stdout.write(String(m.f3(2) + m.f199(1)));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ABI_LAB_CACHE_DIR: cacheDir, ABI_LAB_NO_CACHE: "" },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The only code cache entry: its path, inode (a rewrite renames a new file into place) and bytes. */
function entry(cacheDir: string) {
  const dir = join(cacheDir, "v8-code");
  const names = readdirSync(dir);
  assert.equal(names.length, 1, `one entry in ${dir}: ${names.join(", ")}`);
  const path = join(dir, names[0]);
  const bytes = readFileSync(path);
  return { path, ino: statSync(path).ino, bytes };
}

/** Whether an entry's bytes are whole: the magic, then the SHA-256 of the payload that follows. */
function whole(bytes: Buffer): boolean {
  const payload = bytes.subarray(MAGIC.length + 32);
  return (
    bytes.subarray(0, MAGIC.length).toString("latin1") === MAGIC &&
    createHash("sha256")
      .update(payload)
      .digest()
      .equals(bytes.subarray(MAGIC.length, MAGIC.length + 32)) &&
    payload.length > 0
  );
}

test("written by the first run, kept by the next, rewritten when corrupt or stale", () => {
  const cacheDir = join(work, "cache");
  const expected = String(3 * 2 + 3 + (199 + (199 % 7)));
  assert.equal(load(cacheDir), expected);
  const first = entry(cacheDir);
  assert.ok(whole(first.bytes), "the first run wrote a whole entry");

  assert.equal(load(cacheDir), expected);
  const second = entry(cacheDir);
  assert.equal(second.ino, first.ino, "a good entry is used, not rewritten");

  // Corrupt: a payload byte flipped, so the checksum fails.
  const corrupt = Buffer.from(second.bytes);
  corrupt[corrupt.length - 1] ^= 0xff;
  writeFileSync(second.path, corrupt);
  assert.equal(load(cacheDir), expected);
  const repaired = entry(cacheDir);
  assert.notEqual(repaired.ino, second.ino, "a corrupt entry is rewritten");
  assert.ok(whole(repaired.bytes), "a corrupt entry is replaced by a whole one");
  assert.ok(!repaired.bytes.equals(corrupt));

  // Stale: a whole entry (right checksum) whose data V8 rejects.
  const junk = randomBytes(4096);
  const stale = Buffer.concat([Buffer.from(MAGIC), createHash("sha256").update(junk).digest(), junk]);
  writeFileSync(repaired.path, stale);
  const staleIno = statSync(repaired.path).ino;
  assert.equal(load(cacheDir), expected);
  const fresh = entry(cacheDir);
  assert.notEqual(fresh.ino, staleIno, "a stale entry is rewritten");
  assert.ok(whole(fresh.bytes));
  assert.ok(!fresh.bytes.subarray(MAGIC.length + 32).equals(junk), "with V8's data, not the rejected data");
});
