#!/usr/bin/env node
"use strict";
/**
 * The `abi-lab` command. This file is CommonJS (bin/package.json says so): Node starts a CommonJS
 * entry without its ES module loader, which alone costs about 10 ms before anything runs.
 *
 * Commands run from dist/src/cli/main.bundle.cjs (scripts/bundle.mjs: one file, loaded through V8's
 * code cache, starts much faster than ~60 ES modules), when it is there and not older than the ES
 * modules. Others (the stepper needs ink, an ES-module-only package) run from the ES modules.
 */
const { statSync } = require("node:fs");
const { dirname, join } = require("node:path");
const { pathToFileURL } = require("node:url");

const FAST_COMMANDS = new Set(["run", "compile", "build", "trace", "check", "exercises"]);

const argv = process.argv.slice(2);
const command = argv.find((a) => a !== "--debug" && a !== "--no-cache");
const dist = join(__dirname, "..", "dist", "src");
const bundle = join(dist, "cli", "main.bundle.cjs");
/** The code-cache loader as one CommonJS file (scripts/bundle.mjs makes it with the bundle). */
const loader = join(dist, "cache", "code-cache.bundle.cjs");

function bundleIsFresh() {
  try {
    const built = statSync(join(dist, "cli", "main.js")).mtimeMs;
    return statSync(bundle).mtimeMs >= built && statSync(loader).mtimeMs >= built;
  } catch {
    return false;
  }
}

/** The bundle's exports (through the code cache unless the cache is off). */
function loadBundle() {
  const end = argv.includes("--") ? argv.indexOf("--") : argv.length;
  const { cacheEnabled, loadWithCodeCache } = require(loader);
  // Code compiled by vm.Script cannot import() on Node 20: the bundle imports what stays outside it
  // (keystone-wasm, the stepper) through this function.
  const importer = (specifier) =>
    import(specifier.startsWith(".") ? pathToFileURL(join(dirname(bundle), specifier)).href : specifier);
  const useCache = cacheEnabled() && !argv.slice(0, end).includes("--no-cache");
  return loadWithCodeCache(bundle, { __abiLabImport: importer }, useCache);
}

async function start() {
  const { main } =
    (FAST_COMMANDS.has(command) && bundleIsFresh() ? loadBundle() : undefined) ??
    (await import("../dist/src/cli/main.js"));
  return main(argv);
}

start().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`abi-lab: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);
