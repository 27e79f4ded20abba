/**
 * Malformed objects, archives and executables are LinkErrors that name the file and the
 * problem: never a RangeError, a TypeError or a hang. Hand-made corruptions first, then
 * random byte mutations and truncations (fast-check).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  linkObjects,
  LinkError,
  readArchive,
  readExecutable,
  readObject,
  writeExecutable,
  type InputFile,
} from "../../src/linker/index.js";
import { skipUnlessBuild, SYSCALL_C, Workdir } from "./helpers.js";

interface Fixture {
  start: InputFile;
  lib: InputFile;
  exe: Uint8Array;
}

let fixture: Fixture | undefined;

function inputs(): Fixture {
  if (fixture) return fixture;
  const w = new Workdir();
  const start = w.compile(
    "start.c",
    `${SYSCALL_C}
     long work(long); extern const char banner[];
     void _start(void) { sys3(1, 1, (long)banner, 3); sys3(60, work(2), 0, 0); }`,
  );
  const a = w.compile("a.c", 'long helper(long x) { return x * 3; } const char banner[] = "ok\\n";');
  const b = w.compile(
    "b_with_a_rather_long_member_name.c",
    "long helper(long); long work(long x) { return helper(x) + 36; }",
  );
  const lib = w.archive("lib.a", [a, b]);
  fixture = { start, lib, exe: writeExecutable(linkObjects({ objects: [start], archives: [lib] })) };
  return fixture;
}

const isLinkError = (e: unknown) => {
  if (e instanceof LinkError) return true;
  throw e;
};

function expectLinkErrorOrSuccess(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    isLinkError(e);
  }
}

const put32 = (b: Uint8Array, at: number, v: number) =>
  new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
const put64 = (b: Uint8Array, at: number, v: bigint) =>
  new DataView(b.buffer, b.byteOffset).setBigUint64(at, v, true);

void test(
  "hand-made corruptions of an object name the file and the problem",
  { skip: skipUnlessBuild },
  () => {
    const { start } = inputs();
    const o = () => Uint8Array.from(start.bytes);
    assert.throws(() => readObject(new Uint8Array(10), "x.o"), /x\.o: too short to be an ELF file/);
    assert.throws(() => readObject(new Uint8Array(100), "x.o"), /x\.o: not an ELF file/);
    let b = o();
    b[4] = 1;
    assert.throws(() => readObject(b, "x.o"), /32-bit ELF/);
    b = o();
    b[18] = 3;
    assert.throws(() => readObject(b, "x.o"), /built for machine 3, not x86-64/);
    b = o();
    put64(b, 40, BigInt(b.length - 10));
    assert.throws(
      () => readObject(b, "x.o"),
      /x\.o: the section header table at offset \d+ .* lies outside the file/,
    );
    b = o();
    const shoff = Number(new DataView(b.buffer).getBigUint64(40, true));
    put64(b, shoff + 64 + 24, 0xfffffffn); // section 1's offset
    assert.throws(() => readObject(b, "x.o"), /x\.o: the contents of section .* lies outside the file/);
    b = o();
    put64(b, shoff + 64 + 48, 3n); // section 1's alignment
    assert.throws(() => readObject(b, "x.o"), /alignment 3, which is not a power of two/);
    assert.throws(
      () => readObject(start.bytes.subarray(0, start.bytes.length - 1), "x.o"),
      /truncated or corrupt/,
    );
  },
);

void test(
  "hand-made corruptions of an archive name the archive and the member",
  { skip: skipUnlessBuild },
  () => {
    const { lib, start } = inputs();
    const ar = () => Uint8Array.from(lib.bytes);
    assert.throws(() => readArchive(new TextEncoder().encode("!<thin>\n"), "t.a"), /thin archive/);
    assert.throws(() => readArchive(start.bytes, "s.a"), /s\.a: not an archive/);
    assert.throws(
      () => readArchive(lib.bytes.subarray(0, 30), "lib.a"),
      /lib\.a: the header of the archive member at offset 8/,
    );
    let b = ar();
    b[8 + 58] = 0x41;
    assert.throws(() => readArchive(b, "lib.a"), /member header at offset 8 is corrupt/);
    b = ar();
    b.set(new TextEncoder().encode("99999999  "), 8 + 48);
    assert.throws(() => readArchive(b, "lib.a"), /contents of archive member "\/" .* lies outside the file/);
    b = ar();
    b.set(new TextEncoder().encode("12x4      "), 8 + 48);
    assert.throws(() => readArchive(b, "lib.a"), /invalid size field "12x4"/);
    // A member whose ELF is cut short is reported when it is pulled, with its name.
    const parsed = readArchive(lib.bytes, "lib.a");
    const long = parsed.members.findIndex((m) => m.name.startsWith("b_with"));
    assert.equal(
      parsed.members[long].name,
      "b_with_a_rather_long_member_name.o",
      "long names from the // table",
    );
    const at = parsed.members[long].data.byteOffset - lib.bytes.byteOffset;
    b = ar();
    b.fill(0, at, at + 4);
    assert.throws(
      () => linkObjects({ objects: [start], archives: [{ path: "lib.a", bytes: b }] }),
      /lib\.a\(b_with_a_rather_long_member_name\.o\): /,
    );
  },
);

void test(
  "random mutations and truncations never escape as anything but a LinkError",
  { skip: skipUnlessBuild },
  () => {
    const { start, lib, exe } = inputs();
    const mutate = (bytes: Uint8Array, edits: [number, number][], cut: number) => {
      const out = Uint8Array.from(bytes.subarray(0, Math.max(1, Math.floor(cut * bytes.length))));
      for (const [at, value] of edits) out[Math.floor(at * out.length) % out.length] = value;
      return out;
    };
    const edits = fc.array(
      fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })),
      {
        minLength: 1,
        maxLength: 6,
      },
    );
    const cut = fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }));
    fc.assert(
      fc.property(edits, cut, (e, c) => {
        const object = mutate(start.bytes, e, c);
        expectLinkErrorOrSuccess(() => readObject(object, "m.o"));
        expectLinkErrorOrSuccess(() =>
          linkObjects({ objects: [{ path: "m.o", bytes: object }], archives: [lib] }),
        );
        const archive = mutate(lib.bytes, e, c);
        expectLinkErrorOrSuccess(() => {
          const a = readArchive(archive, "m.a");
          a.members.forEach((_, i) => a.object(i));
        });
        expectLinkErrorOrSuccess(() =>
          linkObjects({ objects: [start], archives: [{ path: "m.a", bytes: archive }] }),
        );
        expectLinkErrorOrSuccess(() => readExecutable(mutate(exe, e, c), "m"));
      }),
      { numRuns: 400, seed: 424242 },
    );
  },
);

void test(
  "targeted mutations of header fields (offsets, counts, indices) are LinkErrors",
  { skip: skipUnlessBuild },
  () => {
    const { start } = inputs();
    const object = start.bytes;
    const shoff = Number(new DataView(object.buffer, object.byteOffset).getBigUint64(40, true));
    const shnum = new DataView(object.buffer, object.byteOffset).getUint16(60, true);
    // Every 4- and 8-byte field of every section header, set to extreme values.
    const values = [0, 1, 0x7fffffff, 0xffffffff];
    for (let s = 0; s < shnum; s++)
      for (let field = 0; field < 64; field += 4)
        for (const v of values) {
          const b = Uint8Array.from(object);
          put32(b, shoff + 64 * s + field, v);
          expectLinkErrorOrSuccess(() => linkObjects({ objects: [{ path: "m.o", bytes: b }], entry: null }));
        }
  },
);
