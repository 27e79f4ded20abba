/**
 * Test-case generator for the x87 differential test (x87.test.ts).
 *
 * A case is machine code built here byte by byte (the x87 encodings are regular, and this avoids
 * assembler quirks with the st(i) forms): a prologue that loads an initial FPU state from the data
 * buffer (fninit; fldcw; fld tbyte x n: up to eight 80-bit registers), the generated x87
 * instructions, and an epilogue that saves the whole FPU state into the data buffer with fnsave
 * (control word, status word with C0-C3 and TOP, tag word, the eight registers as 80-bit values)
 * and clears the instruction/operand pointers it also stores (they are not emulated). The existing
 * harness (native.ts: native/runner.c on the CPU, the emulator) then compares GPRs, flags and the
 * data buffer, so the final x87 state is compared bit for bit.
 *
 * Operands: "interesting" 80-bit values (zeros, denormals, pseudo-denormals, unnormals, infinities,
 * quiet and signalling NaNs, the indefinite, extremes, values at and next to rounding ties for 24,
 * 53 and 64 bits), random ones, float32/float64/int16/int32/int64 memory operands, every rounding
 * mode and precision control.
 */
import fc from "fast-check";
import { CODE_ADDR, DATA_ADDR, type Case } from "./native.js";

/** Data buffer layout. */
export const X87_DATA_SIZE = 0x400;
const REGS_AT = 0x000; // 8 x 16 bytes, ST(0) first
const CW_AT = 0x080;
const MEM_AT = 0x100; // memory operand slots
const SAVE_AT = 0x200; // fnsave image (108 bytes)

/** Memory operand slots: offset in the buffer and what kind of value is put there. */
const SLOTS = {
  m80a: MEM_AT + 0x00,
  m80b: MEM_AT + 0x10,
  m64a: MEM_AT + 0x20,
  m64b: MEM_AT + 0x28,
  m32a: MEM_AT + 0x30,
  m32b: MEM_AT + 0x34,
  i16: MEM_AT + 0x38,
  i32: MEM_AT + 0x3c,
  i64: MEM_AT + 0x40,
  out: MEM_AT + 0x60, // destination of stores (16 bytes)
  out2: MEM_AT + 0x70,
  env: MEM_AT + 0x80, // 28-byte environments
  save: 0x300, // 108-byte state images
  bcd: MEM_AT + 0x50, // packed BCD (valid digits)
};

export interface X87Input {
  regs: bigint[]; // 80-bit values as (se << 64) | significand
  count: number; // registers loaded
  cw: number;
  flags: number;
  mem: { m80a: bigint; m80b: bigint; m64a: bigint; m64b: bigint; m32a: number; m32b: number };
  ints: { i16: number; i32: number; i64: bigint; bcd: bigint };
  ins: Instr[];
}

/** One generated instruction: its bytes and its text (for reports). */
export interface Instr {
  bytes: number[];
  text: string;
}

// ------------------------------------------------------------------ values

const INT = 1n << 63n;
const X = (s: number, e: number, m: bigint): bigint => (BigInt((s << 15) | e) << 64n) | m;

