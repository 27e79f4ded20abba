#!/usr/bin/env node
// After tsc: bundles dist/src/cli/main.js and everything it imports into one CommonJS file,
// dist/src/cli/main.bundle.cjs, which bin/abi-lab.js loads for the commands that do not need ink
// (see FAST_COMMANDS there). Node loads one file much faster than ~60 ES modules (no per-module
// resolution, reading, linking), and bin loads it through V8's code cache (src/cache/code-cache.ts,
// itself bundled into dist/src/cache/code-cache.bundle.cjs so that bin, a CommonJS file, can
// require it without starting Node's ES module loader). Packages stay outside (required from
// node_modules as usual).
//
// Code compiled by vm.Script cannot use import() on Node 20 (without --experimental-vm-modules), so
// the bundle's few dynamic imports of what stays outside (keystone-wasm, the stepper) call
// __abiLabImport instead, which bin passes in: the import() of a real ES module.
//
// The bundle is only an optimisation: without esbuild it is not made, and bin/abi-lab.js uses the
// ES modules whenever the bundle is missing or older than dist/src/cli/main.js (tsc rewrites
// every file of dist/, so a tsc run after the bundle makes it stale).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const cli = join(process.cwd(), "dist", "src", "cli");
const out = join(cli, "main.bundle.cjs");
const loaderOut = join(process.cwd(), "dist", "src", "cache", "code-cache.bundle.cjs");
rmSync(out, { force: true });
rmSync(loaderOut, { force: true });

let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  console.log("bundle: esbuild is not installed; bin/abi-lab.js will load the ES modules");
  process.exit(0);
}

// ES modules know where they are from import.meta. In the bundle, each module's import.meta.url
// is still its own file's URL in dist/ (found relative to the bundle, so the package may move);
// import.meta.resolve(package) gives the package's ES module entry, as it does in an ES module.
const banner = `"use strict";
var __abiLabModuleUrl = (path) => require("node:url").pathToFileURL(require("node:path").join(__dirname, path)).href;
var __abiLabMetaResolve = (specifier) => {
  const { dirname, join } = require("node:path");
  const { existsSync, readFileSync } = require("node:fs");
  let dir = dirname(require("node:module").createRequire(__filename).resolve(specifier));
  for (;;) {
    const file = join(dir, "package.json");
    const pkg = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
    if (pkg && pkg.name === specifier) {
      const dot = pkg.exports && (typeof pkg.exports === "string" ? pkg.exports : pkg.exports["."]);
      const entry = typeof dot === "string" ? dot : (dot && (dot.import || dot.default)) || pkg.main;
      return require("node:url").pathToFileURL(join(dir, entry)).href;
    }
    if (dirname(dir) === dir) throw new Error("cannot resolve " + specifier);
    dir = dirname(dir);
  }
};`;

/** import.meta.url → __abiLabModuleUrl("<the module's path relative to the bundle's folder>"). */
const moduleUrls = {
  name: "module-urls",
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const path = JSON.stringify(relative(cli, args.path));
      return { contents: source.replaceAll("import.meta.url", `__abiLabModuleUrl(${path})`), loader: "js" };
    });
  },
};

try {
  await esbuild.build({
    entryPoints: [join(cli, "main.js")],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    // The stepper needs ink (ES modules only, which require() cannot load on Node 20).
    external: ["./step-command.js"],
    define: { "import.meta.resolve": "__abiLabMetaResolve" },
    plugins: [moduleUrls],
    banner: { js: banner },
    logLevel: "warning",
  });
  await esbuild.build({
    entryPoints: [join(process.cwd(), "dist", "src", "cache", "code-cache.js")],
    outfile: loaderOut,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "warning",
  });
} catch (e) {
  rmSync(out, { force: true });
  rmSync(loaderOut, { force: true });
  console.log(`bundle: esbuild failed (${e instanceof Error ? e.message : String(e)}); no bundle made`);
  process.exit(0);
}

// Every import( left is the `await import(...)` of something outside the bundle.
const code = readFileSync(out, "utf8");
const all = code.match(/\bimport\(/g) ?? [];
const awaited = code.match(/\bawait import\(/g) ?? [];
if (all.length !== awaited.length) {
  rmSync(out, { force: true });
  console.log("bundle: an import( that is not a dynamic import of an external module; no bundle made");
  process.exit(0);
}
// esbuild writes strings and identifiers in ASCII (charset "ascii"), but a few comments keep other
// characters; escaped too, the file is all ASCII, which V8 holds as a one-byte string: half the size
// of the two-byte string one "→" in a comment costs, and quicker to read at every start.
const ascii = (text) =>
  text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
writeFileSync(out, ascii(code.replace(/\bawait import\(/g, "await __abiLabImport(")));
