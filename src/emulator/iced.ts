/**
 * iced-x86, loaded with `require` (through V8's code cache when the object cache is enabled) on
 * first use: a run whose instructions all come from the object cache never loads it. It is one
 * CommonJS file of about 1 MB and a 0.8 MB WebAssembly module; imported as an ES module, Node would
 * parse it twice more (to detect its module format and to find its named exports). Load iced from
 * here; its constants are in iced-enums.ts.
 */
import type * as Iced from "iced-x86";
import { requireWithCodeCache } from "../cache/code-cache.js";

let iced: typeof Iced | undefined;

export function loadIced(): typeof Iced {
  iced ??= requireWithCodeCache("iced-x86", import.meta.url) as typeof Iced;
  return iced;
}