const SPECIAL80: bigint[] = [
  X(0, 0, 0n),
  X(1, 0, 0n),
  X(0, 0x3fff, INT), // 1
  X(1, 0x3fff, INT),
  X(0, 0x4000, INT), // 2
  X(0, 0x4000, INT | (1n << 62n)), // 3
  X(0, 0x3ffe, INT), // 0.5
  X(0, 0x7fff, INT), // +inf
  X(1, 0x7fff, INT),
  X(0, 0x7fff, INT | (1n << 62n)), // QNaN
  X(1, 0x7fff, INT | (1n << 62n) | 0x1234n), // QNaN payload
  X(0, 0x7fff, INT | 1n), // SNaN
  X(1, 0x7fff, INT | 0x5678n), // SNaN
  X(1, 0x7fff, 0xc000000000000000n), // indefinite
  X(0, 0x7ffe, (1n << 64n) - 1n), // max
  X(1, 0x7ffe, (1n << 64n) - 1n),
  X(0, 1, INT), // min normal
  X(0, 0, 1n), // min denormal
  X(1, 0, INT - 1n), // max denormal
  X(0, 0, INT | 5n), // pseudo-denormal
  X(0, 0x3fff, 0x5555n), // unnormal
  X(0, 0x7fff, 0n), // pseudo-infinity
  X(0, 0x4000, 0xc90fdaa22168c235n), // pi
  X(0, 0x3ffb, 0xcccccccccccccccdn), // 0.1
  X(0, 0x403e, INT), // 2^63
  X(1, 0x403e, INT), // -2^63
  X(0, 0x401d, INT), // 2^31
  X(0, 0x400e, INT), // 2^15
  X(0, 0x3c01, INT), // double min normal
  X(0, 0x43fe, 0xfffffffffffff800n), // DBL_MAX
  X(0, 0x3f81, INT), // float min normal
  X(0, 0x407e, 0xffffff0000000000n), // FLT_MAX
];

/** Significands at and next to the rounding ties of 24, 53 and 64-bit precision. */
const tieMantissa = fc
  .tuple(
    fc.constantFrom(24, 53, 63),
    fc.bigInt({ min: 0n, max: (1n << 62n) - 1n }),
    fc.integer({ min: -2, max: 2 }),
  )
  .map(([p, r, d]) => {
    const low = 64 - p; // bits below the kept ones
    const base = (INT | r) & ~((1n << BigInt(low)) - 1n);
    const half = low > 0 ? 1n << BigInt(low - 1) : 0n;
    return BigInt.asUintN(64, (base | half) + BigInt(d)) | INT;
  });

const exponent = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x3fc0, max: 0x4040 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x7fff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 70 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x7fc0, max: 0x7ffe }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x3c00 - 60, max: 0x3c00 + 2 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x3f80 - 30, max: 0x3f80 + 2 }) },
);

const sign = fc.integer({ min: 0, max: 1 });

export const value80 = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL80) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(sign, exponent, fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }))
      .map(([s, e, m]) => X(s, e, e === 0 ? m : m | INT)),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(sign, exponent, tieMantissa).map(([s, e, m]) => X(s, e === 0 ? 1 : e, m)),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(sign, fc.integer({ min: 0, max: 1000 })).map(([s, v]) => {
      if (v === 0) return X(s, 0, 0n);
      const n = v.toString(2).length;
      return X(s, 0x3fff + n - 1, BigInt(v) << BigInt(64 - n));
    }),
  },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 80n) - 1n }) },
);

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

const double = fc.oneof(
  fc
    .constantFrom(
      0,
      -0,
      1,
      -1,
      0.1,
      1e300,
      5e-324,
      2.2250738585072014e-308,
      1.7976931348623157e308,
      Infinity,
      -Infinity,
      3.5,
      2 ** 63,
      -(2 ** 31),
    )
    .map((v) => {
      F64[0] = v;
      return U64[0];
    }),
  fc.constantFrom(0x7ff8000000000000n, 0x7ff0000000000001n, 0xfff4000000000000n, 0x000fffffffffffffn),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.double({ noNaN: true }).map((v) => {
    F64[0] = v;
    return U64[0];
  }),
);

const float = fc.oneof(
  fc.constantFrom(0, -0, 1, 0.1, 1e-45, 3.4e38, Infinity, -Infinity, 16777217).map((v) => {
    F32[0] = v;
    return U32[0];
  }),
  fc.constantFrom(0x7fc00000, 0x7f800001, 0xff900000, 0x007fffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);

const int16 = fc.oneof(fc.constantFrom(0, 1, -1, 32767, -32768), fc.integer({ min: -32768, max: 32767 }));
const int32 = fc.oneof(fc.constantFrom(0, 1, -1, 2147483647, -2147483648), fc.integer());
const int64 = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n), 1n << 53n, (1n << 53n) + 1n),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
);

// ------------------------------------------------------------------ instructions

const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];

