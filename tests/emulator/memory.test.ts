import assert from "node:assert/strict";
import { test } from "node:test";
import { GuestFaultError, MemoryLimitError } from "../../src/emulator/errors.js";
import { Memory, TLB_MASK, TLB_SIZE, TLB_WORDS } from "../../src/emulator/memory.js";
import { PAGE_SIZE, Perm } from "../../src/emulator/types.js";

const RW = Perm.read | Perm.write;

function faultOf(f: () => unknown): GuestFaultError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof GuestFaultError, `expected a GuestFaultError, got ${String(e)}`);
    return e;
  }
  assert.fail("no fault");
}

void test("mapping 64 MiB is lazy: cheap, zero-filled, counted in mappedBytes", () => {
  const mem = new Memory();
  const t0 = performance.now();
  mem.map(0x10000000, 64 << 20, RW, "heap");
  assert.ok(performance.now() - t0 < 20, "map took too long");
  assert.equal(mem.mappedBytes, 64 << 20);
  assert.equal(mem.load32(0x10000000 + 12345 * 4), 0);
  assert.equal(mem.read64(0x13fffff8), 0n);
  mem.store64(0x12345678, 1, 2);
  assert.equal(mem.read64(0x12345678), 0x200000001n);
  assert.deepEqual(mem.regions(), [{ start: 0x10000000, end: 0x14000000, perm: RW, name: "heap" }]);
});

void test("the memory cap: mapping beyond limitBytes throws MemoryLimitError and maps nothing", () => {
  const mem = new Memory({ limitBytes: 1 << 20 });
  mem.map(0x100000, 1 << 19, RW);
  assert.throws(() => mem.map(0x400000, 1 << 20, RW), MemoryLimitError);
  assert.equal(mem.mappedBytes, 1 << 19);
  assert.equal(mem.isMapped(0x400000, 1), false);
  mem.map(0x100000, 1 << 19, RW); // remapping the same range costs nothing more
  assert.equal(mem.mappedBytes, 1 << 19);
});

void test("unmap, protect, isMapped, findFree, permAt", () => {
  const mem = new Memory();
  mem.map(0x100000, 16 * PAGE_SIZE, RW, "a");
  mem.unmap(0x104000, 2 * PAGE_SIZE);
  assert.equal(mem.mappedBytes, 14 * PAGE_SIZE);
  assert.equal(mem.isMapped(0x100000, 4 * PAGE_SIZE), true);
  assert.equal(mem.isMapped(0x100000, 5 * PAGE_SIZE), false);
  assert.equal(mem.findFree(2 * PAGE_SIZE, 0x100000), 0x104000);
  assert.equal(mem.findFree(3 * PAGE_SIZE, 0x100000), 0x110000);
  mem.protect(0x100000, PAGE_SIZE, Perm.read);
  assert.equal(mem.permAt(0x100fff), Perm.read);
  assert.equal(mem.permAt(0x101000), RW);
  assert.equal(mem.permAt(0x104000), undefined);
  assert.equal(mem.regions().length, 3);
});

void test("CPU accesses fault with the address and a reason; kernel accesses ignore permissions", () => {
  const mem = new Memory();
  mem.map(0x100000, PAGE_SIZE, Perm.read, "ro");
  mem.map(0x101000, PAGE_SIZE, RW, "rw");
  mem.map(0x103000, PAGE_SIZE, Perm.none, "guard");
  let f = faultOf(() => mem.load32(0x200000));
  assert.equal(f.address, 0x200000);
  assert.equal(f.reason, "read from unmapped address 0x200000");
  f = faultOf(() => mem.store8(0x100010, 1));
  assert.equal(f.reason, "write to read-only page at 0x100010");
  f = faultOf(() => mem.load8(0x103000));
  assert.match(f.reason, /PROT_NONE/);
  f = faultOf(() => mem.fetch(0x101000, 16));
  assert.equal(f.reason, "execute from non-executable page at 0x101000");
  mem.writeBytes(0x100000, Uint8Array.from([1, 2, 3]));
  assert.deepEqual(Array.from(mem.readBytes(0x100000, 3)), [1, 2, 3]);
  assert.throws(() => mem.readBytes(0x102ff0, 32), GuestFaultError);
  assert.throws(() => mem.writeBytes(0x102ff0, new Uint8Array(32)), GuestFaultError);
});

