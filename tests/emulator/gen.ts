/**
 * fast-check generators of x86-64 instruction sequences for the differential test, by family.
 *
 * Conventions shared with the harness (native.ts): rsp points into the data buffer (a private
 * stack), r14 = DATA_ADDR + 0x800 is the base of every generated memory operand, r13 holds a small
 * index; none of the three is ever written by generated instructions (except push/pop, which are
 * balanced). All other registers take "interesting" values: 0, ±1, sign boundaries of every width,
 * random 64-bit values.
 */
import fc from "fast-check";
import { DATA_ADDR, DATA_SIZE, type Case } from "./native.js";

export const R64 = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];
const R32 = [
  "eax",
  "ecx",
  "edx",
  "ebx",
  "esp",
  "ebp",
  "esi",
  "edi",
  "r8d",
  "r9d",
  "r10d",
  "r11d",
  "r12d",
  "r13d",
  "r14d",
  "r15d",
];
const R16 = [
  "ax",
  "cx",
  "dx",
  "bx",
  "sp",
  "bp",
  "si",
  "di",
  "r8w",
  "r9w",
  "r10w",
  "r11w",
  "r12w",
  "r13w",
  "r14w",
  "r15w",
];
const R8 = [
  "al",
  "cl",
  "dl",
  "bl",
  "spl",
  "bpl",
  "sil",
  "dil",
  "r8b",
  "r9b",
  "r10b",
  "r11b",
  "r12b",
  "r13b",
  "r14b",
  "r15b",
];
const HIGH8 = ["ah", "ch", "dh", "bh"];
const LEGACY8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];

/** Registers generated code may write (not rsp, r13, r14). */
const WRITABLE = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 15];
const ALL = [...Array(16).keys()];

export type Size = 8 | 16 | 32 | 64;
const NAMES: Record<Size, string[]> = { 8: R8, 16: R16, 32: R32, 64: R64 };
const PTR: Record<Size, string> = { 8: "byte", 16: "word", 32: "dword", 64: "qword" };

const size = fc.constantFrom<Size>(8, 16, 32, 64);
const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);

/** A destination register of a size (8-bit may be a high-byte register). */
function dstReg(s: Size): fc.Arbitrary<string> {
  const base = pick(WRITABLE.map((i) => NAMES[s][i]));
  return s === 8 ? fc.oneof(base, pick(HIGH8)) : base;
}
/** A destination register usable together with a memory operand (r14 needs REX: no ah..bh). */
function dstRegM(s: Size): fc.Arbitrary<string> {
  return pick(WRITABLE.map((i) => NAMES[s][i]));
}
function srcReg(s: Size): fc.Arbitrary<string> {
  return pick(ALL.map((i) => NAMES[s][i]));
}
/** Two registers of a size that can appear in one instruction (no ah..bh with a REX register). */
function regPair(s: Size, firstWritable = true, bothWritten = false): fc.Arbitrary<[string, string]> {
  if (bothWritten) {
    return s === 8
      ? fc.oneof(
          fc.tuple(pick(["al", "cl", "dl", "bl", ...HIGH8]), pick(["al", "cl", "dl", "bl", ...HIGH8])),
          fc.tuple(dstRegM(8), dstRegM(8)),
        )
      : fc.tuple(dstReg(s), dstReg(s));
  }
  if (s !== 8) return fc.tuple(firstWritable ? dstReg(s) : srcReg(s), srcReg(s));
  const legacyDst = pick(["al", "cl", "dl", "bl", ...HIGH8]);
  return fc.oneof(fc.tuple(legacyDst, pick(LEGACY8)), fc.tuple(pick(WRITABLE.map((i) => R8[i])), srcReg(8)));
}

/** A memory operand inside the data buffer (r14 = DATA_ADDR + 0x800, r13 small). */
function mem(s: Size | 128 | 0): fc.Arbitrary<string> {
  const ptr = s === 0 ? "" : s === 128 ? "xmmword ptr " : `${PTR[s]} ptr `;
  const disp = fc.integer({ min: -256, max: 256 });
  return fc.oneof(
    disp.map((d) => `${ptr}[r14 ${d < 0 ? "-" : "+"} ${Math.abs(d)}]`),
    fc
      .tuple(pick([1, 2, 4, 8]), disp)
      .map(([sc, d]) => `${ptr}[r14 + r13*${sc} ${d < 0 ? "-" : "+"} ${Math.abs(d)}]`),
  );
}

/** 16-byte aligned memory operand (r14 is 16-aligned). */
const alignedMem = fc
  .integer({ min: -16, max: 16 })
  .map((k) => `xmmword ptr [r14 ${k < 0 ? "-" : "+"} ${Math.abs(k * 16)}]`);

function imm(s: Size): fc.Arbitrary<string> {
  const bits = s === 64 ? 32 : s;
  const max = 2 ** (bits - 1) - 1;
  return fc
    .oneof(fc.constantFrom(0, 1, -1, max, -max - 1, 0x7f, -0x80), fc.integer({ min: -max - 1, max }))
    .map((v) => String(v));
}

export const INTERESTING: bigint[] = [
  0n,
  1n,
  2n,
  0xffffffffffffffffn,
  0xfffffffffffffffen,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xffffffff80000000n,
  0xffffffffffff8000n,
  0xffffffffffffff80n,
  0x0123456789abcdefn,
];

export const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INTERESTING) },
  { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) },
  { weight: 1, arbitrary: fc.integer({ min: -300, max: 300 }).map((v) => BigInt.asUintN(64, BigInt(v))) },
);

// ------------------------------------------------------------------ families

const ALU = ["add", "adc", "sub", "sbb", "and", "or", "xor", "cmp", "test"];