/** modrm + disp32 for [rdi + off] with the /digit `reg`. */
function memForm(opcode: number, digit: number, off: number): number[] {
  return [opcode, 0x80 | (digit << 3) | 7, off & 0xff, (off >> 8) & 0xff, 0, 0];
}

/** mov qword ptr [rdi + at + 12], 0 and [rdi + at + 20]: FIP FCS FOP FDP FDS of an environment image are not emulated. */
function clearPointers(at: number): number[] {
  const b: number[] = [];
  for (const off of [12, 20]) b.push(0x48, 0xc7, 0x87, ...u16(at + off), 0, 0, 0, 0, 0, 0);
  return b;
}

const sti = fc.integer({ min: 0, max: 7 });

function regOp(op1: number, op2: number, text: (i: number) => string): fc.Arbitrary<Instr> {
  return sti.map((i) => ({ bytes: [op1, op2 + i], text: text(i) }));
}

function fixed(bytes: number[], text: string): fc.Arbitrary<Instr> {
  return fc.constant<Instr>({ bytes, text });
}

const ARITH = ["fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"];
const IARITH = ["fiadd", "fimul", "ficom", "ficomp", "fisub", "fisubr", "fidiv", "fidivr"];
/** DC C0+8k: Intel's st(i), st(0) forms (digit 4 is fsubr, 5 fsub, 6 fdivr, 7 fdiv). */
const ARITH_STI = ["fadd", "fmul", "fcom2", "fcomp3", "fsubr", "fsub", "fdivr", "fdiv"];
const ARITH_P = ["faddp", "fmulp", "fcomp5", "fcompp", "fsubrp", "fsubp", "fdivrp", "fdivp"];

const m32 = fc.constantFrom(SLOTS.m32a, SLOTS.m32b);
const m64 = fc.constantFrom(SLOTS.m64a, SLOTS.m64b);
const m80 = fc.constantFrom(SLOTS.m80a, SLOTS.m80b);
const digit = fc.integer({ min: 0, max: 7 });
const out = fc.constantFrom(SLOTS.out, SLOTS.out2);

const arith = fc.oneof(
  fc.tuple(digit, m32).map(([d, o]) => ({ bytes: memForm(0xd8, d, o), text: `${ARITH[d]} dword [${o}]` })),
  fc.tuple(digit, m64).map(([d, o]) => ({ bytes: memForm(0xdc, d, o), text: `${ARITH[d]} qword [${o}]` })),
  fc
    .tuple(digit, sti)
    .map(([d, i]) => ({ bytes: [0xd8, 0xc0 + d * 8 + i], text: `${ARITH[d]} st, st(${i})` })),
  fc
    .tuple(fc.constantFrom(0, 1, 4, 5, 6, 7), sti)
    .map(([d, i]) => ({ bytes: [0xdc, 0xc0 + d * 8 + i], text: `${ARITH_STI[d]} st(${i}), st` })),
  fc
    .tuple(fc.constantFrom(0, 1, 4, 5, 6, 7), sti)
    .map(([d, i]) => ({ bytes: [0xde, 0xc0 + d * 8 + i], text: `${ARITH_P[d]} st(${i}), st` })),
  fc.tuple(digit).map(([d]) => ({ bytes: memForm(0xda, d, SLOTS.i32), text: `${IARITH[d]} dword [i32]` })),
  fc.tuple(digit).map(([d]) => ({ bytes: memForm(0xde, d, SLOTS.i16), text: `${IARITH[d]} word [i16]` })),
);

const compare = fc.oneof(
  regOp(0xd8, 0xd0, (i) => `fcom st(${i})`),
  regOp(0xd8, 0xd8, (i) => `fcomp st(${i})`),
  regOp(0xdd, 0xe0, (i) => `fucom st(${i})`),
  regOp(0xdd, 0xe8, (i) => `fucomp st(${i})`),
  regOp(0xdb, 0xf0, (i) => `fcomi st, st(${i})`),
  regOp(0xdb, 0xe8, (i) => `fucomi st, st(${i})`),
  regOp(0xdf, 0xf0, (i) => `fcomip st, st(${i})`),
  regOp(0xdf, 0xe8, (i) => `fucomip st, st(${i})`),
  fixed([0xde, 0xd9], "fcompp"),
  fixed([0xda, 0xe9], "fucompp"),
  fixed([0xd9, 0xe4], "ftst"),
  fixed([0xd9, 0xe5], "fxam"),
);

