import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeValue, tagName, type WordReader } from "../../src/values/decode.js";
import * as L from "../../src/values/layout.js";

/** A little heap in a Map, for building objects by hand. */
class FakeHeap implements WordReader {
  private words = new Map<number, bigint>();
  private next = 0x1000;
  read64(a: number) {
    return this.words.get(a);
  }
  read32(a: number) {
    const w = this.words.get(a & ~7);
    if (w === undefined) return undefined;
    return Number((a & 4 ? w >> 32n : w) & 0xffffffffn);
  }
  alloc(words: bigint[]): number {
    const at = this.next;
    words.forEach((w, i) => this.words.set(at + 8 * i, w));
    this.next += 8 * words.length + 8;
    return at;
  }
  string(s: string): bigint {
    const codes = [...s].map((c) => BigInt(c.codePointAt(0)!));
    const words = [BigInt(codes.length)];
    for (let i = 0; i < codes.length; i += 2) words.push(codes[i] | ((codes[i + 1] ?? 0n) << 32n));
    return BigInt(this.alloc(words)) + BigInt(L.Tag.string);
  }
  pair(car: bigint, cdr: bigint): bigint {
    return BigInt(this.alloc([car, cdr])) + BigInt(L.Tag.pair);
  }
}

const fix = (n: number) => BigInt.asUintN(64, BigInt(n) << 3n);

test("immediates decode as R7RS write prints them", () => {
  const m = new FakeHeap();
  assert.equal(decodeValue(fix(42), m), "42");
  assert.equal(decodeValue(fix(-1), m), "-1");
  assert.equal(decodeValue(BigInt(L.TRUE), m), "#t");
  assert.equal(decodeValue(BigInt(L.FALSE), m), "#f");
  assert.equal(decodeValue((97n << 3n) | 2n, m), "#\\a");
  assert.equal(decodeValue((32n << 3n) | 2n, m), "#\\space");
  assert.equal(decodeValue((97n << 3n) | 2n, m, { write: false }), "a");
  assert.equal(decodeValue(BigInt(L.NIL), m), "()");
  assert.equal(decodeValue(BigInt(L.UNSPECIFIED), m), "#<void>");
  assert.equal(tagName(fix(3)), "fixnum");
  assert.equal(tagName(BigInt(L.NIL)), "empty list");
});

test("heap objects: strings, lists, dotted pairs, vectors, symbols, closures", () => {
  const m = new FakeHeap();
  const s = m.string('Hello "!!con" 👋');
  assert.equal(decodeValue(s, m), '"Hello \\"!!con\\" 👋"');
  assert.equal(decodeValue(s, m, { write: false }), 'Hello "!!con" 👋');
  const list = m.pair(fix(1), m.pair(s, m.pair(fix(3), BigInt(L.NIL))));
  assert.equal(decodeValue(list, m), '(1 "Hello \\"!!con\\" 👋" 3)');
  assert.equal(decodeValue(m.pair(fix(1), fix(2)), m), "(1 . 2)");
  const vec = BigInt(m.alloc([BigInt((2 << 8) | L.Kind.vector), fix(7), BigInt(L.TRUE)])) + 7n;
  assert.equal(decodeValue(vec, m), "#(7 #t)");
  const sym = BigInt(m.alloc([m.string("foo"), 0n])) + BigInt(L.Tag.symbol);
  assert.equal(decodeValue(sym, m), "foo");
  const clo = BigInt(m.alloc([BigInt((1 << 8) | L.Kind.closure), 0x401000n])) + 7n;
  assert.equal(decodeValue(clo, m), "#<procedure>");
  assert.equal(decodeValue(m.string("a\tb\u0001"), m), '"a\\tb\\x1;"');
  assert.equal(decodeValue((27n << 3n) | 2n, m), "#\\esc");
});

test("bad pointers and cycles never throw", () => {
  const m = new FakeHeap();
  assert.equal(decodeValue(0xdead0003n, m), "#<bad pointer 0xdead0003>");
  assert.equal(decodeValue(0x5n, m), "#<bad pointer 0x5>");
  const at = m.alloc([fix(1), 0n]);
  const cell = BigInt(at) + 3n;
  // make it circular: cdr points to itself
  (m as unknown as { words: Map<number, bigint> }).words.set(at + 8, cell);
  assert.match(decodeValue(cell, m), /^\(1 \.\.\.\)$/);
});