const alu = fc.oneof(
  fc.tuple(pick(ALU), size).chain(([op, s]) =>
    fc.oneof(
      regPair(s).map(([a, b]) => `${op} ${a}, ${b}`),
      fc.tuple(dstReg(s), imm(s)).map(([a, i]) => `${op} ${a}, ${i}`),
      fc.tuple(dstRegM(s), mem(s)).map(([a, m]) => (op === "test" ? `test ${m}, ${a}` : `${op} ${a}, ${m}`)),
      fc.tuple(mem(s), srcReg(s)).map(([m, b]) => `${op} ${m}, ${s === 8 && HIGH8.includes(b) ? "al" : b}`),
      fc.tuple(mem(s), imm(s)).map(([m, i]) => `${op} ${m}, ${i}`),
    ),
  ),
  // The accumulator's short immediate forms (04 ib, 05 id, 3C ib, A8 ib, ...).
  fc
    .tuple(pick(ALU), size)
    .chain(([op, s]) => imm(s).map((i) => `${op} ${{ 8: "al", 16: "ax", 32: "eax", 64: "rax" }[s]}, ${i}`)),
  fc.tuple(pick(["inc", "dec", "neg", "not"]), size).chain(([op, s]) =>
    fc.oneof(
      dstReg(s).map((r) => `${op} ${r}`),
      mem(s).map((m) => `${op} ${m}`),
    ),
  ),
);

const SHIFTS = ["shl", "shr", "sar", "rol", "ror", "rcl", "rcr"];
const count = fc.oneof(
  fc.constantFrom("1", "cl", "0", "7", "8", "15", "16", "31", "32", "33", "63", "64"),
  fc.integer({ min: 0, max: 255 }).map(String),
);
const shift = fc.oneof(
  fc.tuple(pick(SHIFTS), size, count).chain(([op, s, c]) =>
    fc.oneof(
      dstReg(s).map((r) => `${op} ${r}, ${c}`),
      mem(s).map((m) => `${op} ${m}, ${c}`),
    ),
  ),
  fc.tuple(pick(["shld", "shrd"]), pick<Size>([16, 32, 64])).chain(([op, s]) => {
    const c = s === 16 ? fc.integer({ min: 0, max: 16 }).map(String) : fc.oneof(count, fc.constant("cl"));
    return fc.oneof(
      fc.tuple(regPair(s), c).map(([[a, b], k]) => `${op} ${a}, ${b}, ${k}`),
      fc.tuple(mem(s), srcReg(s), c).map(([m, b, k]) => `${op} ${m}, ${b}, ${k}`),
    );
  }),
);

const wide = pick<Size>([16, 32, 64]);
const muldiv = fc.oneof(
  fc.tuple(pick(["mul", "imul"]), size).chain(([op, s]) =>
    fc.oneof(
      dstReg(s).map((r) => `${op} ${r}`),
      mem(s).map((m) => `${op} ${m}`),
    ),
  ),
  wide.chain((s) =>
    fc.oneof(
      regPair(s).map(([a, b]) => `imul ${a}, ${b}`),
      fc.tuple(dstRegM(s), mem(s)).map(([a, m]) => `imul ${a}, ${m}`),
      fc.tuple(regPair(s), imm(s === 16 ? 16 : 32)).map(([[a, b], i]) => `imul ${a}, ${b}, ${i}`),
    ),
  ),
  fc.tuple(pick(["div", "idiv"]), size, fc.boolean()).chain(([op, s, clear]) => {
    const prep =
      s === 8
        ? ""
        : clear
          ? op === "div"
            ? "xor edx, edx\n"
            : { 16: "cwd\n", 32: "cdq\n", 64: "cqo\n" }[s]
          : "";
    const divisor =
      s === 8
        ? fc.oneof(pick(["bl", "cl", "bh", "ch"]))
        : pick(WRITABLE.filter((i) => i !== 2 && i !== 0).map((i) => NAMES[s][i]));
    return fc.oneof(
      divisor.map((r) => `${prep}${op} ${r}`),
      mem(s).map((m) => `${prep}${op} ${m}`),
    );
  }),
);

const bits = fc.oneof(
  fc.tuple(pick(["bt", "bts", "btr", "btc"]), wide).chain(([op, s]) =>
    fc.oneof(
      regPair(s).map(([a, b]) => `${op} ${a}, ${b}`),
      fc.tuple(dstReg(s), fc.integer({ min: 0, max: 127 })).map(([a, i]) => `${op} ${a}, ${i}`),
      fc.tuple(mem(s), fc.integer({ min: 0, max: 127 })).map(([m, i]) => `${op} ${m}, ${i}`),
      fc
        .tuple(mem(s), pick([s === 64 ? "r13" : s === 32 ? "r13d" : "r13w"]))
        .map(([m, b]) => `${op} ${m}, ${b}`),
      fc.tuple(mem(s), srcReg(s)).map(([m, b]) => `${op} ${m}, ${b}`),
    ),
  ),
  fc.tuple(pick(["bsf", "bsr", "lzcnt", "tzcnt", "popcnt"]), wide).chain(([op, s]) =>
    fc.oneof(
      regPair(s).map(([a, b]) => `${op} ${a}, ${b}`),
      fc.tuple(dstRegM(s), mem(s)).map(([a, m]) => `${op} ${a}, ${m}`),
    ),
  ),
  pick<Size>([32, 64]).chain((s) =>
    fc.oneof(
      fc.tuple(dstReg(s), srcReg(s), srcReg(s)).map(([a, b, c]) => `andn ${a}, ${b}, ${c}`),
      fc.tuple(dstReg(s), srcReg(s), srcReg(s)).map(([a, b, c]) => `bextr ${a}, ${b}, ${c}`),
      fc
        .tuple(pick(["blsi", "blsmsk", "blsr"]), dstReg(s), srcReg(s))
        .map(([op, a, b]) => `${op} ${a}, ${b}`),
      fc.tuple(pick(["blsi", "blsmsk", "blsr"]), dstReg(s), mem(s)).map(([op, a, m]) => `${op} ${a}, ${m}`),
    ),
  ),
);