const FCMOV = ["fcmovb", "fcmove", "fcmovbe", "fcmovu"];
const FCMOVN = ["fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"];

const data = fc.oneof(
  regOp(0xd9, 0xc0, (i) => `fld st(${i})`),
  m32.map((o) => ({ bytes: memForm(0xd9, 0, o), text: `fld dword [${o}]` })),
  m64.map((o) => ({ bytes: memForm(0xdd, 0, o), text: `fld qword [${o}]` })),
  m80.map((o) => ({ bytes: memForm(0xdb, 5, o), text: `fld tbyte [${o}]` })),
  fc.constant<Instr>({ bytes: memForm(0xdf, 0, SLOTS.i16), text: "fild word [i16]" }),
  fc.constant<Instr>({ bytes: memForm(0xdb, 0, SLOTS.i32), text: "fild dword [i32]" }),
  fc.constant<Instr>({ bytes: memForm(0xdf, 5, SLOTS.i64), text: "fild qword [i64]" }),
  fc
    .tuple(fc.constantFrom(2, 3), out)
    .map(([d, o]) => ({ bytes: memForm(0xd9, d, o), text: `fst${d === 3 ? "p" : ""} dword [${o}]` })),
  fc
    .tuple(fc.constantFrom(2, 3), out)
    .map(([d, o]) => ({ bytes: memForm(0xdd, d, o), text: `fst${d === 3 ? "p" : ""} qword [${o}]` })),
  out.map((o) => ({ bytes: memForm(0xdb, 7, o), text: `fstp tbyte [${o}]` })),
  regOp(0xdd, 0xd0, (i) => `fst st(${i})`),
  regOp(0xdd, 0xd8, (i) => `fstp st(${i})`),
  fc.constantFrom<Instr>(
    { bytes: [0x9b, 0xdf, 0xe0], text: "fstsw ax (waiting)" },
    { bytes: [0x9b, 0xdb, 0xe2], text: "fclex (waiting)" },
    { bytes: [0x9b, 0xdb, 0xe3], text: "finit (waiting)" },
  ),
  fc.tuple(fc.constantFrom(1, 2, 3), out).map(([d, o]) => ({
    bytes: memForm(0xdf, d, o),
    text: `${["", "fisttp", "fist", "fistp"][d]} word [${o}]`,
  })),
  fc.tuple(fc.constantFrom(1, 2, 3), out).map(([d, o]) => ({
    bytes: memForm(0xdb, d, o),
    text: `${["", "fisttp", "fist", "fistp"][d]} dword [${o}]`,
  })),
  out.map((o) => ({ bytes: memForm(0xdd, 1, o), text: `fisttp qword [${o}]` })),
  out.map((o) => ({ bytes: memForm(0xdf, 7, o), text: `fistp qword [${o}]` })),
  out.map((o) => ({ bytes: memForm(0xdf, 6, o), text: `fbstp [${o}]` })),
  fc.constant<Instr>({ bytes: memForm(0xdf, 4, SLOTS.bcd), text: "fbld [bcd]" }),
  regOp(0xd9, 0xc8, (i) => `fxch st(${i})`),
  fc
    .tuple(fc.integer({ min: 0, max: 3 }), sti)
    .map(([c, i]) => ({ bytes: [0xda, 0xc0 + c * 8 + i], text: `${FCMOV[c]} st, st(${i})` })),
  fc
    .tuple(fc.integer({ min: 0, max: 3 }), sti)
    .map(([c, i]) => ({ bytes: [0xdb, 0xc0 + c * 8 + i], text: `${FCMOVN[c]} st, st(${i})` })),
  regOp(0xdd, 0xc0, (i) => `ffree st(${i})`),
  regOp(0xdf, 0xc0, (i) => `ffreep st(${i})`),
  fc.constantFrom<Instr>(
    { bytes: [0xd9, 0xe8], text: "fld1" },
    { bytes: [0xd9, 0xe9], text: "fldl2t" },
    { bytes: [0xd9, 0xea], text: "fldl2e" },
    { bytes: [0xd9, 0xeb], text: "fldpi" },
    { bytes: [0xd9, 0xec], text: "fldlg2" },
    { bytes: [0xd9, 0xed], text: "fldln2" },
    { bytes: [0xd9, 0xee], text: "fldz" },
    { bytes: [0xd9, 0xf6], text: "fdecstp" },
    { bytes: [0xd9, 0xf7], text: "fincstp" },
    { bytes: [0xd9, 0xd0], text: "fnop" },
    { bytes: [0xdb, 0xe2], text: "fnclex" },
    { bytes: [0x9b], text: "fwait" },
  ),
  fc.constant<Instr>({ bytes: [0xdf, 0xe0], text: "fnstsw ax" }),
  out.map((o) => ({ bytes: memForm(0xdd, 7, o), text: `fnstsw [${o}]` })),
  out.map((o) => ({ bytes: memForm(0xd9, 7, o), text: `fnstcw [${o}]` })),
  fc.constant<Instr>({
    bytes: [...memForm(0xd9, 6, SLOTS.env), ...clearPointers(SLOTS.env), ...memForm(0xd9, 4, SLOTS.env)],
    text: "fnstenv [env]; (pointers cleared); fldenv [env]",
  }),
  fc.constant<Instr>({
    bytes: [...memForm(0xdd, 6, SLOTS.save), ...clearPointers(SLOTS.save), ...memForm(0xdd, 4, SLOTS.save)],
    text: "fnsave [save]; (pointers cleared); frstor [save]",
  }),
);

