/**
 * `require` for a big CommonJS file (iced-x86's 1 MB of generated JavaScript), with V8's code cache
 * kept in the object cache: a later run skips parsing and compiling the functions the first run
 * used. The first run writes the code cache when the process exits, so that it holds every function
 * compiled by then. V8 itself rejects a code cache that does not match the source or the V8 build;
 * the module is then compiled as usual and the entry replaced.
 *
 * The module is registered in `require.cache` like any other, so `require` and `import` of the same
 * package elsewhere return this instance.
 */
import { readFileSync, statSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import vm from "node:vm";
import { cacheEnabled, cacheKey, readEntry, writeEntry } from "./object-cache.js";

type ModuleFunction = (
  exports: unknown,
  require: NodeJS.Require,
  module: Module,
  filename: string,
  dirname: string,
) => void;

const KIND = "v8-code";

/** `createRequire(from)(specifier)`, through the code cache when it is enabled. */
export function requireWithCodeCache(specifier: string, from: string): unknown {
  const require = createRequire(from);
  const file = require.resolve(specifier);
  if (require.cache[file] !== undefined || !cacheEnabled()) return require(specifier);
  let script: vm.Script;
  let key: string;
  let cachedData: Uint8Array | undefined;
  try {
    const source = readFileSync(file, "utf8");
    const { size, mtimeMs } = statSync(file);
    key = cacheKey(KIND, [file, String(size), String(mtimeMs), process.version, process.arch]);
    cachedData = readEntry(KIND, key);
    script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
      filename: file,
      cachedData,
    });
  } catch {
    return require(specifier);
  }
  const module = new Module(file);
  module.filename = file;
  require.cache[file] = module;
  try {
    const run = script.runInThisContext() as ModuleFunction;
    run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  module.loaded = true;
  if (cachedData === undefined || script.cachedDataRejected === true)
    process.once("exit", () => writeEntry(KIND, key, script.createCachedData()));
  return module.exports;
}