const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];

const data = fc.oneof(
  size.chain((s) =>
    fc.oneof(
      regPair(s).map(([a, b]) => `mov ${a}, ${b}`),
      fc.tuple(dstReg(s), imm(s)).map(([a, i]) => `mov ${a}, ${i}`),
      fc.tuple(dstRegM(s), mem(s)).map(([a, m]) => `mov ${a}, ${m}`),
      fc.tuple(mem(s), srcReg(s)).map(([m, b]) => `mov ${m}, ${s === 8 && HIGH8.includes(b) ? "cl" : b}`),
      fc.tuple(mem(s), imm(s)).map(([m, i]) => `mov ${m}, ${i}`),
      regPair(s, true, true).map(([a, b]) => `xchg ${a}, ${b}`),
      fc.tuple(mem(s), dstRegM(s)).map(([m, b]) => `xchg ${m}, ${s === 8 && HIGH8.includes(b) ? "dl" : b}`),
      regPair(s, true, true).map(([a, b]) => `xadd ${a}, ${b}`),
      fc
        .tuple(mem(s), dstRegM(s))
        .map(([m, b]) => `lock xadd ${m}, ${s === 8 && HIGH8.includes(b) ? "dl" : b}`),
      regPair(s).map(([a, b]) => `cmpxchg ${a}, ${b}`),
      fc.tuple(mem(s), srcReg(s)).map(([m, b]) => `cmpxchg ${m}, ${s === 8 && HIGH8.includes(b) ? "bl" : b}`),
    ),
  ),
  fc.tuple(dstReg(64), value).map(([r, v]) => `movabs ${r}, 0x${v.toString(16)}`),
  // The atomics libc uses for its locks: xchg and lock cmpxchg on memory, 32 and 64 bits.
  pick<Size>([32, 64]).chain((s) =>
    fc.oneof(
      fc.tuple(mem(s), dstRegM(s)).map(([m, b]) => `xchg ${m}, ${b}`),
      fc.tuple(mem(s), srcReg(s)).map(([m, b]) => `lock cmpxchg ${m}, ${b}`),
    ),
  ),
  fc.tuple(pick(["movzx", "movsx"]), pick<Size>([16, 32, 64]), pick<Size>([8, 16])).chain(([op, d, s]) => {
    if (s >= d) return fc.constant("nop");
    const legacy = pick([0, 1, 2, 3, 5, 6, 7].map((i) => NAMES[d][i]));
    const high =
      s === 8 && d !== 64 ? [fc.tuple(legacy, pick(HIGH8)).map(([a, b]) => `${op} ${a}, ${b}`)] : [];
    return fc.oneof(
      fc.tuple(dstReg(d), srcReg(s)).map(([a, b]) => `${op} ${a}, ${b}`),
      fc.tuple(dstRegM(d), mem(s)).map(([a, m]) => `${op} ${a}, ${m}`),
      ...high,
    );
  }),
  fc.oneof(
    fc.tuple(dstReg(64), srcReg(32)).map(([a, b]) => `movsxd ${a}, ${b}`),
    fc.tuple(dstRegM(64), mem(32)).map(([a, m]) => `movsxd ${a}, ${m}`),
  ),
  fc
    .tuple(
      pick<Size>([16, 32, 64]),
      srcReg(64),
      srcReg(64),
      pick([1, 2, 4, 8]),
      fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    )
    .chain(([s, b, i, sc, d]) =>
      dstReg(s).map((a) =>
        i === "rsp"
          ? `lea ${a}, [${b} + ${d}]`
          : `lea ${a}, [${b} + ${i}*${sc} ${d < 0 ? "-" : "+"} ${Math.abs(d)}]`,
      ),
    ),
  {
    // 16 conditions x 3 sizes x 2 forms: weighted so that a 600-case sweep meets each Code.
    weight: 6,
    arbitrary: fc.tuple(pick(CC), wide).chain(([cc, s]) =>
      fc.oneof(
        regPair(s).map(([a, b]) => `cmov${cc} ${a}, ${b}`),
        fc.tuple(dstRegM(s), mem(s)).map(([a, m]) => `cmov${cc} ${a}, ${m}`),
      ),
    ),
  },
  pick(CC).chain((cc) =>
    fc.oneof(
      dstReg(8).map((r) => `set${cc} ${r}`),
      mem(8).map((m) => `set${cc} ${m}`),
    ),
  ),
  pick<Size>([32, 64]).chain((s) => dstReg(s).map((r) => `bswap ${r}`)),
  fc
    .tuple(
      pick<Size>([16, 32, 64]),
      srcReg(32),
      srcReg(32),
      pick([1, 2, 4, 8]),
      fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    )
    .chain(([s, b, i, sc, d]) =>
      dstReg(s).map((a) =>
        i === "esp"
          ? `lea ${a}, [${b} + ${d}]`
          : `lea ${a}, [${b} + ${i}*${sc} ${d < 0 ? "-" : "+"} ${Math.abs(d)}]`,
      ),
    ),
  fc
    .tuple(dstRegM(64), fc.integer({ min: -256, max: 256 }))
    .map(([a, d]) => `mov ${a}, qword ptr [r14d ${d < 0 ? "-" : "+"} ${Math.abs(d)}]`),
  pick(["cbw", "cwde", "cdqe", "cwd", "cdq", "cqo", "lahf", "sahf", "clc", "stc", "cmc", "nop"]),
  fc.tuple(dstReg(8), imm(8)).map(([r, i]) => `mov ${r}, ${i}`),
  fc.tuple(dstRegM(8), mem(8)).map(([r, m]) => `mov ${r}, ${m}`),
  // Hints, fences and cache control: no effect on registers or memory, which is what is compared.
  pick([
    "lfence",
    "mfence",
    "sfence",
    "pause",
    ".byte 0xf3, 0x0f, 0x1e, 0xfa",
    ".byte 0xf3, 0x0f, 0x1e, 0xfb",
  ]),
  // The multi-byte nops compilers pad with: 66 90, nop dword [rax+0], nop word [rax+rax+0], REX forms.
  pick([
    ".byte 0x66, 0x90",
    ".byte 0x0f, 0x1f, 0x40, 0x00",
    ".byte 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00",
    ".byte 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00",
    ".byte 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00",
    ".byte 0x48, 0x0f, 0x1f, 0x00",
  ]),
  fc
    .tuple(
      pick(["clflush", "clflushopt", "prefetchnta", "prefetcht0", "prefetcht1", "prefetcht2", "prefetchw"]),
      mem(8),
    )
    .map(([op, m]) => `${op} ${m}`),
  fc
    .tuple(pick<Size>([32, 64]), fc.nat())
    .chain(([sz]) => fc.tuple(mem(sz), srcReg(sz)).map(([m, r]) => `movnti ${m}, ${r}`)),
  fc.integer({ min: -200, max: 100 }).map((k) => `lea rbx, [r14 + ${k}]\nxlatb`),
  fc.tuple(dstReg(64), srcReg(64)).map(([a, b]) => `push ${b}\npop ${a}`),
  fc.tuple(dstReg(16), srcReg(16)).map(([a, b]) => `push ${b}\npop ${a}`),
  fc.tuple(dstRegM(64), mem(64)).map(([a, m]) => `push ${m}\npop ${a}`),
  fc.tuple(mem(64), imm(32)).map(([m, i]) => `push ${i}\npop ${m}`),
  dstReg(64).map((r) => `pushfq\npop ${r}`),
  fc
    .tuple(dstReg(64), fc.integer({ min: 0, max: 0x8d5 }))
    .map(([r, f]) => `pushfq\npop ${r}\nxor ${r}, ${f & 0x8d5}\npush ${r}\npopfq`),
  mem(64).map((m) => `cmpxchg8b ${m}`),
  fc
    .integer({ min: -8, max: 8 })
    .map((k) => `cmpxchg16b xmmword ptr [r14 ${k < 0 ? "-" : "+"} ${Math.abs(k * 16)}]`),
);

