/**
 * Errors raised inside the emulator. A `GuestFaultError` is a hardware exception on its way to
 * becoming a `GuestFault`: memory and instruction handlers throw it, `Machine.run()` catches it,
 * fills in the instruction address and returns `{ kind: "fault" }`. It never escapes `run()`.
 * Kernel-side accessors (`Memory.readBytes` ...) throw it too, so that a syscall can turn it into
 * `-EFAULT`.
 */
import type { Signal } from "./types.js";

export class GuestFaultError extends Error {
  /** A non-canonical address (#GP, or #SS when addressed through the stack segment). */
  nonCanonical = false;

  constructor(
    readonly signal: Signal,
    readonly reason: string,
    readonly address?: number,
    /** A trap (int3): the saved rip is the next instruction, as on hardware. */
    readonly trap = false,
  ) {
    super(reason);
    this.name = "GuestFaultError";
  }
}

/** `Memory.map` would exceed the memory cap (`limitBytes`). Nothing was mapped. */
export class MemoryLimitError extends Error {
  constructor(
    readonly requestedBytes: number,
    readonly mappedBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `guest memory limit exceeded: mapping ${requestedBytes} bytes with ${mappedBytes} of ${limitBytes} bytes already mapped`,
    );
    this.name = "MemoryLimitError";
  }
}

/** Formats a guest address as hardware would show it: unsigned 64-bit hex. */
export function hex(address: number): string {
  if (!Number.isFinite(address)) return String(address);
  const a = Math.trunc(address);
  if (a < 0) return "0x" + (BigInt(a) + (1n << 64n)).toString(16);
  return "0x" + a.toString(16);
}
