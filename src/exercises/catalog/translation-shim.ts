import type { FunctionExercise } from "../types.js";
import { FIXNUM_MAX, FIXNUM_MIN, FIXNUM_SHIFT } from "../../values/layout.js";
import { argsOf, fixnumValue, showWord } from "./generators.js";

const tag = (n: bigint) => BigInt.asUintN(64, n << BigInt(FIXNUM_SHIFT));
const untag = (v: bigint) => BigInt.asIntN(64, v) >> BigInt(FIXNUM_SHIFT);

/** The caller on the other side of the border: pushes two arguments and calls shim_add. */
const CALLER = `
.globl call_shim
# value call_shim(value a, value b): calls shim_add with a and b on the stack (a at the lower
# address), and removes them afterwards
call_shim:
    sub rsp, 8
    push rsi
    push rdi
    call shim_add
    add rsp, 24
    ret
`;

export const translationShim: FunctionExercise = {
  kind: "function",
  id: "translation-shim",
  title: "The translation layer: a shim from a stack convention to System V",
  statement: `Two conventions meet. The caller (written for you: call_shim) follows a stack convention, as
32-bit C and abi-lab's own Scheme procedures do: both arguments are tagged Scheme fixnums,
passed on the stack (at entry [rsp + 8] is a, [rsp + 16] is b), the result is a tagged value in
rax, and the caller removes the arguments.

The callee is runtime-rs's rt_add_i64(long a, long b), a plain System V C function on untagged
integers. Write the translation layer between them, shim_add: load the arguments from the stack,
untag them (an arithmetic shift right by 3), call rt_add_i64 with rsp aligned, and tag its
result (shift left by 3) for the Scheme side. This is the talk's "translation layer": what the
compiler generates for a define-foreign.`,
  signature: "value shim_add(/* stack: */ value a, value b);   /* calls: long rt_add_i64(long a, long b); */",
  function: "shim_add",
  entry: "call_shim",
  support: CALLER,
  starter: {
    file: "shim-add.s",
    source: `.intel_syntax noprefix
.globl shim_add
# value shim_add(a, b): a at [rsp + 8], b at [rsp + 16] (tagged fixnums); result tagged in rax.
# Untag, call rt_add_i64(a, b) (System V), tag the result.
shim_add:
    # TODO
    xor eax, eax
    ret
`,
  },
  inputs: argsOf(fixnumValue(), fixnumValue()).map((ns) => ns.map(tag)),
  edgeCases: [
    [tag(1n), tag(2n)],
    [tag(0n), tag(0n)],
    [tag(-5n), tag(3n)],
    [tag(FIXNUM_MAX), tag(0n)],
    [tag(FIXNUM_MIN), tag(-1n)],
  ],
  expected: ([a, b]) => ({ rax: tag(untag(a) + untag(b)) }),
  showArgs: (args) => args.map(showWord).join(", "),
  showValue: (v) => showWord(v),
  requirements: [
    { kind: "calls", symbol: "rt_add_i64", why: "the addition must happen in rt_add_i64, on the C side" },
    {
      kind: "argument",
      symbol: "rt_add_i64",
      register: "rdi",
      expected: ([a]) => untag(a),
      rule: "untag-arguments",
      why: "rt_add_i64 takes C longs: rdi must hold a untagged (a >> 3)",
    },
    {
      kind: "argument",
      symbol: "rt_add_i64",
      register: "rsi",
      expected: ([, b]) => untag(b),
      rule: "untag-arguments",
      why: "rt_add_i64 takes C longs: rsi must hold b untagged (b >> 3)",
    },
  ],
  hints: [
    "sar (not shr) keeps the sign of a negative fixnum",
    "at entry rsp is 8 off: sub rsp, 8 before the call",
  ],
};