const unary = fc.constantFrom<Instr>(
  { bytes: [0xd9, 0xe0], text: "fchs" },
  { bytes: [0xd9, 0xe1], text: "fabs" },
  { bytes: [0xd9, 0xfa], text: "fsqrt" },
  { bytes: [0xd9, 0xfc], text: "frndint" },
  { bytes: [0xd9, 0xfd], text: "fscale" },
  { bytes: [0xd9, 0xf4], text: "fxtract" },
  { bytes: [0xd9, 0xf8], text: "fprem" },
  { bytes: [0xd9, 0xf5], text: "fprem1" },
);

export const X87_FAMILIES = { arith, compare, data, unary } as const;
export const x87Instr = fc.oneof(
  { weight: 4, arbitrary: arith },
  { weight: 2, arbitrary: compare },
  { weight: 3, arbitrary: data },
  { weight: 2, arbitrary: unary },
);

/** Exception masks: all masked (the default), or some unmasked. */
const ALL_MASKED = fc.constant(0x3f);
export const SOME_UNMASKED = fc.oneof(
  fc.integer({ min: 0, max: 0x3f }),
  fc.constantFrom(0x3e, 0x3d, 0x3b, 0x37, 0x2f, 0x1f),
);

export function x87InputArb(
  instr: fc.Arbitrary<Instr> = x87Instr,
  maxLength = 4,
  masks: fc.Arbitrary<number> = ALL_MASKED,
): fc.Arbitrary<X87Input> {
  return fc.record({
    regs: fc.array(value80, { minLength: 8, maxLength: 8 }),
    count: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 2, max: 8 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 }) },
    ),
    cw: fc
      .tuple(fc.constantFrom(0, 2, 3, 3, 3), fc.integer({ min: 0, max: 3 }), masks)
      .map(([pc, rc, mask]) => 0x40 | mask | (pc << 8) | (rc << 10)),
    flags: fc.integer({ min: 0, max: 0xfff }).map((f) => (f & 0x8d5) | 0x202),
    mem: fc.record({ m80a: value80, m80b: value80, m64a: double, m64b: double, m32a: float, m32b: float }),
    ints: fc.record({
      i16: int16,
      i32: int32,
      i64: int64,
      bcd: fc.oneof(
        fc.constantFrom(0n, 1n, -1n, 10n ** 18n - 1n, -(10n ** 18n - 1n)),
        fc.bigInt({ min: -(10n ** 18n - 1n), max: 10n ** 18n - 1n }),
      ),
    }),
    ins: fc.array(instr, { minLength: 1, maxLength }),
  });
}

