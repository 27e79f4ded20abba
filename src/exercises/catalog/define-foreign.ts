import fc from "fast-check";
import type { SchemeExercise } from "../types.js";

/** A Scheme string literal (the generated strings hold no quote nor backslash). */
const literal = (s: string) => `"${s}"`;
const upcase = (s: string) => s.replace(/[a-z]/g, (c) => c.toUpperCase());

export const defineForeign: SchemeExercise = {
  kind: "scheme",
  id: "define-foreign",
  title: "define-foreign in Scheme: let the compiler write the translation layer",
  statement: `Write, in Scheme, (shout s): the string s with every ASCII letter in upper case, each character
converted by runtime-rs's C function rt_char_upcase.

rt_char_upcase(c: u32) -> u32 knows nothing of tagged values: it takes and returns a plain
code point. Declare it with define-foreign, giving the C types, and the compiler generates the
translation layer (untag the argument into the declared C type, make the System V call, tag the
result):

    (define-foreign scheme-name "c_symbol" (argtype ...) rettype)

The types are int long size ssize bool char string-bytes void value. Pick the ones that make
the C function see a code point and give back a Scheme character. A foreign procedure is called
like any procedure, but it is not a first-class value: to map it, wrap it in a lambda.

The grader appends a driver to your file that writes (shout s) for many strings.`,
  signature: "(shout s) -> string   ; calls: u32 rt_char_upcase(u32 c)",
  procedure: "shout",
  starter: {
    file: "shout.scm",
    source: `;; (shout s): s with its ASCII letters upper-cased, by runtime-rs's rt_char_upcase(c: u32) -> u32
;; TODO: declare rt_char_upcase with define-foreign and use it for every character.

(define (shout s)
  s)
`,
  },
  inputs: fc.string({
    unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCXYZ0129 !?,.-_()[]{}@`~é👋ß".split(/(?:)/u)),
    maxLength: 24,
  }),
  edgeCases: ["abc", "", "Hello, World!", "az AZ @[`{", "é👋z"],
  datum: literal,
  expected: (s) => literal(upcase(s)),
  requirements: [
    { kind: "calls", symbol: "rt_char_upcase", why: "each character must go through rt_char_upcase" },
  ],
  hints: ['(define-foreign name "rt_char_upcase" (char) char)', "string->list, map and list->string"],
};
