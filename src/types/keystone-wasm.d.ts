/**
 * keystone-wasm ships declarations that NodeNext resolution cannot reach (its "exports" map has
 * no "types" condition); these describe the part abi-lab uses.
 */
declare module "keystone-wasm" {
  export class Keystone {
    constructor(arch: number, mode: number);
    setOption(option: number, value: number): number;
    asm(source: string, options?: { address?: number | bigint }): Uint8Array;
    close(): void;
  }
  export const Const: {
    KS_ARCH_X86: number;
    KS_MODE_64: number;
    KS_OPT_SYNTAX: number;
    KS_OPT_SYNTAX_INTEL: number;
    KS_OPT_SYNTAX_ATT: number;
  };
  export function loadKeystone(args?: Record<string, unknown>): Promise<void>;
}
