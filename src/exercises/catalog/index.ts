import type { Exercise } from "../types.js";
import { alignWriteln } from "./align-writeln.js";
import { calleeSavedLoop } from "./callee-saved-loop.js";
import { debugCrash } from "./debug-crash.js";
import { defineForeign } from "./define-foreign.js";
import { leafArgs } from "./leaf-args.js";
import { recursionFrames } from "./recursion-frames.js";
import { redZone } from "./red-zone.js";
import { stackArgs } from "./stack-args.js";
import { structReturn } from "./struct-return.js";
import { taggedValues } from "./tagged-values.js";
import { translationShim } from "./translation-shim.js";
import { variadicAl } from "./variadic-al.js";

/** Every exercise, from first steps to the talk's themes: the order `abi-lab exercises` lists them in. */
export const EXERCISES: readonly Exercise[] = [
  leafArgs,
  stackArgs,
  alignWriteln,
  calleeSavedLoop,
  redZone,
  structReturn,
  variadicAl,
  recursionFrames,
  debugCrash,
  taggedValues,
  translationShim,
  defineForeign,
];

export function findExercise(id: string): Exercise | undefined {
  return EXERCISES.find((e) => e.id === id);
}
