import type { FunctionExercise } from "../types.js";
import { argsOf, fixnumValue } from "./generators.js";
import { FIXNUM_MAX, FIXNUM_MIN } from "../../values/layout.js";

export const alignWriteln: FunctionExercise = {
  kind: "function",
  id: "align-writeln",
  title: "Calling runtime-rs: writeln from assembly, with rsp 16-byte aligned",
  statement: `Write show, which prints the integer n on its own line by calling the runtime's writeln.

runtime-rs's writeln has the talk's signature: writeln(data, port), both tagged Scheme values.
A fixnum n is the value n << 3; rt_current_output_port() (no arguments) returns the port for
standard output.

System V requires rsp to be a multiple of 16 at every call instruction. At your function's first
instruction rsp is 8 off (the call pushed the return address): each push moves it by 8, so count
your pushes and adjust with sub rsp, 8 when needed. Rust code compiled with -O uses movaps on
stack slots, which crashes on a misaligned stack.

Values you need after a call must live in callee-saved registers (rbx, rbp, r12-r15) that you
save and restore, or on your stack frame.`,
  signature:
    "void show(long n);   /* calls: Value writeln(Value data, Value port); Value rt_current_output_port(void); */",
  function: "show",
  starter: {
    file: "show.s",
    source: `.intel_syntax noprefix
.globl show
# void show(long n): print n and a newline with writeln(n << 3, rt_current_output_port())
show:
    # TODO: get the output port, tag n, call writeln; keep rsp 16-byte aligned at each call
    ret
`,
  },
  inputs: argsOf(fixnumValue()),
  edgeCases: [[0n], [42n], [-1n], [FIXNUM_MAX], [FIXNUM_MIN]],
  expected: ([n]) => ({ stdout: `${n}\n` }),
  requirements: [
    { kind: "calls", symbol: "writeln", why: "the number must be printed by runtime-rs's writeln" },
  ],
  hints: [
    "one push (e.g. push rbx to keep n) makes rsp a multiple of 16 again",
    "tag the fixnum: shl rdi, 3 (or lea rdi, [8*rbx])",
  ],
};
