export { LinuxKernel, type KernelOptions } from "./kernel.js";
export { resolveGuestPath, type Resolved } from "./sandbox-path.js";
export { SYSCALL_NAMES } from "./syscall-names.js";
