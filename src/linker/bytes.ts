import { UserInputError } from "../diagnostics.js";

/**
 * A problem with the inputs of a link: a malformed object, archive or executable, an
 * undefined or duplicate symbol, a relocation out of range. The message names the file (and
 * archive member) and what is wrong.
 */
export class LinkError extends UserInputError {
  constructor(message: string) {
    super(message);
    this.name = "LinkError";
  }
}

/**
 * Little-endian reads that check every offset against the buffer, failing with a LinkError
 * that names the file: malformed input never becomes a RangeError.
 */
export class ByteReader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** For messages, e.g. "libabi_runtime.a(abi_runtime.o)". */
    readonly name: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  check(offset: number, size: number, what: string): void {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(size) ||
      offset < 0 ||
      size < 0 ||
      offset + size > this.bytes.length
    )
      throw new LinkError(
        `${this.name}: ${what} at offset ${offset} (${size} bytes) lies outside the file ` +
          `(${this.bytes.length} bytes): the file is truncated or corrupt`,
      );
  }

  u8(offset: number, what = "a byte"): number {
    this.check(offset, 1, what);
    return this.view.getUint8(offset);
  }

  u16(offset: number, what = "a 16-bit field"): number {
    this.check(offset, 2, what);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, what = "a 32-bit field"): number {
    this.check(offset, 4, what);
    return this.view.getUint32(offset, true);
  }

  i32(offset: number, what = "a 32-bit field"): number {
    this.check(offset, 4, what);
    return this.view.getInt32(offset, true);
  }

  /** A 64-bit field that must fit in a JS number (offsets, sizes, addresses). */
  u64(offset: number, what = "a 64-bit field"): number {
    this.check(offset, 8, what);
    const v = this.view.getBigUint64(offset, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new LinkError(`${this.name}: ${what} is impossibly large (0x${v.toString(16)})`);
    return Number(v);
  }

  u64big(offset: number, what = "a 64-bit field"): bigint {
    this.check(offset, 8, what);
    return this.view.getBigUint64(offset, true);
  }

  i64(offset: number, what = "a 64-bit field"): bigint {
    this.check(offset, 8, what);
    return this.view.getBigInt64(offset, true);
  }

  slice(offset: number, size: number, what: string): Uint8Array {
    this.check(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }

  /** A NUL-terminated string starting at `offset`, which must end before `end`. */
  cstring(offset: number, end: number, what: string): string {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= end || end > this.bytes.length)
      throw new LinkError(`${this.name}: ${what} at offset ${offset} lies outside its string table`);
    let i = offset;
    while (i < end && this.bytes[i] !== 0) i++;
    if (i === end) throw new LinkError(`${this.name}: ${what} at offset ${offset} is not NUL-terminated`);
    return decodeName(this.bytes.subarray(offset, i));
  }
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Names are almost always ASCII: decode those without TextDecoder's overhead. */
function decodeName(bytes: Uint8Array): string {
  if (bytes.length > 256) return decoder.decode(bytes);
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80) return decoder.decode(bytes);
    s += String.fromCharCode(bytes[i]);
  }
  return s;
}
