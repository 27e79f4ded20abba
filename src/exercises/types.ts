import type fc from "fast-check";
import type { GpRegister } from "../emulator/types.js";

/**
 * An exercise is data: what the student reads, what they start from, and how an answer is
 * judged (a reference model, input generators, requirements, points). The grader knows no
 * exercise by name; docs/exercises.md describes the format with a full example.
 */
export type Exercise = FunctionExercise | SchemeExercise;

/** The graded parts of an exercise; each is one test in the reports. */
export type TestKind = "edge-cases" | "random-inputs" | "convention" | "requirements";

interface ExerciseBase {
  /** Short, kebab-case: `abi-lab check answer.s --exercise ID`. */
  id: string;
  title: string;
  /** What to do, for a person; paragraphs separated by blank lines. */
  statement: string;
  /** The function's C signature (or, for Scheme, the procedure's). */
  signature: string;
  /** The file `abi-lab exercises ID --start` writes: it must fail the grader with a helpful message. */
  starter: { file: string; source: string };
  /** Points per graded part (defaults: edge cases 2, random inputs 4, convention 3, each requirement 1). */
  points?: Partial<Record<Exclude<TestKind, "requirements">, number>>;
  /** Short advice shown with a failure. */
  hints?: string[];
  /** Random inputs per run (default 100). */
  numRuns?: number;
  /** Instruction budget of one call or run (default 200,000). */
  maxSteps?: number;
}

/** What a call must produce; only the fields given are compared. */
export interface Expected {
  rax?: bigint;
  rdx?: bigint;
  /** What the call writes to standard output. */
  stdout?: string;
}

/** A property of the calls the answer makes, beyond the result. */
export type Requirement =
  | {
      kind: "calls";
      /** The function that must be called at least once over all the grader's calls. */
      symbol: string;
      /** One line: why (shown when it fails). */
      why: string;
      points?: number;
    }
  | {
      kind: "argument";
      /** At every call to this function... */
      symbol: string;
      /** ...this register (its low `bits` bits) must hold `expected(args)`. */
      register: GpRegister;
      bits?: 8 | 32 | 64;
      expected(args: readonly bigint[]): bigint;
      /** Name of the rule, as reports show it (e.g. `variadic-al`). */
      rule: string;
      why: string;
      points?: number;
    };

/** The student writes an assembly function; the grader calls it with arguments, as a C caller would. */
export interface FunctionExercise extends ExerciseBase {
  kind: "function";
  /** The symbol the answer must define. */
  function: string;
  /** What the grader calls (default: `function`), e.g. a driver in `support`. */
  entry?: string;
  /** Assembly linked after the answer (Intel syntax): helpers and drivers the exercise provides. */
  support?: string;
  /** Integer/pointer arguments of one call (System V: six in registers, then the stack). */
  inputs: fc.Arbitrary<bigint[]>;
  /** Fixed cases, always run first. */
  edgeCases: bigint[][];
  /** The reference model. */
  expected(args: readonly bigint[]): Expected;
  /** How a call's arguments read in a message (default: signed decimals). */
  showArgs?(args: readonly bigint[]): string;
  /** How a returned register reads (default: signed decimal). */
  showValue?(value: bigint, register: "rax" | "rdx"): string;
  /** Names of the result registers in messages (e.g. `{ rax: "quotient", rdx: "remainder" }`). */
  resultNames?: { rax?: string; rdx?: string };
  requirements?: Requirement[];
}

/** The student writes Scheme; the grader appends a driver that applies `procedure` to each input. */
export interface SchemeExercise extends ExerciseBase {
  kind: "scheme";
  /** The procedure the answer must define, applied to each input by the driver. */
  procedure: string;
  /** Inputs as text; `datum` turns one into a Scheme expression. */
  inputs: fc.Arbitrary<string>;
  edgeCases: string[];
  datum(input: string): string;
  /** The reference model: what `(write (procedure input))` prints. */
  expected(input: string): string;
  requirements?: Extract<Requirement, { kind: "calls" }>[];
}
