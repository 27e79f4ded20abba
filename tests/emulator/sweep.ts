/**
 * A differential sweep, shared by scripts/gen-coverage.ts and scripts/fuzz-cpu.ts: samples one
 * family's generator (gen.ts) with a seed, runs the cases on the CPU (one batch) and on the
 * emulator, and reports which cases came out clean, per mnemonic and iced Code, and the mismatches,
 * shrunk by fast-check to a minimal instruction sequence with both states side by side.
 */
import fc from "fast-check";
import iced from "iced-x86";
import { FAMILIES, inputArb, source, toCase, type FamilyName, type Input } from "./gen.js";
import { assemble, assembleSync } from "./keystone.js";
import { CODE_ADDR, compare, report, runEmulated, runNative, type Case } from "./native.js";

const { Decoder, DecoderOptions } = iced;

export const DEFAULT_SEED = 20250101;
export const DEFAULT_RUNS = 600;

/** The generator of a family, as the differential test uses it. */
export function familyArb(family: FamilyName): fc.Arbitrary<Input> {
  return inputArb(FAMILIES[family], family === "mixed" ? 8 : 5);
}

/** The seed the differential test uses for a family, given its base seed. */
export function familySeed(family: FamilyName, seed: number): number {
  return seed + family.length;
}

export interface Mismatch {
  family: FamilyName;
  seed: number;
  /** The shrunk failing case, as a report (sequence, initial state, both final states). */
  report: string;
  shrinks: number;
}

export interface SweepResult {
  generated: number;
  /** Keystone could not encode the generated text (rare). */
  rejected: number;
  /** An instruction read a flag left undefined: the outcomes may legitimately differ. */
  tainted: number;
  clean: number;
  mismatches: Mismatch[];
  /** Clean cases per iced Mnemonic (a case counts once per mnemonic it contains) and the Codes seen. */
  perMnemonic: Map<number, { cases: number; codes: Set<number> }>;
}

let ready: Promise<unknown> | undefined;

/** Loads keystone (once) so that assembleSync works. */
export async function prepare(): Promise<void> {
  ready ??= assemble("nop", CODE_ADDR);
  await ready;
}

function build(input: Input): { src: string; c: Case } | null {
  const src = source(input);
  try {
    return { src, c: toCase(input, assembleSync(src, CODE_ADDR)) };
  } catch {
    return null;
  }
}

/** Runs one input natively and emulated; a report when they disagree. */
export function checkOne(input: Input): string | null {
  const b = build(input);
  if (b === null) return null;
  const emu = runEmulated(b.c);
  if (emu.tainted !== null) return null;
  const [native] = runNative([b.c]);
  const diffs = compare(native, emu);
  return diffs.length === 0 ? null : report(b.c, b.src, native, emu, diffs);
}

/**
 * Shrinks the failing input generated at position `index` of the sample with `seed`: fast-check
 * replays that run (its `path`), with the generation context it needs to shrink, running each
 * candidate natively, one by one.
 */
export function shrink(family: FamilyName, input: Input, seed: number, index: number): Mismatch {
  const property = fc.property(familyArb(family), (i) => checkOne(i) === null);
  let result = fc.check(property, { seed, path: String(index), numRuns: index + 1 });
  // Not reproduced at that position (should not happen): replay the whole sample.
  if (!result.failed) result = fc.check(property, { seed, numRuns: index + 1 });
  const shrunk = result.counterexample?.[0] ?? input;
  return {
    family,
    seed,
    report: checkOne(shrunk) ?? checkOne(input) ?? "(the mismatch did not reproduce case by case)",
    shrinks: result.numShrinks,
  };
}

function mnemonicsOf(code: Uint8Array): { mnemonic: number; code: number }[] {
  const d = new Decoder(64, code, DecoderOptions.None);
  d.ip = BigInt(CODE_ADDR);
  const out: { mnemonic: number; code: number }[] = [];
  const ins = new iced.Instruction();
  while (d.canDecode) {
    d.decodeOut(ins);
    out.push({ mnemonic: ins.mnemonic, code: ins.code });
  }
  d.free();
  ins.free();
  return out;
}

/** Samples `runs` inputs of a family with `seed` (as given: see familySeed) and runs them. */
export function sweep(family: FamilyName, runs: number, seed: number, shrinkMismatches = true): SweepResult {
  const inputs = fc.sample(familyArb(family), { numRuns: runs, seed });
  const built = inputs.map((input, index) => ({ input, index, b: build(input) }));
  const ok = built.filter((x) => x.b !== null);
  const natives = runNative(ok.map((x) => x.b!.c));
  const result: SweepResult = {
    generated: inputs.length,
    rejected: inputs.length - ok.length,
    tainted: 0,
    clean: 0,
    mismatches: [],
    perMnemonic: new Map(),
  };
  for (let k = 0; k < ok.length; k++) {
    const { input, b, index } = ok[k];
    const emu = runEmulated(b!.c);
    if (emu.tainted !== null) {
      result.tainted++;
      continue;
    }
    const diffs = compare(natives[k], emu);
    if (diffs.length > 0) {
      result.mismatches.push(
        shrinkMismatches
          ? shrink(family, input, seed, index)
          : { family, seed, report: report(b!.c, b!.src, natives[k], emu, diffs), shrinks: 0 },
      );
      continue;
    }
    result.clean++;
    const seen = new Set<number>();
    for (const { mnemonic, code } of mnemonicsOf(b!.c.code)) {
      const entry = result.perMnemonic.get(mnemonic) ?? { cases: 0, codes: new Set<number>() };
      if (!seen.has(mnemonic)) entry.cases++;
      seen.add(mnemonic);
      entry.codes.add(code);
      result.perMnemonic.set(mnemonic, entry);
    }
  }
  return result;
}
