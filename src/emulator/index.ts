/** The x86-64 user-mode CPU: public API. */
export * from "./types.js";
export { Machine, type MachineOptions, type MachineState } from "./machine.js";
export { Memory, DEFAULT_MEMORY_LIMIT, USER_TOP, type MemoryOptions, type MemoryRegion } from "./memory.js";
export { GuestFaultError, MemoryLimitError } from "./errors.js";
export { ShadowStack, type StackFrame } from "./shadow-stack.js";
export { cpuid, CPUID_FEATURES, type CpuidResult } from "./cpuid.js";
export { INSTRUCTIONS, instrDef } from "./instructions/table.js";
export type { InstrDef, Family } from "./instructions/def.js";
