/**
 * A differential sweep, shared by scripts/gen-coverage.ts and scripts/fuzz-cpu.ts: samples one
 * suite's generator with a seed, runs the cases on the CPU (one batch) and on the emulator, and
 * reports which cases came out clean, per mnemonic and iced Code, and the mismatches, shrunk by
 * fast-check to a minimal instruction sequence with both states side by side.
 *
 * A suite is a generator plus how to turn one of its inputs into a harness case. SUITES holds the
 * families of gen.ts; another generator (an x87 one building machine code itself, say) joins the
 * sweeps, the coverage table and fuzz:cpu by adding a `suite(...)` entry here.
 */
import fc from "fast-check";
import iced from "iced-x86";
import { FAMILIES, inputArb, source, toCase, type Input } from "./gen.js";
import { assemble, assembleSync } from "./keystone.js";
import { CODE_ADDR, compare, report, runEmulated, runNative, type Case } from "./native.js";

const { Decoder, DecoderOptions } = iced;

export const DEFAULT_SEED = 20250101;
export const DEFAULT_RUNS = 600;

export interface Suite {
  name: string;
  /** Samples `runs` cases with `seed`: each built one (null: not encodable) with its source text. */
  sample(runs: number, seed: number): ({ src: string; c: Case } | null)[];
  /** Shrinks the failing case at position `index` of the sample with `seed`; null if it does not fail. */
  shrink(seed: number, index: number): { report: string; shrinks: number } | null;
}

/** A suite over a fast-check generator of inputs and a builder of harness cases. */
export function suite<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  build: (input: T) => { src: string; c: Case } | null,
): Suite {
  const check = (input: T): string | null => {
    const b = build(input);
    if (b === null) return null;
    const emu = runEmulated(b.c);
    if (emu.tainted !== null) return null;
    const [native] = runNative([b.c]);
    const diffs = compare(native, emu);
    return diffs.length === 0 ? null : report(b.c, b.src, native, emu, diffs);
  };
  return {
    name,
    sample: (runs, seed) => fc.sample(arb, { numRuns: runs, seed }).map(build),
    shrink(seed, index) {
      // fast-check replays that run (its `path`), with the generation context it needs to shrink,
      // running each candidate natively, one by one.
      const property = fc.property(arb, (i) => check(i) === null);
      let result = fc.check(property, { seed, path: String(index), numRuns: index + 1 });
      if (!result.failed) result = fc.check(property, { seed, numRuns: index + 1 });
      if (!result.failed || result.counterexample === null) return null;
      const text = check(result.counterexample[0]);
      return text === null ? null : { report: text, shrinks: result.numShrinks };
    },
  };
}

/** Assembles a gen.ts input, or null if keystone rejects the generated text (rare: encoding limits). */
function buildText(input: Input): { src: string; c: Case } | null {
  const src = source(input);
  try {
    return { src, c: toCase(input, assembleSync(src, CODE_ADDR)) };
  } catch {
    return null;
  }
}

/** Every suite, in sweep order: the families of gen.ts, as the differential test samples them. */
export const SUITES: readonly Suite[] = (Object.keys(FAMILIES) as (keyof typeof FAMILIES)[]).map((f) =>
  suite(f, inputArb(FAMILIES[f], f === "mixed" ? 8 : 5), buildText),
);

/** The seed the differential test uses for a suite, given its base seed. */
export function suiteSeed(s: Suite, seed: number): number {
  return seed + s.name.length;
}

export interface Mismatch {
  suite: string;
  seed: number;
  /** The case's position in the sample (Suite.shrink shrinks it). */
  index: number;
  /** The shrunk failing case, as a report (sequence, initial state, both final states). */
  report: string;
  shrinks: number;
}

export interface SweepResult {
  generated: number;
  /** The assembler could not encode the generated text (rare). */
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

/** Samples `runs` cases of a suite with `seed` (as given: see suiteSeed) and runs them. */
export function sweep(s: Suite, runs: number, seed: number, shrinkMismatches = true): SweepResult {
  const built = s.sample(runs, seed).map((b, index) => ({ b, index }));
  const ok = built.filter((x) => x.b !== null);
  const natives = runNative(ok.map((x) => x.b!.c));
  const result: SweepResult = {
    generated: built.length,
    rejected: built.length - ok.length,
    tainted: 0,
    clean: 0,
    mismatches: [],
    perMnemonic: new Map(),
  };
  for (let k = 0; k < ok.length; k++) {
    const { b, index } = ok[k];
    const emu = runEmulated(b!.c);
    if (emu.tainted !== null) {
      result.tainted++;
      continue;
    }
    const diffs = compare(natives[k], emu);
    if (diffs.length > 0) {
      const shrunk = shrinkMismatches ? s.shrink(seed, index) : null;
      result.mismatches.push({
        suite: s.name,
        seed,
        index,
        report: shrunk?.report ?? report(b!.c, b!.src, natives[k], emu, diffs),
        shrinks: shrunk?.shrinks ?? 0,
      });
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