const string = fc
  .tuple(
    pick(["movs", "stos", "lods", "cmps", "scas"]),
    pick(["b", "w", "d", "q"]),
    pick(["", "rep ", "repe ", "repne "]),
    // source and destination stay below the stack area (flag probes) unless they run off the buffer
    fc.integer({ min: -64, max: 100 }),
    fc.integer({ min: -64, max: 100 }),
    fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 250 })),
    fc.boolean(),
  )
  .map(([op, w, rep, a, b, n, down]) => {
    const prefix =
      op === "cmps" || op === "scas" ? (rep === "rep " ? "repe " : rep) : rep === "" ? "" : "rep ";
    const name =
      op === "movs" && w === "d"
        ? "movsd dword ptr [rdi], dword ptr [rsi]"
        : op === "cmps" && w === "d"
          ? "cmpsd dword ptr [rsi], dword ptr [rdi]"
          : `${op}${w}`;
    return [
      `lea rsi, [r14 + ${a * 8}]`,
      `lea rdi, [r14 + ${b * 8 + 4}]`,
      `mov ecx, ${n}`,
      down ? "std" : "cld",
      `${prefix}${name}`,
      "cld",
    ].join("\n");
  });

let labelCounter = 0;
/** Unique label names are filled in by `assembleSnippet` (the token @N@ becomes a fresh label). */
const control = fc.oneof(
  fc.tuple(pick(CC), alu).map(([cc, ins]) => `j${cc} @1@\n${ins}\n@1@:`),
  // compare-and-branch pairs (fused into one op by the fast loop)
  fc
    .tuple(pick(["cmp", "test"]), size, pick(CC), fc.boolean())
    .chain(([op, s, cc, withImm]) =>
      (withImm ? fc.tuple(dstReg(s), imm(s)) : regPair(s)).map(
        ([a, b]) => `${op} ${a}, ${b}\nj${cc} @1@\nnot r15\n@1@:`,
      ),
    ),
  // rel32 forms of jcc and jmp (assemblers pick rel8 for near labels): taken, they skip `not r15`.
  fc
    .tuple(pick(["cmp", "test"]), size, fc.integer({ min: 0, max: 16 }))
    .chain(([op, s, cc]) =>
      regPair(s).map(
        ([a, b]) =>
          `${op} ${a}, ${b}\n.byte ${cc === 16 ? "0xe9" : `0x0f, 0x${(0x80 + cc).toString(16)}`}, 3, 0, 0, 0\nnot r15`,
      ),
    ),
  alu.map((ins) => `call @1@\njmp @2@\n@1@:\n${ins}\nret\n@2@:`),
  fc.tuple(srcReg(64), alu).map(([r, ins]) => `push ${r}\ncall @1@\njmp @2@\n@1@:\n${ins}\nret 8\n@2@:`),
  fc
    .tuple(fc.integer({ min: 1, max: 4 }), pick(["loop", "loope", "loopne"]))
    .map(([n, op]) => `mov ecx, ${n}\n@1@:\nadd eax, ecx\n${op} @1@`),
  fc.integer({ min: 0, max: 2 }).map((n) => `mov ecx, ${n}\njrcxz @1@\ninc rax\n@1@:`),
  fc.tuple(dstReg(64), alu).map(([r, ins]) => `lea ${r}, [rip + @1@]\njmp ${r}\nud2\n@1@:\n${ins}`),
  fc
    .tuple(
      fc.integer({ min: 0, max: 64 }),
      fc.integer({ min: 0, max: 3 }),
      // leave must find the frame: the body does not touch rbp (it could read a flags probe otherwise)
      alu.filter((x) => !/\b(rbp|ebp|bp|bpl)\b/.test(x)),
    )
    .map(([size, level, ins]) => `mov rbp, rsp\nenter ${size * 8}, ${level}\n${ins}\nleave`),
  fc
    .tuple(srcReg(64), mem(64))
    .map(([r, m]) => `push ${r}\npush ${r}\npop qword ptr [rsp + 8]\nmov rax, ${m}\npop rax`),
);

