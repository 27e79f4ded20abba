/**
 * keystone-wasm loops forever on some malformed lines (source-lines.ts rejects the patterns we
 * know of, but fuzzing keeps finding new ones). A user's own assembly is therefore assembled in a
 * worker thread: the caller blocks on a shared flag with a time limit, and a keystone call that
 * does not finish in time is reported as a failure of the text it was given (locate-error.ts then
 * names the line), the worker is terminated and a fresh one starts for the next call.
 * Compiled Scheme, which never contains such lines, keeps the in-process Assembler (no thread to
 * start).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { KeystoneCrash, KeystoneFailure, KeystoneTimeout, type AsmEngine } from "./keystone.js";
import type { AsmReply, AsmRequest } from "./keystone-worker.js";

/** How long one keystone call may take (ordinary calls take milliseconds). */
export const KEYSTONE_CALL_LIMIT_MS = 3_000;
/** How long a new worker may take to start and compile keystone's wasm. */
const STARTUP_LIMIT_MS = 20_000;

function workerUrl(): URL {
  // Run from dist/ the worker is the .js next to this file. Run from the sources (tests, under
  // tsx), the built one in dist/: a TypeScript worker would need tsx's loader thread, which
  // cannot answer while this thread waits.
  const js = new URL("./keystone-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  const built = new URL("../../dist/src/assembler/keystone-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new KeystoneCrash("the assembler's worker is not built (npm run build)");
}

export class GuardedAssembler implements AsmEngine {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));

  constructor(private readonly limitMs = KEYSTONE_CALL_LIMIT_MS) {}

  private start(): MessagePort {
    if (this.port) return this.port;
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(workerUrl(), {
      workerData: { flag: this.flag, port: port2 },
      transferList: [port2],
    });
    this.worker.unref();
    this.port = port1;
    // The worker raises the flag once keystone is loaded.
    if (Atomics.wait(this.flag, 0, 0, STARTUP_LIMIT_MS) === "timed-out") {
      this.close();
      throw new KeystoneCrash("the assembler's worker thread did not start");
    }
    return port1;
  }

  asm(text: string, address: number, minimumLength = 0): Uint8Array {
    Atomics.store(this.flag, 0, 0);
    const port = this.start();
    Atomics.store(this.flag, 0, 0);
    port.postMessage({ text, address, minimumLength } satisfies AsmRequest);
    const waited = Atomics.wait(this.flag, 0, 0, this.limitMs);
    const received = waited === "timed-out" ? undefined : receiveMessageOnPort(port);
    if (received === undefined) {
      this.close();
      throw new KeystoneTimeout(
        `the assembler (keystone) did not finish within ${this.limitMs / 1000} s on this input`,
        "",
      );
    }
    const reply = received.message as AsmReply;
    if (reply.kind === "bytes") return reply.bytes;
    if (reply.kind === "failure") throw new KeystoneFailure(reply.detail, reply.printed);
    this.close();
    throw new KeystoneCrash(reply.message);
  }

  close(): void {
    void this.worker?.terminate();
    this.port?.close();
    this.worker = undefined;
    this.port = undefined;
  }
}