void test("accesses crossing a page boundary: all or nothing, fault address at the boundary", () => {
  const mem = new Memory();
  mem.map(0x100000, PAGE_SIZE, RW);
  mem.map(0x101000, PAGE_SIZE, Perm.read);
  mem.writeBytes(0x100ffc, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  assert.equal(mem.load32(0x100ffe) >>> 0, 0x06050403);
  const f = faultOf(() => mem.store64(0x100ffc, -1, -1));
  assert.equal(f.address, 0x101000);
  assert.deepEqual(Array.from(mem.readBytes(0x100ffc, 4)), [1, 2, 3, 4], "nothing was written");
  mem.protect(0x101000, PAGE_SIZE, RW);
  mem.store64(0x100ffc, 0x11223344, 0x55667788);
  assert.equal(mem.read64(0x100ffc), 0x5566778811223344n);
  assert.equal(mem.load16(0x100fff), 0x8811);
});

void test("absurd addresses fault instead of throwing JavaScript errors", () => {
  const mem = new Memory();
  for (const a of [-8, 2 ** 47, 2 ** 64 - 8, Number.NaN, 1.5, Infinity]) {
    const f = faultOf(() => mem.load32(a));
    assert.equal(f.signal, "SIGSEGV");
  }
  assert.match(
    faultOf(() => mem.store8(2 ** 63, 0)).reason,
    /^write to non-canonical address 0x8000000000000000/,
  );
  assert.match(faultOf(() => mem.load8(-16)).reason, /^read from kernel address 0xfffffffffffffff0/);
});

void test("the write hook sees every write before it happens", () => {
  const mem = new Memory();
  mem.map(0x100000, PAGE_SIZE, RW);
  const seen: [number, number, number][] = [];
  mem.setWriteHook((a, n) => seen.push([a, n, mem.read8(a)]));
  mem.store8(0x100000, 7);
  mem.store8(0x100000, 9);
  mem.writeBytes(0x100010, Uint8Array.from([1, 2]));
  assert.deepEqual(seen, [
    [0x100000, 1, 0],
    [0x100000, 1, 7],
    [0x100010, 2, 0],
  ]);
  mem.setWriteHook(null);
  mem.store8(0x100000, 1);
  assert.equal(seen.length, 3);
});

void test("readCString stops at NUL or maxLength", () => {
  const mem = new Memory();
  mem.map(0x100000, PAGE_SIZE, RW);
  mem.writeBytes(0x100000, new TextEncoder().encode("hello\0world"));
  assert.equal(new TextDecoder().decode(mem.readCString(0x100000, 100)), "hello");
  assert.equal(new TextDecoder().decode(mem.readCString(0x100000, 3)), "hel");
});

void test("page storage: each page keeps its own bytes, and a page mapped again reads as zeros", () => {
  const mem = new Memory();
  const pages = 600; // more pages than one storage buffer holds
  mem.map(0x10000000, pages * PAGE_SIZE, RW, "heap");
  for (let p = 0; p < pages; p++) {
    mem.store32(0x10000000 + p * PAGE_SIZE, p + 1);
    mem.store32(0x10000000 + p * PAGE_SIZE + PAGE_SIZE - 4, -(p + 1));
  }
  for (let p = 0; p < pages; p++) {
    assert.equal(mem.load32(0x10000000 + p * PAGE_SIZE), p + 1);
    assert.equal(mem.load32(0x10000000 + p * PAGE_SIZE + PAGE_SIZE - 4), -(p + 1));
  }
  // Unmapped storage is reused for the next pages written: they must still start out zero.
  mem.unmap(0x10000000, 300 * PAGE_SIZE);
  mem.map(0x20000000, 300 * PAGE_SIZE, RW, "again");
  for (let p = 0; p < 300; p++) {
    const a = 0x20000000 + p * PAGE_SIZE;
    mem.store8(a + 100, 0xaa);
    assert.equal(mem.load32(a), 0);
    assert.equal(mem.load32(a + PAGE_SIZE - 4), 0);
    assert.equal(mem.load8(a + 100), 0xaa);
  }
  assert.equal(mem.load32(0x10000000 + 300 * PAGE_SIZE), 301);
  // Mapping over written pages (MAP_FIXED) zeroes them too.
  mem.map(0x10000000 + 300 * PAGE_SIZE, PAGE_SIZE, RW, "fixed");
  assert.equal(mem.load32(0x10000000 + 300 * PAGE_SIZE), 0);
  mem.store32(0x10000000 + 300 * PAGE_SIZE, 5);
  assert.equal(mem.load32(0x10000000 + 300 * PAGE_SIZE), 5);
  assert.equal(mem.load32(0x10000000 + 301 * PAGE_SIZE), 302);
});

void test("the TLBs: TLB_SIZE entries indexed by page number & TLB_MASK; a page read as zeros, then written, reads back", () => {
  assert.equal(TLB_SIZE & TLB_MASK, 0, "a power of two");
  assert.equal(TLB_MASK, TLB_SIZE - 1);
  const mem = new Memory();
  assert.equal(mem.rTag.length, TLB_SIZE);
  assert.equal(mem.wTag.length, TLB_SIZE);
  // Pages TLB_SIZE apart share an entry: alternate between them, reading and writing.
  const a = 0x10000000;
  const b = a + TLB_SIZE * PAGE_SIZE;
  mem.map(a, PAGE_SIZE, RW);
  mem.map(b, PAGE_SIZE, RW);
  for (let k = 0; k < 4; k++) {
    assert.equal(mem.load32(a + 8 * k), 0);
    mem.store32(a + 8 * k, k + 1);
    assert.equal(mem.load32(b + 8 * k), 0);
    mem.store64(b + 8 * k, -(k + 1), k);
    assert.equal(mem.load32(a + 8 * k), k + 1);
    assert.equal(mem.load64(b + 8 * k), -(k + 1));
    assert.equal(mem.hi[0], k);
  }
  const i = (a / PAGE_SIZE) & TLB_MASK;
  assert.equal(i, (b / PAGE_SIZE) & TLB_MASK);
  assert.ok(mem.rTag[i] === a || mem.rTag[i] === b || mem.rTag[i] === -1);
});

void test("protect, unmap and map drop the TLB entries of their pages, small ranges and large", () => {
  for (const pages of [1, TLB_SIZE + 3]) {
    const mem = new Memory();
    const a = 0x10000000;
    const size = pages * PAGE_SIZE;
    const last = a + size - PAGE_SIZE;
    mem.map(a, size, RW);
    mem.map(a + size, PAGE_SIZE, RW); // a neighbour whose entry stays
    mem.store32(a + size, 9);
    mem.store32(last, 1);
    assert.equal(mem.load32(last), 1);
    mem.protect(a, size, Perm.read);
    assert.equal(faultOf(() => mem.store32(last, 2)).address, last);
    assert.equal(mem.load32(last), 1);
    mem.protect(a, size, RW);
    mem.store32(last, 3);
    mem.unmap(a, size);
    assert.equal(faultOf(() => mem.load32(last)).address, last);
    assert.equal(faultOf(() => mem.store32(last, 4)).address, last);
    mem.map(a, size, RW);
    assert.equal(mem.load32(last), 0);
    mem.store32(last, 5);
    mem.map(a, size, RW); // MAP_FIXED over written pages
    assert.equal(mem.load32(last), 0);
    assert.equal(mem.load32(a + size), 9);
    mem.store32(a + size, 10);
    assert.equal(mem.load32(a + size), 10);
  }
});

void test("a mapping that extends a neighbour of the same permissions and name joins it (brk growth)", () => {
  const mem = new Memory({ limitBytes: 64 * PAGE_SIZE });
  const heap = 0x10000000;
  for (let k = 0; k < 40; k++) mem.map(heap + k * PAGE_SIZE, PAGE_SIZE, RW, "heap");
  assert.deepEqual(mem.regions(), [{ start: heap, end: heap + 40 * PAGE_SIZE, perm: RW, name: "heap" }]);
  assert.equal(mem.mappedBytes, 40 * PAGE_SIZE);
  // Different permissions or names stay apart; a gap filled between two equal areas joins all three.
  mem.map(heap + 40 * PAGE_SIZE, PAGE_SIZE, Perm.read, "heap");
  mem.map(heap + 41 * PAGE_SIZE, PAGE_SIZE, RW, "mmap");
  mem.map(heap + 44 * PAGE_SIZE, 2 * PAGE_SIZE, RW, "mmap");
  mem.map(heap + 42 * PAGE_SIZE, 2 * PAGE_SIZE, RW, "mmap");
  assert.deepEqual(
    mem.regions().map((r) => [(r.start - heap) / PAGE_SIZE, (r.end - heap) / PAGE_SIZE, r.perm, r.name]),
    [
      [0, 40, RW, "heap"],
      [40, 41, Perm.read, "heap"],
      [41, 46, RW, "mmap"],
    ],
  );
  // The cap still counts every page, joined or not.
  assert.throws(() => mem.map(heap + 46 * PAGE_SIZE, 20 * PAGE_SIZE, RW, "mmap"), MemoryLimitError);
  mem.map(heap + 46 * PAGE_SIZE, 18 * PAGE_SIZE, RW, "mmap");
  assert.equal(mem.mappedBytes, 64 * PAGE_SIZE);
  // Unmapping from the middle of a joined area splits it again.
  mem.store32(heap + 45 * PAGE_SIZE, 7);
  mem.unmap(heap + 43 * PAGE_SIZE, PAGE_SIZE);
  assert.equal(mem.load32(heap + 45 * PAGE_SIZE), 7);
  assert.equal(faultOf(() => mem.load32(heap + 43 * PAGE_SIZE)).address, heap + 43 * PAGE_SIZE);
  assert.equal(mem.regions().length, 4);
});

void test("the arena: pages it holds are in the int32 TLB with their offset; pages past it work, through the slow path only", () => {
  // Room for two pages of storage in the arena (after its page of zeros).
  const mem = new Memory({ arenaBytes: 2 * PAGE_SIZE });
  const a = 0x10000000;
  mem.map(a, 8 * PAGE_SIZE, RW);
  const entry = (p: number): number => ((p / PAGE_SIZE) & TLB_MASK) * TLB_WORDS;
  // An unwritten page reads as zeros: its read entry points at the arena's page of zeros.
  assert.equal(mem.load32(a + 7 * PAGE_SIZE), 0);
  assert.equal(mem.tlb[entry(a + 7 * PAGE_SIZE)], a + 7 * PAGE_SIZE);
  assert.equal(mem.tlb[entry(a + 7 * PAGE_SIZE) + 4], 0);
  for (let k = 0; k < 8; k++) mem.store64(a + k * PAGE_SIZE + 8, k + 1, -k);
  for (let k = 0; k < 8; k++) {
    const p = a + k * PAGE_SIZE;
    assert.equal(mem.load64(p + 8), k + 1);
    assert.equal(mem.hi[0], -k | 0);
    const e = entry(p);
    if (k < 2) {
      // In the arena: both tags and offsets, and the storage is where the offset says.
      assert.equal(mem.tlb[e], p, `page ${k} read tag`);
      assert.equal(mem.tlb[e + 1], 0);
      assert.equal(mem.tlb[e + 2], p, `page ${k} write tag`);
      assert.equal(mem.arenaView.getInt32(mem.tlb[e + 4] + 8, true), k + 1);
      assert.equal(mem.tlb[e + 6], mem.tlb[e + 4]);
    } else {
      // Past the arena: Memory's own TLB has the page, translated code's never does.
      assert.equal(mem.rTag[(p / PAGE_SIZE) & TLB_MASK], p);
      assert.equal(mem.tlb[e] & (PAGE_SIZE - 1), 1, `page ${k} not in the int32 TLB`);
      assert.equal(mem.tlb[e + 2] & (PAGE_SIZE - 1), 1);
    }
  }
  assert.equal(mem.arenaPages, 2);
  // Unmapped storage goes back to the arena, zeroed when handed out again.
  mem.unmap(a, 8 * PAGE_SIZE);
  assert.equal(mem.arenaPages, 0);
  mem.map(a, 2 * PAGE_SIZE, RW);
  mem.store32(a, 77);
  assert.equal(mem.load64(a + 8), 0, "a page handed out again is zeroed");
  assert.equal(mem.tlb[entry(a) + 2], a);
  assert.equal(mem.arenaView.getInt32(mem.tlb[entry(a) + 6], true), 77);
  // Another memory shares the arena, never a page this one holds.
  const other = new Memory();
  other.map(a, PAGE_SIZE, RW);
  other.store32(a, 5);
  assert.notEqual(other.tlb[entry(a) + 6], mem.tlb[entry(a) + 6]);
  assert.equal(mem.load32(a), 77);
  assert.equal(other.load32(a), 5);
});
