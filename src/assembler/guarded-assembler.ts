/**
 * keystone-wasm loops forever on some malformed lines (source-lines.ts rejects the patterns we
 * know of, but fuzzing keeps finding new ones). A user's own assembly is therefore assembled in a
 * worker thread: the caller blocks on a shared flag with a time limit, and a keystone call that
 * does not finish in time is reported as a failure of the text it was given (locate-error.ts then
 * names the line), the worker is terminated and a fresh one starts for the next call. A worker in
 * good health is kept for the next file (with a new keystone instance, as in process).
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

/** A worker with keystone, and the flag it raises when it has loaded keystone and after each answer. */
interface KeystoneThread {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}

/**
 * A thread no GuardedAssembler holds: started ahead of need (prestartAssembler), or handed back
 * by one that closed with its thread in good health. The next GuardedAssembler takes it, so that a
 * process pays for starting the thread and compiling keystone's wasm once, not once per file.
 */
let idle: KeystoneThread | undefined;

function spawn(): KeystoneThread {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(workerUrl(), { workerData: { flag, port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  return { worker, port: port1, flag };
}

function stop(thread: KeystoneThread): void {
  void thread.worker.terminate();
  thread.port.close();
}

/**
 * Starts the assembler's thread now, so that keystone's wasm compiles while this thread does
 * other work (the CLI: while it loads a command's modules). The next GuardedAssembler takes it.
 */
export function prestartAssembler(): void {
  idle ??= spawn();
}

export class GuardedAssembler implements AsmEngine {
  private thread: KeystoneThread | undefined;
  /** Whether the next call is this assembler's first (the worker then takes a new keystone instance). */
  private first = true;

  constructor(private readonly limitMs = KEYSTONE_CALL_LIMIT_MS) {}

  private start(): KeystoneThread {
    if (this.thread) return this.thread;
    const thread = idle ?? spawn();
    idle = undefined;
    this.thread = thread;
    // The worker raises the flag once keystone is loaded (it stays raised after an answer).
    if (Atomics.wait(thread.flag, 0, 0, STARTUP_LIMIT_MS) === "timed-out") {
      this.kill();
      throw new KeystoneCrash("the assembler's worker thread did not start");
    }
    return thread;
  }

  asm(text: string, address: number, minimumLength = 0): Uint8Array {
    const { port, flag } = this.start();
    Atomics.store(flag, 0, 0);
    port.postMessage({ text, address, minimumLength, fresh: this.first } satisfies AsmRequest);
    this.first = false;
    const waited = Atomics.wait(flag, 0, 0, this.limitMs);
    const received = waited === "timed-out" ? undefined : receiveMessageOnPort(port);
    if (received === undefined) {
      this.kill();
      throw new KeystoneTimeout(
        `the assembler (keystone) did not finish within ${this.limitMs / 1000} s on this input`,
        "",
      );
    }
    const reply = received.message as AsmReply;
    if (reply.kind === "bytes") return reply.bytes;
    if (reply.kind === "failure") throw new KeystoneFailure(reply.detail, reply.printed);
    this.kill();
    throw new KeystoneCrash(reply.message);
  }

  /** Done: the thread waits, idle, for the next GuardedAssembler (or stops, if one waits already). */
  close(): void {
    const thread = this.thread;
    this.thread = undefined;
    if (thread === undefined) return;
    if (idle === undefined) idle = thread;
    else stop(thread);
  }

  /** Stops the thread (it is stuck in keystone, or keystone broke). */
  private kill(): void {
    if (this.thread) stop(this.thread);
    this.thread = undefined;
  }
}