const XMMS = [...Array(16).keys()].map((i) => `xmm${i}`);
const xmm = pick(XMMS);
const SSE_BIN = [
  "pxor",
  "por",
  "pand",
  "pandn",
  "xorps",
  "xorpd",
  "andps",
  "andpd",
  "andnps",
  "orps",
  "orpd",
  "andnpd",
  "paddb",
  "paddw",
  "paddd",
  "paddq",
  "psubb",
  "psubw",
  "psubd",
  "psubq",
  "paddusb",
  "paddusw",
  "psubusb",
  "psubusw",
  "paddsb",
  "paddsw",
  "psubsb",
  "psubsw",
  "pcmpeqb",
  "pcmpeqw",
  "pcmpeqd",
  "pcmpgtb",
  "pcmpgtw",
  "pcmpgtd",
  "pminub",
  "pmaxub",
  "pminsw",
  "pmaxsw",
  "pmullw",
  "pmulhw",
  "pmulhuw",
  "pmuludq",
  "pmaddwd",
  "pavgb",
  "pavgw",
  "psadbw",
  "punpcklbw",
  "punpcklwd",
  "punpckldq",
  "punpcklqdq",
  "punpckhbw",
  "punpckhwd",
  "punpckhdq",
  "punpckhqdq",
  "unpcklps",
  "unpckhps",
  "unpcklpd",
  "unpckhpd",
  "packsswb",
  "packuswb",
  "packssdw",
  "psllw",
  "pslld",
  "psllq",
  "psrlw",
  "psrld",
  "psrlq",
  "psraw",
  "psrad",
  "addsd",
  "subsd",
  "mulsd",
  "divsd",
  "minsd",
  "maxsd",
  "sqrtsd",
  "addss",
  "subss",
  "mulss",
  "divss",
  "minss",
  "maxss",
  "sqrtss",
  "addpd",
  "subpd",
  "mulpd",
  "divpd",
  "minpd",
  "maxpd",
  "sqrtpd",
  "addps",
  "subps",
  "mulps",
  "divps",
  "minps",
  "maxps",
  "sqrtps",
  "cvtsd2ss",
  "cvtss2sd",
  "cvtdq2pd",
  "cvtdq2ps",
  "cvtps2dq",
  "cvttps2dq",
  "cvtpd2dq",
  "cvttpd2dq",
  "cvtps2pd",
  "cvtpd2ps",
  "movaps",
  "movups",
  "movapd",
  "movupd",
  "movdqa",
  "movdqu",
  "movq",
  "movss",
  "movsd",
  "movhlps",
  "movlhps",
];
const SCALAR_MEM: Record<string, string> = { sd: "qword", ss: "dword" };

function sseMemOperand(op: string): fc.Arbitrary<string> {
  const suffix = op.slice(-2);
  if (op.startsWith("cvt") || op === "movq") {
    const width =
      op === "cvtss2sd"
        ? "dword"
        : ["cvtdq2pd", "cvtps2pd", "movq", "cvtsd2ss"].includes(op)
          ? "qword"
          : "xmmword";
    return width === "xmmword" ? alignedMem : mem(0).map((m) => `${width} ptr ${m}`);
  }
  if ((suffix === "sd" || suffix === "ss") && !op.startsWith("p") && op !== "movapd") {
    return mem(0).map((m) => `${SCALAR_MEM[suffix]} ptr ${m}`);
  }
  if (op === "movups" || op === "movupd" || op === "movdqu") return mem(128);
  return alignedMem;
}

