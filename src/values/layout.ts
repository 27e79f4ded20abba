/**
 * The value representation: the contract between compiled Scheme and runtime-rs.
 *
 * This file is the single source of truth. `npm run gen:layout` writes
 * `runtime-rs/src/layout.rs` from it, and a test fails if the two drift apart.
 *
 * A value is one 64-bit word. The low 3 bits are the tag:
 *
 * | tag | kind              | encoding                                                        |
 * |-----|-------------------|-----------------------------------------------------------------|
 * | 0   | fixnum            | n << 3 (61-bit signed)                                          |
 * | 1   | boolean           | #f = 0b0001, #t = 0b1001                                        |
 * | 2   | char              | code point << 3 \| 2                                            |
 * | 3   | pair              | address \| 3 → [car][cdr]                                      |
 * | 4   | special immediate | () = 0x04, unspecified = 0x0c, eof = 0x14, unbound = 0x1c       |
 * | 5   | string            | address \| 5 → [length: u64][code points: u32 × length]        |
 * | 6   | symbol            | address \| 6 → [name: string value][reserved: u64]             |
 * | 7   | vector-like       | address \| 7 → [header: length << 8 \| kind][fields: u64 × length] |
 *
 * Vector-like objects share tag 7 and are told apart by the kind byte of their header:
 * 0 vector, 1 closure (fields: code address, then free variables), 2 port
 * (fields: fd, path, direction, slot). A closure's header length counts the code
 * word and the free variables. Heap objects are 8-byte aligned.
 */

export const TAG_BITS = 3;
export const TAG_MASK = 0b111;

export const Tag = {
  fixnum: 0,
  boolean: 1,
  char: 2,
  pair: 3,
  immediate: 4,
  string: 5,
  symbol: 6,
  vectorLike: 7,
} as const;

export const FIXNUM_SHIFT = 3;
/** Fixnums are 61-bit two's complement integers. */
export const FIXNUM_BITS = 61;
export const FIXNUM_MIN = -(2n ** 60n);
export const FIXNUM_MAX = 2n ** 60n - 1n;

export const FALSE = 0b0001;
export const TRUE = 0b1001;
/** `#t` and `#f` differ only in bit 3. */
export const BOOL_BIT = 3;

export const CHAR_SHIFT = 3;

export const NIL = 0x04;
export const UNSPECIFIED = 0x0c;
export const EOF = 0x14;
/** The value of a `letrec` variable read before it is initialised. */
export const UNBOUND = 0x1c;

/** Byte offsets of fields inside heap objects (from the untagged address). */
export const PAIR_CAR = 0;
export const PAIR_CDR = 8;
export const PAIR_SIZE = 16;

export const STRING_LENGTH = 0;
export const STRING_DATA = 8;
export const STRING_CHAR_SIZE = 4;

export const SYMBOL_NAME = 0;
export const SYMBOL_SIZE = 16;

export const VECTOR_HEADER = 0;
export const VECTOR_DATA = 8;
export const HEADER_KIND_BITS = 8;
export const HEADER_KIND_MASK = 0xff;

export const Kind = {
  vector: 0,
  closure: 1,
  port: 2,
} as const;

/** Closure fields (byte offsets from the untagged address). */
export const CLOSURE_CODE = 8;
export const CLOSURE_FREE = 16;

/** Port fields: vector-like object of kind `port` with these field indexes. */
export const PORT_FIELDS = 4;
export const PortField = {
  fd: 0,
  path: 1,
  direction: 2,
  slot: 3,
} as const;
export const PortDirection = {
  input: 0,
  output: 1,
} as const;

/** Registers the compiled code reserves, and the heap handed to `scheme_entry`. */
export const HEAP_POINTER_REGISTER = "r12";
export const HEAP_LIMIT_REGISTER = "r13";
