/**
 * Loading a big CommonJS file (iced-x86's 1 MB of generated JavaScript, the CLI bundle) with V8's
 * code cache kept in the object cache: a later run skips parsing and compiling the functions the
 * first run used. The first run writes the code cache when the process exits, so that it holds
 * every function compiled by then. V8 itself rejects a code cache that does not match the source or
 * the V8 build; the file is then compiled as usual and the entry replaced.
 *
 * The module is registered in `require.cache` like any other, so `require` and `import` of the same
 * file elsewhere return this instance.
 */
import { readFileSync, statSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import vm from "node:vm";
import { cacheEnabled, cacheKey, readEntry, writeEntry } from "./object-cache.js";

/** For bin/abi-lab.js, which requires this module alone (bundled): whether the cache is on. */
export { cacheEnabled };

const KIND = "v8-code";
/** Code caches are big (half a MiB) and one per version of a file: keep only a few. */
const MAX_CODE_CACHES = 8;

/** `createRequire(from)(specifier)`, through the code cache when it is enabled. */
export function requireWithCodeCache(specifier: string, from: string): unknown {
  const require = createRequire(from);
  const file = require.resolve(specifier);
  if (require.cache[file] !== undefined || !cacheEnabled()) return require(specifier);
  return loadWithCodeCache(file) ?? require(specifier);
}

/**
 * Run a CommonJS file through the code cache (unless `useCache` is false) and return its exports;
 * undefined if it could not be compiled (then nothing of it has run). `extra` are further arguments
 * of the module wrapper, by parameter name (the CLI bundle takes the `import()` of a real ES module
 * as `__abiLabImport`).
 */
export function loadWithCodeCache(
  file: string,
  extra: Record<string, unknown> = {},
  useCache = true,
): unknown {
  let script: vm.Script;
  let key: string | undefined;
  let cachedData: Uint8Array | undefined;
  try {
    const source = readFileSync(file, "utf8");
    if (useCache) {
      const { size, mtimeMs } = statSync(file);
      key = cacheKey(KIND, [file, String(size), String(mtimeMs), process.version, process.arch]);
      cachedData = readEntry(KIND, key);
    }
    const params = ["exports", "require", "module", "__filename", "__dirname", ...Object.keys(extra)];
    script = new vm.Script(`(function (${params.join(", ")}) {${source}\n})`, { filename: file, cachedData });
  } catch {
    return undefined;
  }
  const module = new Module(file);
  module.filename = file;
  const require = createRequire(file);
  require.cache[file] = module;
  try {
    const run = script.runInThisContext() as (...args: unknown[]) => void;
    run.call(module.exports, module.exports, require, module, file, dirname(file), ...Object.values(extra));
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  module.loaded = true;
  if (key !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    const entry = key;
    process.once("exit", () => writeEntry(KIND, entry, script.createCachedData(), MAX_CODE_CACHES));
  }
  return module.exports;
}
