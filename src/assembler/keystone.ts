import { Const, Keystone, loadKeystone } from "keystone-wasm";

let ready: Promise<void> | undefined;

/** Load keystone's wasm once per process. */
export function keystoneReady(): Promise<void> {
  if (!ready) ready = loadKeystone();
  return ready;
}

export class KeystoneFailure extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

/**
 * One keystone instance per syntax, replaced after any failure (a failed call can leave an
 * instance in a bad state).
 */
export class Assembler {
  private instance: Keystone | undefined;

  constructor(private readonly syntax: "intel" | "att") {}

  private ks(): Keystone {
    if (!this.instance) {
      const ks = new Keystone(Const.KS_ARCH_X86, Const.KS_MODE_64);
      if (this.syntax === "att") ks.setOption(Const.KS_OPT_SYNTAX, Const.KS_OPT_SYNTAX_ATT);
      this.instance = ks;
    }
    return this.instance;
  }

  /** Assemble text at address; throws KeystoneFailure with keystone's message. */
  asm(text: string, address: number): Uint8Array {
    try {
      return this.ks().asm(text, { address });
    } catch (e) {
      try {
        this.instance?.close();
      } catch {
        // a broken instance may not close cleanly; it is dropped either way
      }
      this.instance = undefined;
      const message = e instanceof Error ? e.message : String(e);
      throw new KeystoneFailure(message.replace(/^Failed to assemble, error: /, ""));
    }
  }
}
