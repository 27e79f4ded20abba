/**
 * keystone-wasm, loaded once per process. Its wasm memory is a fixed 16 MiB: the assembler
 * keeps every call small (see chunks.ts), and if keystone ever traps anyway (out of memory),
 * the instance is thrown away and a fresh copy of the module is loaded for the next file.
 */
import type * as KeystoneWasm from "keystone-wasm";

type KeystoneModule = typeof KeystoneWasm;
type KeystoneInstance = InstanceType<KeystoneModule["Keystone"]>;

let module: KeystoneModule | undefined;
let ready: Promise<void> | undefined;
let generation = 0;
/** What keystone printed during the current call (it prints some diagnostics instead of failing). */
let printed: string[] = [];

/** A trap inside wasm code (out-of-bounds access, unreachable): the module's state is lost. */
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } })
  .WebAssembly.RuntimeError;

const capture = (text: string) => {
  if (printed.length < 20) printed.push(String(text));
};

async function load(): Promise<void> {
  // A new query string is a new module instance, hence a new wasm memory.
  const m = (
    generation === 0
      ? await import("keystone-wasm")
      : await import(`${import.meta.resolve("keystone-wasm")}?instance=${generation}`)
  ) as KeystoneModule;
  await m.loadKeystone({ print: capture, printErr: capture });
  module = m;
}

/** Resolves when keystone is loaded (the first call pays for compiling the wasm). */
export function keystoneReady(): Promise<void> {
  ready ??= load();
  return ready;
}

export class KeystoneFailure extends Error {
  constructor(
    /** Keystone's message without the "Failed to assemble, error:" prefix. */
    readonly detail: string,
    /** What keystone printed, if anything (LLVM-style diagnostics without line numbers). */
    readonly printed: string,
  ) {
    super(detail);
  }
}

/** keystone did not finish in time (GuardedAssembler): assembling the same text again would not either. */
export class KeystoneTimeout extends KeystoneFailure {}

/** keystone trapped (its memory is exhausted or corrupt): no more calls on this module. */
export class KeystoneCrash extends Error {}

/**
 * A keystone instance, replaced after any failure (a failed call can leave it in a bad
 * state). Always Intel syntax: the source starts with `.intel_syntax noprefix` or
 * `.att_syntax`. (With KS_OPT_SYNTAX_ATT, keystone 0.9.2 reads every number as hexadecimal:
 * `movq $60, %rax` loads 0x60. The `.att_syntax` directive does not have that bug.)
 */
/** What the assembler needs of keystone: Assembler in process, GuardedAssembler in a worker. */
export interface AsmEngine {
  /** Assemble text at address; throws KeystoneFailure (bad input) or KeystoneCrash (keystone broke). */
  asm(text: string, address: number, minimumLength?: number): Uint8Array;
  close(): void;
}

export class Assembler implements AsmEngine {
  private instance: KeystoneInstance | undefined;

  private ks(): KeystoneInstance {
    if (!module) throw new KeystoneCrash("keystone is not loaded (await keystoneReady() first)");
    this.instance ??= new module.Keystone(module.Const.KS_ARCH_X86, module.Const.KS_MODE_64);
    return this.instance;
  }

  /** Frees the keystone instance (keystone's heap is small and never grows). */
  close(): void {
    this.drop();
  }

  private drop(): void {
    try {
      this.instance?.close();
    } catch {
      // a broken instance may not close cleanly; it is dropped either way
    }
    this.instance = undefined;
  }

  /**
   * Assemble text at address; throws KeystoneFailure with keystone's message. `minimumLength`
   * guards against keystone's habit of printing an error and returning nothing.
   */
  asm(text: string, address: number, minimumLength = 0): Uint8Array {
    printed = [];
    let bytes: Uint8Array;
    try {
      bytes = this.ks().asm(text, { address });
    } catch (e) {
      if (e instanceof WasmRuntimeError) {
        // The module's memory cannot be trusted any more: load a fresh one next time.
        this.instance = undefined;
        module = undefined;
        ready = undefined;
        generation++;
        throw new KeystoneCrash(`keystone crashed (${e.message})`);
      }
      if (e instanceof KeystoneCrash) throw e;
      this.drop();
      const message = e instanceof Error ? e.message : String(e);
      throw new KeystoneFailure(message.replace(/^Failed to assemble, error: /, ""), printed.join("\n"));
    }
    if (bytes.length < minimumLength || printed.some((p) => /error/i.test(p))) {
      this.drop();
      const said = printed.join("\n");
      throw new KeystoneFailure(/error: ([^\n]*)/.exec(said)?.[1] ?? "keystone produced no code", said);
    }
    return bytes;
  }
}
