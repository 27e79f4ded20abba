import * as fs from "node:fs";
import type { Readable } from "node:stream";

/**
 * The guest's stdin. `read` returns up to `max` bytes, null at the end of the input, or
 * undefined when nothing is there yet: the guest's read(2) is then restarted once the run has
 * waited for `readable()` (only a sliced run can wait; see runProgramSliced). A failure throws an
 * error with the host's errno code, which the guest's read(2) returns.
 */
export interface GuestInput {
  read(max: number): Uint8Array | null | undefined;
  /** Resolves once `read` has something to say (bytes, the end or an error). */
  readable?(): Promise<void>;
}

/** A stdin that always answers at once (the default, and what synchronous runs take). */
export interface BlockingInput extends GuestInput {
  read(max: number): Uint8Array | null;
}

/**
 * The host's fd 0, read synchronously and only when the guest reads (a terminal is never touched
 * otherwise): a read with nothing there yet blocks the whole emulator, as it would block the guest.
 */
export const hostStdinBlocking: BlockingInput = {
  read(max: number): Uint8Array | null {
    const buf = Buffer.alloc(Math.min(max, 65536));
    let wait = 1;
    for (;;) {
      try {
        const n = fs.readSync(0, buf, 0, buf.length, null);
        return n === 0 ? null : new Uint8Array(buf.subarray(0, n));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EOF") return null;
        if (code !== "EAGAIN") throw e; // the guest's read fails with the same errno (EISDIR, EBADF, EIO...)
        // A non-blocking stdin with nothing in it yet: sleep between attempts rather than spin.
        Atomics.wait(sleeper, 0, 0, wait);
        wait = Math.min(wait * 2, 50);
      }
    }
  },
};

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * A stream (the host's stdin in `abi-lab run`) as the guest's stdin, never blocking: a read with
 * nothing buffered yet returns undefined, and the run waits for `readable()` with the event loop
 * free (Ctrl-C, a timeout). The stream is opened at the guest's first read, not before.
 */
export class StreamInput implements GuestInput {
  private stream: Readable | null = null;
  /** Bytes taken from the stream that the guest has not read yet. */
  private rest: Buffer | null = null;
  private ended = false;
  private error: Error | null = null;

  constructor(private readonly open: () => Readable) {}

  read(max: number): Uint8Array | null | undefined {
    const s = this.started();
    // As much as is there, up to max (a file's read is not cut short at the stream's chunks).
    for (let more; (this.rest === null || this.rest.length < max) && (more = s.read() as Buffer | null);)
      this.rest = this.rest === null ? more : Buffer.concat([this.rest, more]);
    if (this.rest !== null) {
      const out = this.rest.subarray(0, max);
      this.rest = this.rest.length > max ? this.rest.subarray(max) : null;
      return out;
    }
    if (this.error !== null) throw this.error;
    return this.ended ? null : undefined;
  }

  readable(): Promise<void> {
    const s = this.started();
    if (this.rest !== null || this.ended || this.error !== null || s.readableLength > 0)
      return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        for (const event of ["readable", "end", "error"]) s.off(event, done);
        resolve();
      };
      for (const event of ["readable", "end", "error"]) s.on(event, done);
    });
  }

  /** Stop reading (the stream no longer keeps the process alive). */
  close(): void {
    this.stream?.destroy();
  }

  private started(): Readable {
    if (this.stream === null) {
      const s = (this.stream = this.open());
      s.on("end", () => (this.ended = true));
      s.on("error", (e: Error) => (this.error = e));
    }
    return this.stream;
  }
}

/**
 * The host's fd 0 for a sliced run, looked at when the guest first reads it: a pipe, socket or
 * terminal (whose reads may wait) through `process.stdin` without blocking; anything else (a
 * file, a directory: reads that never wait, or fail with the host's errno) read synchronously.
 */
export class HostStdin implements GuestInput {
  private input: GuestInput | null = null;
  private stream: StreamInput | null = null;

  read(max: number): Uint8Array | null | undefined {
    return this.chosen().read(max);
  }

  readable(): Promise<void> {
    return this.chosen().readable?.() ?? Promise.resolve();
  }

  close(): void {
    this.stream?.close();
  }

  private chosen(): GuestInput {
    if (this.input === null) {
      let mayWait = false;
      try {
        const st = fs.fstatSync(0);
        mayWait = st.isFIFO() || st.isSocket() || st.isCharacterDevice();
      } catch {
        // A closed fd 0: the synchronous reader fails the guest's reads with EBADF.
      }
      this.input = mayWait ? (this.stream = new StreamInput(() => process.stdin)) : hostStdinBlocking;
    }
    return this.input;
  }
}
