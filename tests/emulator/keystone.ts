/**
 * keystone-wasm with types: the package ships declarations that NodeNext resolution does not
 * find (its "exports" map has no "types" condition), so we describe the little we use.
 */

interface KeystoneInstance {
  asm(source: string, options?: { address?: number | bigint }): Uint8Array;
}

interface KeystoneModule {
  Keystone: new (arch: number, mode: number) => KeystoneInstance;
  Const: { KS_ARCH_X86: number; KS_MODE_64: number };
  loadKeystone(): Promise<void>;
}

/** Imported by a non-literal specifier so that TypeScript does not look for the unreachable types. */
const KEYSTONE: string = "keystone-wasm";
let api: KeystoneModule | undefined;
let instance: KeystoneInstance | undefined;

/** Assembles Intel-syntax x86-64 at `address` (".intel_syntax noprefix" is prepended). */
export async function assemble(source: string, address: number): Promise<Uint8Array> {
  if (instance === undefined) {
    api ??= (await import(KEYSTONE)) as KeystoneModule;
    await api.loadKeystone();
    instance = new api.Keystone(api.Const.KS_ARCH_X86, api.Const.KS_MODE_64);
  }
  return instance.asm(".intel_syntax noprefix\n" + source, { address });
}

/** Synchronous assembly once `assemble` has been awaited once. */
export function assembleSync(source: string, address: number): Uint8Array {
  if (instance === undefined) throw new Error("call assemble() once first");
  return instance.asm(".intel_syntax noprefix\n" + source, { address });
}