const sse = fc.oneof(
  // Weighted so that each of the ~100 two-operand instructions turns up in a 600-case sweep.
  {
    weight: 15,
    arbitrary: pick(SSE_BIN).chain((op) =>
      fc.oneof(
        { weight: 3, arbitrary: fc.tuple(xmm, xmm).map(([a, b]) => `${op} ${a}, ${b}`) },
        {
          weight: 1,
          arbitrary:
            op === "movhlps" || op === "movlhps"
              ? fc.constant("nop")
              : fc.tuple(xmm, sseMemOperand(op)).map(([a, m]) => `${op} ${a}, ${m}`),
        },
      ),
    ),
  },
  fc
    .tuple(
      pick(["psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad", "pslldq", "psrldq"]),
      xmm,
      fc.integer({ min: 0, max: 70 }),
    )
    .map(([op, x, c]) => `${op} ${x}, ${c}`),
  fc
    .tuple(
      pick(["pshufd", "pshuflw", "pshufhw", "shufps", "shufpd"]),
      xmm,
      xmm,
      fc.integer({ min: 0, max: 255 }),
    )
    .map(([op, a, b, i]) => `${op} ${a}, ${b}, ${i}`),
  fc
    .tuple(pick(["cmpsd", "cmpss", "cmppd", "cmpps"]), xmm, xmm, fc.integer({ min: 0, max: 7 }))
    .map(([op, a, b, i]) => `${op} ${a}, ${b}, ${i}`),
  fc
    .tuple(pick(["ucomisd", "comisd", "ucomiss", "comiss"]), xmm, xmm)
    .map(([op, a, b]) => `${op} ${a}, ${b}`),
  fc
    .integer({ min: 0, max: 3 })
    .map(
      (rc) =>
        `mov dword ptr [r14 + 8], ${0x1f80 | (rc << 13)}\nldmxcsr dword ptr [r14 + 8]\nstmxcsr dword ptr [r14 + 12]`,
    ),
  fc
    .tuple(pick(["movaps", "movups", "movdqa", "movdqu", "movapd", "movupd"]), xmm)
    .chain(([op, x]) => (op.includes("u") ? mem(128) : alignedMem).map((m) => `${op} ${m}, ${x}`)),
  fc.tuple(xmm, mem(0)).map(([x, m]) => `movsd qword ptr ${m}, ${x}`),
  fc.tuple(pick(["movntdq", "movntpd", "movntps"]), xmm, alignedMem).map(([op, x, m]) => `${op} ${m}, ${x}`),
  fc.tuple(xmm, mem(128)).map(([x, m]) => `lddqu ${x}, ${m}`),
  fc.tuple(xmm, mem(0)).map(([x, m]) => `movss dword ptr ${m}, ${x}`),
  fc
    .tuple(pick(["movlps", "movhps", "movlpd", "movhpd"]), xmm, mem(0))
    .chain(([op, x, m]) => fc.constantFrom(`${op} ${x}, qword ptr ${m}`, `${op} qword ptr ${m}, ${x}`)),
  fc
    .tuple(xmm, dstReg(32), dstReg(64))
    .chain(([x, r32, r64]) =>
      fc.constantFrom(`movd ${x}, ${r32}`, `movd ${r32}, ${x}`, `movq ${x}, ${r64}`, `movq ${r64}, ${x}`),
    ),
  fc
    .tuple(xmm, mem(0))
    .chain(([x, m]) =>
      fc.constantFrom(`movd ${x}, dword ptr ${m}`, `movd dword ptr ${m}, ${x}`, `movq qword ptr ${m}, ${x}`),
    ),
  fc
    .tuple(pick(["pmovmskb", "movmskps", "movmskpd"]), dstReg(32), xmm)
    .map(([op, r, x]) => `${op} ${r}, ${x}`),
  fc.tuple(dstReg(32), xmm, fc.integer({ min: 0, max: 7 })).map(([r, x, i]) => `pextrw ${r}, ${x}, ${i}`),
  fc.tuple(xmm, srcReg(32), fc.integer({ min: 0, max: 7 })).map(([x, r, i]) => `pinsrw ${x}, ${r}, ${i}`),
  fc.tuple(pick(["cvtsi2sd", "cvtsi2ss"]), xmm, pick<Size>([32, 64])).chain(([op, x, s]) =>
    fc.oneof(
      srcReg(s).map((r) => `${op} ${x}, ${r}`),
      mem(s).map((m) => `${op} ${x}, ${m}`),
    ),
  ),
  fc
    .tuple(pick(["cvttsd2si", "cvtsd2si", "cvttss2si", "cvtss2si"]), pick<Size>([32, 64]), xmm)
    .chain(([op, s, x]) => dstReg(s).map((r) => `${op} ${r}, ${x}`)),
);

const faults = fc.oneof(
  pick(["movaps", "movdqa", "movapd", "pxor", "addpd"]).chain((op) =>
    fc.integer({ min: 1, max: 15 }).map((k) => `${op} xmm0, xmmword ptr [r14 + ${k}]`),
  ),
  fc.integer({ min: 1, max: 15 }).map((k) => `movaps xmmword ptr [r14 + ${k}], xmm1`),
  pick([
    "mov rax, qword ptr [r14 + 0x100000]",
    "mov qword ptr [r14 - 0x1000], rax",
    "mov al, byte ptr [0]",
    "mov rax, qword ptr [r14 + 0x17fc]",
  ]),
  pick([
    "mov rax, qword ptr [r14 + 0x17fd]",
    "mov qword ptr [r14 + 0x17fa], rbx",
    "push rax\nmov rsp, r14\nsub rsp, 0x10000\npush rax",
  ]),
  fc.tuple(srcReg(64)).map(([r]) => `mov rax, qword ptr [${r}]`),
  pick([
    "ud2",
    "hlt",
    "xor ecx, ecx\ndiv rcx",
    "mov eax, 0x80000000\ncdq\nmov ecx, -1\nidiv ecx",
    "int3\nnop",
    "jmp rax",
    "call qword ptr [r14]",
  ]),
  pick([
    "lea rax, [rip]\nmov byte ptr [rax], 0x90",
    "mov rax, 0x8000000000000000\nmov rbx, qword ptr [rax]",
    "mov rbx, qword ptr [rax + rax]",
    "mov r15, 0x8000000000000000\npush rax\npop qword ptr [r15]",
    "mov rbp, 0x8000000000000000\nmov rax, qword ptr [rbp + 8]",
  ]),
);

/** Every flag producer followed by a flag consumer: exercises the lazy flags' materialisation. */
const consumer = fc.oneof(
  fc.tuple(pick(CC), dstReg(8)).map(([cc, r]) => `set${cc} ${r}`),
  fc.tuple(pick(CC), wide).chain(([cc, s]) => regPair(s).map(([a, b]) => `cmov${cc} ${a}, ${b}`)),
  fc.tuple(pick(CC), dstReg(32)).map(([cc, r]) => `j${cc} @1@\nnot ${r}\n@1@:`),
  fc.tuple(pick(["adc", "sbb"]), size).chain(([op, s]) => regPair(s).map(([a, b]) => `${op} ${a}, ${b}`)),
  fc.tuple(pick(["rcl", "rcr"]), dstReg(64)).map(([op, r]) => `${op} ${r}, 1`),
  dstReg(64).map((r) => `pushfq\npop ${r}`),
  pick(["lahf", "cmc", "inc eax", "dec r9"]),
);
const producer = fc.oneof(
  alu,
  shift,
  muldiv,
  bits,
  fc.tuple(pick(["ucomisd", "comiss"]), xmm, xmm).map(([op, a, b]) => `${op} ${a}, ${b}`),
);
const flags = fc.tuple(producer, consumer).map(([p, c]) => `${p}\n${c}`);