function put80(b: Uint8Array, at: number, v: bigint): void {
  for (let k = 0; k < 10; k++) b[at + k] = Number((v >> BigInt(8 * k)) & 0xffn);
}

/** The code bytes: prologue, the instructions, epilogue, int3. */
export function x87Code(input: X87Input): Uint8Array {
  const code: number[] = [0xdb, 0xe3, ...memForm(0xd9, 5, CW_AT)]; // fninit; fldcw
  for (let i = input.count - 1; i >= 0; i--) code.push(...memForm(0xdb, 5, REGS_AT + 16 * i)); // fld tbyte
  for (const ins of input.ins) code.push(...ins.bytes);
  code.push(...memForm(0xdd, 6, SAVE_AT)); // fnsave
  code.push(...clearPointers(SAVE_AT));
  code.push(0xcc);
  return new Uint8Array(code);
}

export function x87Source(input: X87Input): string {
  return [
    `cw 0x${input.cw.toString(16)}, ${input.count} registers loaded:`,
    ...input.regs.slice(0, input.count).map((v, i) => `  st(${i}) = ${hex80(v)}`),
    `memory: m80a ${hex80(input.mem.m80a)} m80b ${hex80(input.mem.m80b)} m64a 0x${input.mem.m64a.toString(16)} m64b 0x${input.mem.m64b.toString(16)} m32a 0x${input.mem.m32a.toString(16)} m32b 0x${input.mem.m32b.toString(16)} i16 ${input.ints.i16} i32 ${input.ints.i32} i64 ${input.ints.i64}`,
    ...input.ins.map((i) => i.text),
  ].join("\n");
}

export function hex80(v: bigint): string {
  const se = Number(v >> 64n);
  return `${se.toString(16).padStart(4, "0")}:${(v & ((1n << 64n) - 1n)).toString(16).padStart(16, "0")}`;
}

export function x87Case(input: X87Input): Case {
  const d = new Uint8Array(X87_DATA_SIZE);
  const dv = new DataView(d.buffer);
  input.regs.forEach((v, i) => put80(d, REGS_AT + 16 * i, v));
  dv.setUint16(CW_AT, input.cw, true);
  put80(d, SLOTS.m80a, input.mem.m80a);
  put80(d, SLOTS.m80b, input.mem.m80b);
  dv.setBigUint64(SLOTS.m64a, input.mem.m64a, true);
  dv.setBigUint64(SLOTS.m64b, input.mem.m64b, true);
  dv.setUint32(SLOTS.m32a, input.mem.m32a >>> 0, true);
  dv.setUint32(SLOTS.m32b, input.mem.m32b >>> 0, true);
  dv.setInt16(SLOTS.i16, input.ints.i16, true);
  dv.setInt32(SLOTS.i32, input.ints.i32, true);
  dv.setBigInt64(SLOTS.i64, input.ints.i64, true);
  let bcd = input.ints.bcd < 0n ? -input.ints.bcd : input.ints.bcd;
  for (let i = 0; i < 9; i++) {
    const lo = Number(bcd % 10n);
    bcd /= 10n;
    const hi = Number(bcd % 10n);
    bcd /= 10n;
    d[SLOTS.bcd + i] = (hi << 4) | lo;
  }
  d[SLOTS.bcd + 9] = input.ints.bcd < 0n ? 0x80 : 0;
  const gpr = new Array<bigint>(16).fill(0n);
  gpr[4] = BigInt(DATA_ADDR + 0x1800);
  gpr[7] = BigInt(DATA_ADDR);
  return { code: x87Code(input), data: d, gpr, rflags: input.flags, xmm: new Uint8Array(256), mxcsr: 0x1f80 };
}

