/**
 * abi-lab as a library: everything the CLI does, importable, so teachers can write their own
 * property tests (see the README's "Library API").
 */
export { compileScheme, type CompiledProgram, type CompileOptions } from "./compiler/index.js";
export { assemble, AssemblyError, type AssembledProgram } from "./assembler/index.js";
export { linkProgram, writeExecutable, readExecutable, LinkError, type Image } from "./linker/index.js";
export { Machine, Memory } from "./emulator/index.js";
export type {
  GuestMachine,
  MachineObserver,
  StopReason,
  CallEvent,
  ReturnEvent,
  SyscallEvent,
} from "./emulator/types.js";
export { loadProgram, linkAssembly, type LoadedProgram } from "./pipeline/load-program.js";
export { runProgram, type RunOptions, type RunResult, type ResourceLimit } from "./pipeline/run-program.js";
export { DebugInfo } from "./pipeline/debug-info.js";
export { programView } from "./pipeline/program-view.js";
export { FunctionLab, type CallOptions, type CallResult } from "./lab/function-lab.js";
export { AbiChecker, type Violation } from "./abi/checker.js";
export { SYSTEM_V, SCHEME, RULES, type CallingConvention, type RuleName } from "./abi/conventions.js";
export { CallTracer, formatTraceEvent, type TraceEvent } from "./abi/call-trace.js";
export { decodeValue } from "./values/decode.js";
export * as layout from "./values/layout.js";
export { UserInputError } from "./diagnostics.js";
export { EXERCISES, findExercise } from "./exercises/catalog/index.js";
export { gradeAnswer, type GradeOptions } from "./exercises/grade.js";
export type { Exercise, FunctionExercise, SchemeExercise, Requirement } from "./exercises/types.js";
export type { GradeReport, TestResult } from "./exercises/report.js";
export { FORMATS as REPORT_FORMATS } from "./exercises/formats/index.js";