/**
 * x87: each item is self-contained: it loads one to three values (memory reals of every width,
 * interesting doubles, integers, constants), applies up to three operations, stores the status
 * word, and then stores st(0) eight times with fstp tbyte (emptying the stack whatever the item
 * pushed or popped: an empty register stores the indefinite), so that every result reaches memory.
 * Control words cycle through rounding and precision modes.
 */
const FPU_AREA = 0x120;
function doubleBits(d: number): bigint {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, d, true);
  return v.getBigUint64(0, true);
}
const fmem = (ptr: string) =>
  fc.integer({ min: 0, max: 30 }).map((k) => `${ptr} ptr [r14 + ${FPU_AREA + 8 * k}]`);
const sti = fc.integer({ min: 1, max: 3 }).map((i) => `st(${i})`);
const X87_DOUBLES = [
  ...[0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.1, 1e308, -1e-310, Infinity, -Infinity, NaN, 2 ** 63, 3.4e38].map(
    doubleBits,
  ),
  0x3ff0000000000001n,
  0x000fffffffffffffn,
  0x0000000000000001n,
  0x7ff4000000000000n,
  0xfff8000000000000n,
  0x4330000000000000n,
  0x3fe0000000000000n,
  0x400921fb54442d18n,
  0x3fb999999999999an,
];
const fload = fc.oneof(
  fmem("qword").map((m) => `fld ${m}`),
  fmem("dword").map((m) => `fld ${m}`),
  fmem("tbyte").map((m) => `fld ${m}`),
  fc
    .tuple(pick(X87_DOUBLES), fc.integer({ min: 0, max: 30 }))
    .map(
      ([v, k]) =>
        `mov rax, 0x${v.toString(16)}\nmov qword ptr [r14 + ${FPU_AREA + 8 * k}], rax\nfld qword ptr [r14 + ${FPU_AREA + 8 * k}]`,
    ),
  fc
    .tuple(value, fc.integer({ min: 0, max: 30 }))
    .map(
      ([v, k]) =>
        `mov rax, 0x${v.toString(16)}\nmov qword ptr [r14 + ${FPU_AREA + 8 * k}], rax\nfild qword ptr [r14 + ${FPU_AREA + 8 * k}]`,
    ),
  fc
    .tuple(pick(["word", "dword", "qword"]), fc.integer({ min: 0, max: 30 }))
    .chain(([w]) => fmem(w).map((m) => `fild ${m}`)),
  pick(["fldz", "fld1", "fldpi", "fldl2e", "fldl2t", "fldlg2", "fldln2"]),
  sti.map((r) => `fld ${r}`),
);
const FARITH = ["fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr"];
const fop = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(pick(FARITH), sti).map(([o, r]) => `${o} st(0), ${r}`) },
  { weight: 2, arbitrary: fc.tuple(pick(FARITH), sti).map(([o, r]) => `${o} ${r}, st(0)`) },
  {
    weight: 3,
    arbitrary: fc.tuple(pick(FARITH), pick(["st(1)", "st(2)"])).map(([o, r]) => `${o}p ${r}, st(0)`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(pick(FARITH), pick(["qword", "dword"]))
      .chain(([o, w]) => fmem(w).map((m) => `${o} ${m}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(pick(FARITH), pick(["dword", "word"]))
      .chain(([o, w]) => fmem(w).map((m) => `fi${o.slice(1)} ${m}`)),
  },
  {
    weight: 3,
    arbitrary: pick([
      "fchs",
      "fabs",
      "fsqrt",
      "frndint",
      "fxam",
      "ftst",
      "fscale",
      "fprem",
      "fprem1",
      "fcompp",
      "fucompp",
    ]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(pick(["fcom", "fcomp", "fucom", "fucomp", "fxch", "fld", "fst", "fstp"]), sti)
      .map(([o, r]) => `${o} ${r}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(pick(["fcomi", "fucomi", "fcomip", "fucomip"]), sti, dstReg(64))
      .map(([o, r, d]) => `${o} st(0), ${r}\npushfq\npop ${d}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        pick(["fcmovb", "fcmove", "fcmovbe", "fcmovu", "fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"]),
        sti,
        alu,
      )
      .map(([o, r, a]) => `${a}\n${o} st(0), ${r}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(pick(["fst", "fstp", "fist", "fistp", "fisttp"]), pick(["dword", "qword", "word"]))
      .filter(([o, w]) => !(w === "word" && o.startsWith("fst")))
      .chain(([o, w]) => fmem(w).map((m) => `${o} ${m}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(pick(["dword", "word"]), pick(["ficom", "ficomp"]))
      .chain(([w, o]) => fmem(w).map((m) => `${o} ${m}`)),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      pick([
        "fnclex",
        "fclex",
        "fninit",
        "finit",
        "fincstp",
        "fdecstp",
        "fnop",
        "wait",
        "fnstsw ax",
        "fstsw ax",
      ]),
      sti.map((r) => `ffree ${r}`),
      sti.map((r) => `ffreep ${r}`),
      pick(["fxtract", ".byte 0xd9, 0xd9", ".byte 0xd9, 0xda"]),
      fc.constant(`fbstp tbyte ptr [r14 + ${FPU_AREA + 380}]\nfbld tbyte ptr [r14 + ${FPU_AREA + 380}]`),
      // The whole state with its instruction and data pointers cleared (not modelled), reloaded.
      fc.constant(
        `fnsave [r14 + ${FPU_AREA + 400}]\nmov qword ptr [r14 + ${FPU_AREA + 412}], 0\nmov qword ptr [r14 + ${FPU_AREA + 420}], 0\nfrstor [r14 + ${FPU_AREA + 400}]`,
      ),
      pick(["fstcw", "fstsw", "fnstcw", "fnstsw"]).map((o) => `${o} word ptr [r14 + ${FPU_AREA - 2}]`),
      // The environment with its instruction and data pointers cleared (they are not modelled), reloaded.
      pick(["fnstenv", "fstenv"]).map(
        (o) =>
          `${o} [r14 + ${FPU_AREA + 400}]\nmov qword ptr [r14 + ${FPU_AREA + 412}], 0\nmov qword ptr [r14 + ${FPU_AREA + 420}], 0\nfldenv [r14 + ${FPU_AREA + 400}]`,
      ),
    ),
  },
);
const CONTROL_WORDS = [0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x027f, 0x007f, 0x0e7f, 0x037f];
const fcw = fc
  .tuple(pick(CONTROL_WORDS), dstReg(16))
  .map(
    ([cw]) =>
      `mov word ptr [r14 + ${FPU_AREA - 8}], ${cw}\nfldcw word ptr [r14 + ${FPU_AREA - 8}]\nfnstcw word ptr [r14 + ${FPU_AREA - 6}]`,
  );
const x87 = fc
  .tuple(
    fc.option(fcw, { freq: 3 }),
    fc.array(fload, { minLength: 1, maxLength: 3 }),
    fc.array(fop, { maxLength: 3 }),
  )
  .map(([cw, loads, ops]) =>
    [
      ...(cw === null ? [] : [cw]),
      ...loads,
      ...ops,
      `fnstsw word ptr [r14 + ${FPU_AREA - 4}]`,
      ...Array.from({ length: 8 }, (_, k) => `fstp tbyte ptr [r14 + ${FPU_AREA + 256 + 16 * k}]`),
      "fnstsw ax",
    ].join("\n"),
  );

const mixed = fc.oneof(alu, shift, muldiv, bits, data, string, control, sse, flags);

export const FAMILIES = {
  alu,
  shift,
  muldiv,
  bits,
  data,
  string,
  control,
  sse,
  faults,
  flags,
  x87,
  mixed,
} as const;
export type FamilyName = keyof typeof FAMILIES;

/** A generated test input: the instruction lines and the initial machine state. */
export interface Input {
  lines: string[];
  gpr: bigint[];
  flags: number;
  xmm: Uint8Array;
  mxcsr: number;
  dataSeed: number;
}

const INTERESTING_DOUBLES = [
  0,
  -0,
  1,
  -1,
  1.5,
  0.5,
  2.5,
  -2.5,
  1e308,
  -1e-310,
  Infinity,
  -Infinity,
  NaN,
  2 ** 63,
  -(2 ** 63),
  2 ** 31,
  4294967295.5,
  3.4e38,
  1e-40,
];

const xmmBytes = fc
  .tuple(
    fc.integer(),
    fc.array(fc.tuple(fc.nat(31), fc.constantFrom(...INTERESTING_DOUBLES), fc.boolean()), { maxLength: 12 }),
  )
  .map(([seed, specials]) => {
    const b = new Uint8Array(256);
    let s = seed | 1;
    for (let i = 0; i < 256; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      b[i] = s & 0xff;
    }
    const dv = new DataView(b.buffer);
    for (const [slot, v, single] of specials) {
      if (single) dv.setFloat32(slot * 8, v, true);
      else dv.setFloat64(slot * 8, v, true);
    }
    // NaN payloads: a signalling NaN and a quiet one with payload
    return b;
  });

export function inputArb(family: fc.Arbitrary<string>, maxLength = 5): fc.Arbitrary<Input> {
  return fc.record({
    lines: fc.array(family, { minLength: 1, maxLength }),
    gpr: fc.array(value, { minLength: 16, maxLength: 16 }).chain((g) =>
      fc.integer({ min: -16, max: 16 }).map((idx) => {
        const r = [...g];
        r[4] = BigInt(DATA_ADDR + 0x1800);
        r[13] = BigInt.asUintN(64, BigInt(idx));
        r[14] = BigInt(DATA_ADDR + 0x800);
        return r;
      }),
    ),
    flags: fc.integer({ min: 0, max: 0xfff }).map((f) => (f & 0x8d5) | 0x202),
    xmm: xmmBytes,
    mxcsr: fc.oneof(
      { weight: 4, arbitrary: fc.constant(0x1f80) },
      { weight: 1, arbitrary: fc.constantFrom(0x3f80, 0x5f80, 0x7f80) },
    ),
    dataSeed: fc.integer(),
  });
}

export function dataBytes(seed: number): Uint8Array {
  const b = new Uint8Array(DATA_SIZE);
  let s = seed | 1;
  for (let i = 0; i < DATA_SIZE; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    b[i] = s & 0xff;
  }
  // sprinkle interesting 64-bit values
  const dv = new DataView(b.buffer);
  for (let i = 0; i < 64; i++)
    dv.setBigUint64(
      ((i * 977 + (seed & 0xff) * 8) % (DATA_SIZE / 8)) * 8,
      INTERESTING[i % INTERESTING.length],
      true,
    );
  return b;
}

/**
 * A REX.W-prefixed pushfq, recognised by the harness as instrumentation: it records the flags after
 * each instruction group in the stack area of the data buffer, where they are compared with the
 * flags defined at that point.
 */
export const FLAGS_PROBE = ".byte 0x48, 0x9c";

/** The assembly text of an input, with unique labels, flag probes and a final int3. */
export function source(input: Input): string {
  const out: string[] = [];
  for (const line of input.lines) {
    const id = labelCounter++;
    out.push(line.replace(/@(\d)@/g, (_, n: string) => `L${id}_${n}`));
    out.push(FLAGS_PROBE);
  }
  out.push("int3");
  return out.join("\n");
}

export function toCase(input: Input, code: Uint8Array): Case {
  return {
    code,
    data: dataBytes(input.dataSeed),
    gpr: input.gpr,
    rflags: input.flags,
    xmm: input.xmm,
    mxcsr: input.mxcsr,
  };
}
