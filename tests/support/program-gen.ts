/**
 * fast-check generators of well-typed Scheme programs over the whole language: arithmetic,
 * comparisons, let and letrec, closures capturing variables, set! on captured variables,
 * named-let loops (tail calls), variadic lambdas, apply, lists, vectors, strings, chars.
 * Arguments have no side effects, so evaluation order does not matter.
 */
import fc from "fast-check";

type Gen = fc.Arbitrary<string>;

const smallInt = fc.integer({ min: -50, max: 50 }).map(String);
const names = ["a", "b", "c", "d"];

interface Scope {
  ints: string[];
  lists: string[];
}

function pick(xs: string[]): Gen {
  return fc.constantFrom(...xs);
}

function intExpr(scope: Scope, depth: number): Gen {
  const leaves: Gen[] = [smallInt];
  if (scope.ints.length) leaves.push(pick(scope.ints));
  if (depth <= 0) return fc.oneof(...leaves);
  const sub = () => intExpr(scope, depth - 1);
  const bool = () => boolExpr(scope, depth - 1);
  const list = () => listExpr(scope, depth - 1);
  const fresh = names[depth % names.length] + depth;
  const inner: Scope = { ints: [...scope.ints, fresh], lists: scope.lists };
  return fc.oneof(
    { weight: 3, arbitrary: fc.oneof(...leaves) },
    fc.tuple(fc.constantFrom("+", "-"), sub(), sub()).map(([op, a, b]) => `(${op} ${a} ${b})`),
    fc.tuple(sub(), fc.integer({ min: -3, max: 3 })).map(([a, k]) => `(* ${a} ${k})`),
    fc.tuple(sub(), sub(), sub()).map(([a, b, c]) => `(+ ${a} ${b} ${c})`),
    fc.tuple(sub(), fc.integer({ min: 1, max: 7 })).map(([a, k]) => `(quotient ${a} ${k})`),
    fc.tuple(sub(), fc.integer({ min: 1, max: 7 })).map(([a, k]) => `(remainder ${a} ${k})`),
    fc.tuple(bool(), sub(), sub()).map(([t, a, b]) => `(if ${t} ${a} ${b})`),
    fc.tuple(sub(), intExpr(inner, depth - 1)).map(([v, body]) => `(let ((${fresh} ${v})) ${body})`),
    // a closure capturing a variable, called later
    fc
      .tuple(sub(), intExpr(inner, depth - 1), sub())
      .map(([k, body, arg]) => `(let ((f (let ((${fresh} ${k})) (lambda (x) (+ x ${body}))))) (f ${arg}))`),
    // set! on a captured variable (a counter)
    fc
      .tuple(sub(), fc.integer({ min: 1, max: 4 }))
      .map(
        ([start, n]) =>
          `(let ((n ${start})) (let ((bump (lambda () (set! n (+ n 1)) n))) ${"(bump) ".repeat(n - 1)}(bump)))`,
      ),
    // a named-let loop: tail calls
    fc
      .tuple(fc.integer({ min: 0, max: 30 }), sub())
      .map(([n, init]) => `(let loop ((i 0) (acc ${init})) (if (= i ${n}) acc (loop (+ i 1) (+ acc i))))`),
    // variadic lambdas and apply
    fc.array(sub(), { maxLength: 4 }).map((xs) => `((lambda args (length args)) ${xs.join(" ")})`),
    fc
      .tuple(sub(), fc.array(sub(), { maxLength: 3 }))
      .map(([a, xs]) => `((lambda (x . rest) (+ x (length rest))) ${a} ${xs.join(" ")})`),
    fc.tuple(sub(), list()).map(([a, l]) => `(apply + ${a} ${l})`),
    list().map((l) => `(length ${l})`),
    list().map((l) => `(apply + ${l})`),
    fc.tuple(list(), sub()).map(([l, d]) => `(if (pair? ${l}) (car ${l}) ${d})`),
    fc
      .array(sub(), { minLength: 1, maxLength: 4 })
      .map((xs) => `(vector-ref (vector ${xs.join(" ")}) ${xs.length - 1})`),
    fc.string({ maxLength: 5 }).map((s) => `(string-length ${JSON.stringify(s.replace(/[\\"]/g, "x"))})`),
    fc.integer({ min: 32, max: 126 }).map((c) => `(char->integer (integer->char ${c}))`),
  );
}

function boolExpr(scope: Scope, depth: number): Gen {
  const int = () => intExpr(scope, Math.max(0, depth - 1));
  return fc.oneof(
    fc.constantFrom("#t", "#f"),
    fc
      .tuple(fc.constantFrom("<", "<=", "=", ">", ">="), int(), int())
      .map(([op, a, b]) => `(${op} ${a} ${b})`),
    int().map((a) => `(zero? ${a})`),
    fc.tuple(int(), int()).map(([a, b]) => `(eq? ${a} ${b})`),
    listExpr(scope, Math.max(0, depth - 1)).map((l) => `(null? ${l})`),
  );
}

function listExpr(scope: Scope, depth: number): Gen {
  const int = () => intExpr(scope, Math.max(0, depth - 1));
  const leaves: Gen[] = [
    fc.constant("'()"),
    fc.array(smallInt, { maxLength: 4 }).map((xs) => `'(${xs.join(" ")})`),
  ];
  if (scope.lists.length) leaves.push(pick(scope.lists));
  if (depth <= 0) return fc.oneof(...leaves);
  const sub = () => listExpr(scope, depth - 1);
  return fc.oneof(
    { weight: 2, arbitrary: fc.oneof(...leaves) },
    fc.array(int(), { maxLength: 4 }).map((xs) => `(list ${xs.join(" ")})`),
    fc.tuple(int(), sub()).map(([a, l]) => `(cons ${a} ${l})`),
    sub().map((l) => `(reverse ${l})`),
    fc.tuple(sub(), sub()).map(([a, b]) => `(append ${a} ${b})`),
    fc.tuple(sub(), int()).map(([l, k]) => `(map (lambda (x) (+ x ${k})) ${l})`),
  );
}

/** A whole program: helper definitions, then results printed with write. */
export const programArbitrary: fc.Arbitrary<string> = fc
  .tuple(
    intExpr({ ints: ["p", "q"], lists: [] }, 3),
    fc.array(intExpr({ ints: [], lists: ["xs"] }, 3), { minLength: 1, maxLength: 3 }),
    listExpr({ ints: [], lists: [] }, 3),
    boolExpr({ ints: [], lists: [] }, 2),
  )
  .map(([body, uses, list, bool]) =>
    [
      `(define (helper p q) ${body})`,
      `(define (sum . xs) (if (null? xs) 0 (+ (car xs) (apply sum (cdr xs)))))`,
      `(define (on-list xs) (list ${uses.join(" ")}))`,
      `(write (helper 3 -4))`,
      `(newline)`,
      `(write (on-list ${list}))`,
      `(newline)`,
      `(write (sum 1 2 3))`,
      `(newline)`,
      `(write ${bool})`,
      `(newline)`,
      `(list->vector (map (lambda (x) (* x 2)) ${list}))`,
    ].join("\n"),
  );
