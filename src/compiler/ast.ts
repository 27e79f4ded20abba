import type { SourceLocation } from "../diagnostics.js";
import type { Datum } from "./datum.js";

/** A lexical variable. */
export interface Var {
  name: string;
  /** Unique per compilation, for labels and debugging. */
  id: number;
  /** Some `set!` assigns it. */
  assigned: boolean;
  /** Some lambda other than its binder's refers to it. */
  captured: boolean;
  /** The lambda (or top level, undefined) whose frame holds it. */
  owner: Lambda | undefined;
}

/** A top-level variable. */
export interface Global {
  name: string;
  label: string;
  /** `(define (f ...) ...)` or `(define f (lambda ...))`, never `set!` nor redefined: calls go direct. */
  procedure?: Lambda;
  assigned: boolean;
  defined: boolean;
  loc: SourceLocation;
}

export interface Lambda {
  kind: "lambda";
  params: Var[];
  rest?: Var;
  body: Expr;
  /** A name for labels and messages (the variable it was bound to), if any. */
  name?: string;
  label: string;
  /** Free lexical variables, in closure order (filled by the analysis). */
  free: Var[];
  loc: SourceLocation;
  source: Datum;
}

/** A typed foreign procedure declared with `define-foreign`. */
export interface ForeignDecl {
  name: string;
  /** The C symbol called. */
  symbol: string;
  params: ForeignType[];
  result: ForeignType;
  loc: SourceLocation;
}

export type ForeignType =
  "int" | "long" | "size" | "ssize" | "bool" | "char" | "string-bytes" | "void" | "value";

export type Expr =
  | { kind: "const"; value: Datum; loc: SourceLocation; source: Datum }
  | { kind: "ref"; v: Var; loc: SourceLocation; source: Datum }
  | { kind: "gref"; g: Global; loc: SourceLocation; source: Datum }
  | { kind: "set"; v: Var; value: Expr; loc: SourceLocation; source: Datum }
  | { kind: "gset"; g: Global; value: Expr; define: boolean; loc: SourceLocation; source: Datum }
  | { kind: "if"; test: Expr; then: Expr; else: Expr; loc: SourceLocation; source: Datum }
  | { kind: "seq"; exprs: Expr[]; loc: SourceLocation; source: Datum }
  | { kind: "let"; vars: Var[]; inits: Expr[]; body: Expr; loc: SourceLocation; source: Datum }
  | { kind: "letrec"; vars: Var[]; inits: Lambda[]; body: Expr; loc: SourceLocation; source: Datum }
  | Lambda
  | { kind: "app"; fn: Expr; args: Expr[]; loc: SourceLocation; source: Datum }
  /** `(apply f a ... list)`, with the fixed arguments already consed onto the list. */
  | { kind: "apply"; fn: Expr; list: Expr; loc: SourceLocation; source: Datum }
  | { kind: "prim"; name: string; args: Expr[]; loc: SourceLocation; source: Datum }
  | { kind: "foreign"; decl: ForeignDecl; args: Expr[]; loc: SourceLocation; source: Datum }
  | { kind: "foreign-call"; symbol: string; args: Expr[]; loc: SourceLocation; source: Datum };

export interface Program {
  /** Top-level forms in order. */
  body: Expr[];
  globals: Map<string, Global>;
  lambdas: Lambda[];
  foreign: Map<string, ForeignDecl>;
}
