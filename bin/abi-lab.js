#!/usr/bin/env node
import { statSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Commands run from dist/src/cli/main.bundle.cjs (scripts/bundle.mjs: one file loads much faster
 * than the ~60 ES modules), when it is there and not older than the ES modules. Others (the stepper
 * needs ink, an ES-module-only package) run from the ES modules.
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

const { main } =
  FAST_COMMANDS.has(command) && bundleIsFresh()
    ? createRequire(import.meta.url)(bundle.pathname)
    : await import("../dist/src/cli/main.js");

main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`abi-lab: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);
