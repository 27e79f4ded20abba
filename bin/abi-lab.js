#!/usr/bin/env node
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Commands run from dist/src/cli/main.bundle.cjs (scripts/bundle.mjs: one file, loaded through V8's
 * code cache, starts much faster than ~60 ES modules), when it is there and not older than the ES
 * modules. Others (the stepper needs ink, an ES-module-only package) run from the ES modules.
 */
const FAST_COMMANDS = new Set(["run", "compile", "build", "trace"]);

const argv = process.argv.slice(2);
const command = argv.find((a) => a !== "--debug" && a !== "--no-cache");
const bundle = new URL("../dist/src/cli/main.bundle.cjs", import.meta.url);

function bundleIsFresh() {
  try {
    return statSync(bundle).mtimeMs >= statSync(new URL("../dist/src/cli/main.js", import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
}

/** The bundle's exports (through the code cache unless the cache is off). */
async function loadBundle() {
  const end = argv.includes("--") ? argv.indexOf("--") : argv.length;
  const { cacheEnabled } = await import("../dist/src/cache/object-cache.js");
  const { loadWithCodeCache } = await import("../dist/src/cache/code-cache.js");
  const importer = (specifier) =>
    import(specifier.startsWith(".") ? new URL(specifier, bundle).href : specifier);
  const useCache = cacheEnabled() && !argv.slice(0, end).includes("--no-cache");
  return loadWithCodeCache(fileURLToPath(bundle), { __abiLabImport: importer }, useCache);
}

const { main } =
  (FAST_COMMANDS.has(command) && bundleIsFresh() ? await loadBundle() : undefined) ??
  (await import("../dist/src/cli/main.js"));

main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`abi-lab: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);
