import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProgramView, SourceRef } from "../abi/call-trace.js";
import { SCHEME, SYSTEM_V, type CallingConvention } from "../abi/conventions.js";
import type { Signature } from "../abi/signatures.js";
import type { LoadedProgram } from "./load-program.js";
import { packageRoot } from "./package-root.js";

let runtimeSignatures: Map<string, Signature> | undefined;

/** runtime-rs's function signatures, extracted from its source at build time. */
export function runtimeSignatureTable(): Map<string, Signature> {
  if (!runtimeSignatures) {
    const path = join(packageRoot(), "runtime-rs", "dist", "signatures.json");
    const raw = JSON.parse(readFileSync(path, "utf8")) as unknown;
    const list = (
      Array.isArray(raw) ? raw : ((raw as { functions?: unknown[] }).functions ?? [])
    ) as Signature[];
    runtimeSignatures = new Map(list.map((s) => [s.name, s]));
  }
  return runtimeSignatures;
}

const C_TYPES: Record<string, string> = {
  int: "i32",
  long: "i64",
  size: "usize",
  ssize: "isize",
  bool: "bool",
  char: "u32",
  void: "",
  value: "Value",
};

/** What the tracer, checker and stepper need to know about a loaded program. */
export function programView(program: LoadedProgram): ProgramView & {
  conventionOf(target: number, callSite?: number): CallingConvention | undefined;
} {
  const { debug, compiled } = program;
  const signatures = new Map(runtimeSignatureTable());
  signatures.set("scheme_entry", {
    name: "scheme_entry",
    params: [
      { name: "heap", type: "*mut u8" },
      { name: "heap_end", type: "*mut u8" },
    ],
    returns: "Value",
  });
  for (const [symbol, f] of compiled?.foreign ?? []) {
    const params = f.params.flatMap((t, i) =>
      t === "string-bytes"
        ? [
            { name: `arg${i + 1}`, type: "*const u8" },
            { name: `arg${i + 1}_len`, type: "usize" },
          ]
        : [{ name: `arg${i + 1}`, type: C_TYPES[t] ?? t }],
    );
    signatures.set(symbol, { name: symbol, params, returns: C_TYPES[f.result] ?? f.result });
  }
  const procedures = compiled?.procedures ?? new Map<string, string>();
  return {
    nameOf: (a) => {
      const name = debug.nameOf(a);
      const base = name.replace(/\+0x[0-9a-f]+$/, "");
      const scheme = procedures.get(base);
      return scheme ? name.replace(base, `${base} (${scheme})`) : name;
    },
    functionAt: (a) => debug.functionAt(a),
    signatureOf: (name) => signatures.get(name),
    conventionOf: (target, callSite) => {
      // Calls inside the runtime are rustc's business: only the border is checked.
      if (callSite !== undefined && !debug.isProgram(callSite) && !debug.isProgram(target)) return undefined;
      const f = debug.functionAt(target);
      if (f && procedures.has(f)) return SCHEME;
      return SYSTEM_V;
    },
    isProgram: (a) => debug.isProgram(a),
    sourceOf: (a): SourceRef | undefined => {
      const span = debug.schemeAt(a);
      if (span)
        return { file: span.start.file, line: span.start.line, column: span.start.column, text: span.text };
      const line = debug.asmLineAt(a);
      return line ? { file: line.file, line: line.line, column: 1, text: line.text.trim() } : undefined;
    },
  };
}
