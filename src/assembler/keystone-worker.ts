/**
 * The worker side of GuardedAssembler (guarded-assembler.ts): keystone in a thread of its own, so
 * that an input keystone loops on forever can be given up on. One request at a time arrives on
 * the port; the reply is posted back, then the shared flag is raised for the waiting caller (it is
 * raised once first when keystone is loaded).
 */
import { workerData, type MessagePort } from "node:worker_threads";
import { Assembler, KeystoneCrash, KeystoneFailure, keystoneReady } from "./keystone.js";

export interface AsmRequest {
  text: string;
  address: number;
  minimumLength: number;
  /** The first call of a new file: it gets a new keystone instance. */
  fresh: boolean;
}

export type AsmReply =
  | { kind: "bytes"; bytes: Uint8Array }
  | { kind: "failure"; detail: string; printed: string }
  | { kind: "crash"; message: string };

const { flag, port } = workerData as { flag: Int32Array; port: MessagePort };

function answer(request: AsmRequest, assembler: Assembler): AsmReply {
  try {
    return { kind: "bytes", bytes: assembler.asm(request.text, request.address, request.minimumLength) };
  } catch (e) {
    if (e instanceof KeystoneFailure) return { kind: "failure", detail: e.detail, printed: e.printed };
    if (e instanceof KeystoneCrash) return { kind: "crash", message: e.message };
    return { kind: "crash", message: e instanceof Error ? e.message : String(e) };
  }
}

function raise(): void {
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

let assembler: Assembler | undefined;
await keystoneReady();
port.on("message", (request: AsmRequest) => {
  void (async () => {
    await keystoneReady();
    if (request.fresh) {
      assembler?.close();
      assembler = undefined;
    }
    assembler ??= new Assembler();
    const reply = answer(request, assembler);
    if (reply.kind === "crash") assembler = undefined;
    port.postMessage(reply);
    raise();
  })();
});
raise();
