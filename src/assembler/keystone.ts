import { Const, Keystone, loadKeystone } from "keystone-wasm";

let ready: Promise<void> | undefined;
/** What keystone printed during the current call (it prints some diagnostics instead of failing). */
let printed: string[] = [];

/** Load keystone's wasm once per process; its diagnostics are captured, not printed. */
export function keystoneReady(): Promise<void> {
  if (!ready) {
    const capture = (text: string) => {
      if (printed.length < 20) printed.push(String(text));
    };
    ready = loadKeystone({ print: capture, printErr: capture });
  }
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

/**
 * One keystone instance per syntax, replaced after any failure (a failed call can leave an
 * instance in a bad state).
 */
export class Assembler {
  private instance: Keystone | undefined;

  /**
   * Always an Intel-syntax instance: the source starts with `.intel_syntax noprefix` or
   * `.att_syntax`. (With KS_OPT_SYNTAX_ATT, keystone 0.9.2 reads every number as hexadecimal:
   * `movq $60, %rax` loads 0x60. The `.att_syntax` directive does not have that bug.)
   */
  private ks(): Keystone {
    this.instance ??= new Keystone(Const.KS_ARCH_X86, Const.KS_MODE_64);
    return this.instance;
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
