import type { Expr, Lambda, Program, Var } from "./ast.js";

/** Fills `lambda.free` for every lambda: the lexical variables it uses but does not bind. */
export function computeFreeVariables(program: Program): void {
  for (const e of program.body) visit(e);
}

function visit(e: Expr): Set<Var> {
  const used = new Set<Var>();
  const add = (s: Set<Var>) => s.forEach((v) => used.add(v));
  switch (e.kind) {
    case "const":
    case "gref":
      break;
    case "ref":
      used.add(e.v);
      break;
    case "set":
      used.add(e.v);
      add(visit(e.value));
      break;
    case "gset":
      add(visit(e.value));
      break;
    case "if":
      add(visit(e.test));
      add(visit(e.then));
      add(visit(e.else));
      break;
    case "seq":
      e.exprs.forEach((x) => add(visit(x)));
      break;
    case "let":
      e.inits.forEach((x) => add(visit(x)));
      add(visit(e.body));
      break;
    case "letrec":
      e.inits.forEach((x) => add(visit(x)));
      add(visit(e.body));
      break;
    case "lambda":
      return lambdaFree(e);
    case "apply":
      add(visit(e.fn));
      add(visit(e.list));
      break;
    case "app":
      add(visit(e.fn));
      e.args.forEach((x) => add(visit(x)));
      break;
    case "prim":
    case "foreign":
    case "foreign-call":
      e.args.forEach((x) => add(visit(x)));
      break;
  }
  return used;
}

function lambdaFree(lam: Lambda): Set<Var> {
  const inner = visit(lam.body);
  const free: Var[] = [];
  for (const v of inner) {
    if (v.owner !== lam) {
      free.push(v);
      v.captured = true;
    }
  }
  lam.free = free;
  return new Set(free);
}