/** The fnsave image in an outcome's data buffer: control, status and tag words, ST(0)..ST(7). */
export function saveImage(data: Uint8Array): { cw: number; sw: number; tw: number; regs: bigint[] } {
  const dv = new DataView(data.buffer, data.byteOffset);
  const regs: bigint[] = [];
  for (let i = 0; i < 8; i++) {
    let v = 0n;
    for (let k = 9; k >= 0; k--) v = (v << 8n) | BigInt(data[SAVE_AT + 28 + 10 * i + k]);
    regs.push(v);
  }
  return {
    cw: dv.getUint16(SAVE_AT, true),
    sw: dv.getUint16(SAVE_AT + 4, true),
    tw: dv.getUint16(SAVE_AT + 8, true),
    regs,
  };
}

/** The fnsave image decoded for a report. */
export function describeSave(data: Uint8Array): string {
  const { cw, sw, tw, regs } = saveImage(data);
  const st = regs.map((v, i) => `st(${i}) ${hex80(v)}`).join(" ");
  return `cw ${cw.toString(16)} sw ${sw.toString(16)} (top ${(sw >> 11) & 7}) tw ${tw.toString(16)} | ${st}`;
}

export { CODE_ADDR };

// ------------------------------------------------------------------ transcendental functions

/** Keeps a value inside |x| < 2^(maxExp - 0x3fff) (exponent field at most maxExp), any sign unless `positive`. */
function within(v: bigint, maxExp: number, positive: boolean): bigint {
  let se = Number(v >> 64n);
  const m = v & ((1n << 64n) - 1n);
  if ((se & 0x7fff) > maxExp) se = (se & 0x8000) | maxExp;
  if (positive) se &= 0x7fff;
  return (BigInt(se) << 64n) | m;
}

const TRANSCENDENTAL: { ins: Instr; maxExp: number; positive: boolean }[] = [
  { ins: { bytes: [0xd9, 0xf0], text: "f2xm1" }, maxExp: 0x3ffe, positive: false },
  { ins: { bytes: [0xd9, 0xf1], text: "fyl2x" }, maxExp: 0x7ffe, positive: true },
  { ins: { bytes: [0xd9, 0xf9], text: "fyl2xp1" }, maxExp: 0x3ffc, positive: false },
  { ins: { bytes: [0xd9, 0xf3], text: "fpatan" }, maxExp: 0x7ffe, positive: false },
  // trigonometric: arguments below 1 (reduced arguments can differ by a few ulps: the hardware reduces with its own pi)
  { ins: { bytes: [0xd9, 0xfe], text: "fsin" }, maxExp: 0x3ffe, positive: false },
  { ins: { bytes: [0xd9, 0xff], text: "fcos" }, maxExp: 0x3ffe, positive: false },
  { ins: { bytes: [0xd9, 0xfb], text: "fsincos" }, maxExp: 0x3ffe, positive: false },
  { ins: { bytes: [0xd9, 0xf2], text: "fptan" }, maxExp: 0x3ffe, positive: false },
];

/** One transcendental instruction with st(0) in its defined domain (special values included). */
export function transcendentalArb(names: readonly string[]): fc.Arbitrary<X87Input> {
  const chosen = TRANSCENDENTAL.filter((t) => names.includes(t.ins.text));
  return fc
    .tuple(
      x87InputArb(fc.constant<Instr>({ bytes: [0xd9, 0xd0], text: "fnop" }), 1),
      fc.nat(chosen.length - 1),
      value80,
      fc.boolean(),
    )
    .map(([input, which, v, special]) => {
      const t = chosen[which];
      const regs = [...input.regs];
      const e = Number(v >> 64n) & 0x7fff;
      // NaNs, infinities, zeros and denormals as they are; other values brought into the domain
      const x = special && (e === 0 || e === 0x7fff) ? v : within(v, t.maxExp, t.positive);
      regs[0] = x;
      return { ...input, regs, count: Math.max(2, input.count), ins: [t.ins] };
    });
}
