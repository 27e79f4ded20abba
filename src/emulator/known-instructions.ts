/**
 * Instructions decoded before, by address, each with the bytes it was decoded from: the decode
 * cache takes an instruction from here when the guest's bytes at its address are still those, and
 * adds what it decodes anew. The object cache keeps them between runs of a program
 * (src/cache/decoded-instructions.ts), so that a later run decodes nothing it decoded before.
 */
import type { DecodedInstruction } from "./decoded-instruction.js";

export interface KnownInstruction {
  ip: number;
  bytes: Uint8Array;
  ins: DecodedInstruction;
}

export class KnownInstructions {
  private readonly byIp = new Map<number, KnownInstruction>();
  /** Instructions added since it was made or loaded. */
  added = 0;

  constructor(known: readonly KnownInstruction[] = []) {
    for (const k of known) this.byIp.set(k.ip, k);
  }

  /** The instruction at `ip` if `window` holds its bytes at offset `pos`. */
  get(ip: number, window: Uint8Array, pos: number): DecodedInstruction | undefined {
    const k = this.byIp.get(ip);
    if (k === undefined) return undefined;
    const bytes = k.bytes;
    if (pos + bytes.length > window.length) return undefined;
    for (let i = 0; i < bytes.length; i++) if (window[pos + i] !== bytes[i]) return undefined;
    return k.ins;
  }

  /** Remembers the instruction decoded from `bytes` (copied) at `ip`. */
  add(ip: number, bytes: Uint8Array, ins: DecodedInstruction): void {
    this.byIp.set(ip, { ip, bytes: bytes.slice(), ins });
    this.added++;
  }

  get size(): number {
    return this.byIp.size;
  }

  all(): KnownInstruction[] {
    return [...this.byIp.values()];
  }
}
