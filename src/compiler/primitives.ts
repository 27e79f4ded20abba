/**
 * The Scheme primitives the compiler knows, their arities, and their aliases
 * (the paper's names beside the R7RS ones).
 */

export interface PrimitiveInfo {
  /** Minimum number of arguments. */
  min: number;
  /** Maximum number of arguments, or Infinity. */
  max: number;
}

function p(min: number, max = min): PrimitiveInfo {
  return { min, max };
}

export const PRIMITIVES: Record<string, PrimitiveInfo> = {
  // unary
  add1: p(1),
  sub1: p(1),
  "zero?": p(1),
  "null?": p(1),
  not: p(1),
  "integer?": p(1),
  "fixnum?": p(1),
  "boolean?": p(1),
  "char?": p(1),
  "pair?": p(1),
  "vector?": p(1),
  "string?": p(1),
  "symbol?": p(1),
  "procedure?": p(1),
  "eof-object?": p(1),
  "char->integer": p(1),
  "integer->char": p(1),
  fxlognot: p(1),
  car: p(1),
  cdr: p(1),
  "vector-length": p(1),
  "string-length": p(1),
  // binary / n-ary arithmetic and comparison
  "+": p(0, Infinity),
  "-": p(1, Infinity),
  "*": p(0, Infinity),
  "=": p(1, Infinity),
  "<": p(1, Infinity),
  "<=": p(1, Infinity),
  ">": p(1, Infinity),
  ">=": p(1, Infinity),
  quotient: p(2),
  remainder: p(2),
  modulo: p(2),
  "eq?": p(2),
  "eqv?": p(2),
  fxlogand: p(2),
  fxlogor: p(2),
  "char=?": p(2),
  "char<?": p(2),
  cons: p(2),
  "set-car!": p(2),
  "set-cdr!": p(2),
  "vector-ref": p(2),
  "vector-set!": p(3),
  "make-vector": p(1, 2),
  vector: p(0, Infinity),
  list: p(0, Infinity),
  "string-ref": p(2),
  "string-set!": p(3),
  // through runtime-rs
  display: p(1, 2),
  write: p(1, 2),
  newline: p(0, 1),
  writeln: p(1, 2),
  "write-char": p(1, 2),
  "open-output-file": p(1),
  "open-input-file": p(1),
  "close-port": p(1),
  "read-char": p(0, 1),
  "peek-char": p(0, 1),
  "current-output-port": p(0),
  "current-input-port": p(0),
  "current-error-port": p(0),
  "flush-output-port": p(0, 1),
  exit: p(0, 1),
  "equal?": p(2),
  "string-append": p(0, Infinity),
  "string->symbol": p(1),
  "symbol->string": p(1),
  "make-string": p(1, 2),
  substring: p(3),
  "eof-object": p(0),
  error: p(1, Infinity),
};

/** Other names for primitives: the paper's, and R7RS synonyms. */
export const ALIASES: Record<string, string> = {
  fxadd1: "add1",
  fxsub1: "sub1",
  "fxzero?": "zero?",
  "fixnum->char": "integer->char",
  "char->fixnum": "char->integer",
  $fxadd1: "add1",
  $fxsub1: "sub1",
  "$fxzero?": "zero?",
  $fxlognot: "fxlognot",
  "$fixnum->char": "integer->char",
  "$char->fixnum": "char->integer",
  "fx+": "+",
  "fx-": "-",
  "fx*": "*",
  "fx=": "=",
  "fx<": "<",
  "fx<=": "<=",
  "fx>": ">",
  "fx>=": ">=",
  fxquotient: "quotient",
  fxremainder: "remainder",
  fxmodulo: "modulo",
  "char=": "char=?",
  "standard-output-port": "current-output-port",
  "standard-error-port": "current-error-port",
  "close-output-port": "close-port",
  "close-input-port": "close-port",
};

export function primitiveName(name: string): string | undefined {
  const canonical = ALIASES[name] ?? name;
  return PRIMITIVES[canonical] ? canonical : undefined;
}
