import { UserInputError, lineOf, type SourceLocation } from "../diagnostics.js";
import type { Expr, ForeignDecl, ForeignType, Global, Lambda, Program, Var } from "./ast.js";
import { briefDatum, isList, isSymbol, type Datum, type ListDatum } from "./datum.js";
import { PRIMITIVES, primitiveName } from "./primitives.js";
import { mangle } from "./mangle.js";
import { PRELUDE_SOURCE } from "./prelude.js";
import { readAll } from "./reader.js";

let preludeDefinitions: Map<string, Datum> | undefined;

/** The prelude's definitions by name, read once. */
function prelude(): Map<string, Datum> {
  if (!preludeDefinitions) {
    preludeDefinitions = new Map();
    for (const form of readAll(PRELUDE_SOURCE, "<prelude>")) {
      if (form.kind === "list" && form.items[1]?.kind === "list" && isSymbol(form.items[1].items[0]))
        preludeDefinitions.set(form.items[1].items[0].name, form);
    }
  }
  return preludeDefinitions;
}

type Binding = Var | { keyword: true };
type Scope = { vars: Map<string, Var>; parent: Scope | undefined; lambda: Lambda | undefined };

const SPECIAL_FORMS = new Set([
  "quote",
  "if",
  "define",
  "set!",
  "lambda",
  "let",
  "let*",
  "letrec",
  "letrec*",
  "begin",
  "cond",
  "case",
  "and",
  "or",
  "when",
  "unless",
  "do",
  "define-foreign",
  "foreign-call",
  "quasiquote",
  "apply",
]);

const FOREIGN_TYPES = new Set<ForeignType>([
  "int",
  "long",
  "size",
  "ssize",
  "bool",
  "char",
  "string-bytes",
  "void",
  "value",
]);

/** Turns the data read from a program into the compiler's core language. */
export function expandProgram(forms: Datum[], source: string): Program {
  return new Expander(source).program(forms);
}

class Expander {
  private nextId = 0;
  private readonly globals = new Map<string, Global>();
  private readonly lambdas: Lambda[] = [];
  private readonly foreign = new Map<string, ForeignDecl>();
  private readonly usedLabels = new Set<string>();
  private readonly preludeBody: Expr[] = [];

  constructor(private readonly source: string) {}

  fail(message: string, where: Datum | SourceLocation): never {
    const loc = "kind" in where ? where.loc : where;
    throw new UserInputError(message, loc, lineOf(this.source, loc.line));
  }

  label(base: string): string {
    let name = `scm_${mangle(base)}`;
    if (this.usedLabels.has(name)) {
      let i = 2;
      while (this.usedLabels.has(`${name}_${i}`)) i++;
      name = `${name}_${i}`;
    }
    this.usedLabels.add(name);
    return name;
  }

  program(forms: Datum[]): Program {
    const flat = this.flattenBegins(forms);
    // Declare every top-level definition first, so that procedures can refer to each other.
    for (const form of flat) {
      const def = this.definitionTarget(form);
      if (def && !this.globals.has(def.name)) {
        this.globals.set(def.name, {
          name: def.name,
          label: this.label(`global_${def.name}`),
          assigned: false,
          defined: true,
          loc: def.loc,
        });
      } else if (def) {
        this.globals.get(def.name)!.assigned = true;
      }
      if (isList(form) && isSymbol(form.items[0], "define-foreign")) this.declareForeign(form);
    }
    const userBody: Expr[] = [];
    for (const form of flat) {
      if (isList(form) && isSymbol(form.items[0], "define-foreign")) continue;
      userBody.push(this.expr(form, undefined, form));
    }
    const body = [...this.preludeBody, ...userBody];
    // A top-level procedure defined once and never assigned is called directly.
    for (const expr of body) {
      if (expr.kind === "gset" && expr.define && expr.value.kind === "lambda" && !expr.g.assigned) {
        expr.g.procedure = expr.value;
      }
    }
    return { body, globals: this.globals, lambdas: this.lambdas, foreign: this.foreign };
  }

  private flattenBegins(forms: Datum[]): Datum[] {
    const out: Datum[] = [];
    for (const f of forms) {
      if (isList(f) && isSymbol(f.items[0], "begin") && f.items.length > 1)
        out.push(...this.flattenBegins(f.items.slice(1)));
      else out.push(f);
    }
    return out;
  }

  private definitionTarget(form: Datum): { name: string; loc: SourceLocation } | undefined {
    if (form.kind !== "list" || !isSymbol(form.items[0], "define")) return undefined;
    const target = form.items[1];
    if (isSymbol(target)) return { name: target.name, loc: target.loc };
    if (target && target.kind === "list" && isSymbol(target.items[0]))
      return { name: target.items[0].name, loc: target.items[0].loc };
    this.fail("define: expected (define name value) or (define (name args ...) body ...)", form);
  }

  private declareForeign(form: ListDatum): void {
    // (define-foreign name [\"c_symbol\"] (argtype ...) rettype)
    const items = form.items;
    const name = items[1];
    if (!isSymbol(name)) this.fail("define-foreign: expected a name", form);
    let i = 2;
    let symbol = mangle(name.name);
    if (items[i]?.kind === "string") {
      symbol = (items[i] as Extract<Datum, { kind: "string" }>).value;
      i++;
    }
    const params = items[i];
    const result = items[i + 1];
    if (!params || !isList(params) || !isSymbol(result) || items.length !== i + 2)
      this.fail(`define-foreign: expected (define-foreign ${name.name} (argtype ...) rettype)`, form);
    const check = (d: Datum): ForeignType => {
      if (!isSymbol(d) || !FOREIGN_TYPES.has(d.name as ForeignType))
        this.fail(
          `define-foreign: unknown type '${briefDatum(d)}' (known: ${[...FOREIGN_TYPES].join(" ")})`,
          d,
        );
      return d.name as ForeignType;
    };
    const paramTypes = params.items.map(check);
    const words = paramTypes.reduce((n, t) => n + (t === "string-bytes" ? 2 : 1), 0);
    if (words > 6)
      this.fail(
        "define-foreign: at most 6 C arguments fit in registers (string-bytes takes two: pointer and length)",
        params,
      );
    if (paramTypes.includes("void")) this.fail("define-foreign: 'void' is only a result type", params);
    if (check(result) === "string-bytes")
      this.fail("define-foreign: 'string-bytes' is only an argument type", result);
    this.foreign.set(name.name, {
      name: name.name,
      symbol,
      params: paramTypes,
      result: check(result),
      loc: form.loc,
    });
  }

  private lookup(name: string, scope: Scope | undefined): Binding | undefined {
    for (let s = scope; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v) return v;
    }
    return undefined;
  }

  private isKeyword(name: string, scope: Scope | undefined): boolean {
    return SPECIAL_FORMS.has(name) && this.lookup(name, scope) === undefined && !this.globals.has(name);
  }

  private newVar(name: string, scope: Scope | undefined): Var {
    return { name, id: this.nextId++, assigned: false, captured: false, owner: scope?.lambda };
  }

  private refVar(v: Var, scope: Scope | undefined): void {
    if (v.owner !== scope?.lambda) v.captured = true;
  }

  expr(d: Datum, scope: Scope | undefined, top?: Datum): Expr {
    const loc = d.loc;
    switch (d.kind) {
      case "integer":
      case "boolean":
      case "char":
      case "string":
        return { kind: "const", value: d, loc, source: d };
      case "vector":
        return { kind: "const", value: d, loc, source: d };
      case "symbol":
        return this.variable(d, scope);
      case "list":
        break;
    }
    if (d.tail) this.fail(`a call cannot have a dotted argument list: ${briefDatum(d)}`, d);
    if (d.items.length === 0) this.fail("() is not an expression; write '() for the empty list", d);
    const head = d.items[0];
    if (isSymbol(head) && this.isKeyword(head.name, scope))
      return this.special(head.name, d, scope, top === d);
    if (isSymbol(head) && this.foreign.has(head.name) && !this.lookup(head.name, scope)) {
      const decl = this.foreign.get(head.name)!;
      const args = d.items.slice(1).map((a) => this.expr(a, scope));
      const cArity = decl.params.length;
      if (args.length !== cArity)
        this.fail(`${decl.name} takes ${cArity} argument${cArity === 1 ? "" : "s"}, got ${args.length}`, d);
      return { kind: "foreign", decl, args, loc, source: d };
    }
    if (isSymbol(head) && !this.lookup(head.name, scope) && !this.globals.has(head.name)) {
      const prim = primitiveName(head.name);
      if (prim) {
        const info = PRIMITIVES[prim];
        const n = d.items.length - 1;
        if (n < info.min || n > info.max) {
          const want =
            info.max === Infinity
              ? `at least ${info.min}`
              : info.min === info.max
                ? `${info.min}`
                : `${info.min} to ${info.max}`;
          this.fail(`${head.name} takes ${want} argument${want === "1" ? "" : "s"}, got ${n}`, d);
        }
        return {
          kind: "prim",
          name: prim,
          args: d.items.slice(1).map((a) => this.expr(a, scope)),
          loc,
          source: d,
        };
      }
    }
    const fn = this.expr(head, scope);
    return { kind: "app", fn, args: d.items.slice(1).map((a) => this.expr(a, scope)), loc, source: d };
  }

  private variable(d: Extract<Datum, { kind: "symbol" }>, scope: Scope | undefined): Expr {
    const b = this.lookup(d.name, scope);
    if (b && !("keyword" in b)) {
      this.refVar(b, scope);
      return { kind: "ref", v: b, loc: d.loc, source: d };
    }
    const prim = primitiveName(d.name);
    const g =
      this.globals.get(d.name) ??
      this.preludeGlobal(d.name) ??
      (prim ? this.preludeGlobal(`%prim:${prim}`) : undefined);
    if (g) return { kind: "gref", g, loc: d.loc, source: d };
    if (SPECIAL_FORMS.has(d.name)) this.fail(`'${d.name}' is syntax, not a value`, d);
    this.fail(`unbound variable '${d.name}'`, d);
  }

  /** A library procedure from the prelude, defined on first use. */
  private preludeGlobal(name: string): Global | undefined {
    const existing = this.globals.get(name);
    if (existing) return existing;
    const def = prelude().get(name);
    if (!def) return undefined;
    const g: Global = {
      name,
      label: this.label(`global_${name}`),
      assigned: false,
      defined: true,
      loc: def.loc,
    };
    this.globals.set(name, g);
    this.preludeBody.push(this.expr(def, undefined, def));
    return g;
  }

  private body(items: Datum[], scope: Scope, form: Datum): Expr {
    if (items.length === 0) this.fail(`empty body in ${briefDatum(form)}`, form);
    // Internal definitions (possibly inside begin) become letrec*.
    const flat: Datum[] = [];
    const pushFlat = (xs: Datum[]) => {
      for (const x of xs) {
        if (isList(x) && isSymbol(x.items[0], "begin") && this.isKeyword("begin", scope))
          pushFlat(x.items.slice(1));
        else flat.push(x);
      }
    };
    pushFlat(items);
    const defs: { name: Extract<Datum, { kind: "symbol" }>; value: Datum; form: Datum }[] = [];
    let i = 0;
    while (i < flat.length) {
      const f = flat[i];
      if (!(isList(f) && isSymbol(f.items[0], "define") && this.isKeyword("define", scope))) break;
      defs.push(this.normalizeDefine(f));
      i++;
    }
    const rest = flat.slice(i);
    for (const r of rest) {
      if (isList(r) && isSymbol(r.items[0], "define") && this.isKeyword("define", scope))
        this.fail("define: internal definitions must come before the expressions of a body", r);
    }
    if (rest.length === 0) this.fail("a body needs an expression after its definitions", form);
    if (defs.length === 0) return this.sequence(rest, scope, form);
    const inner: Scope = { vars: new Map(), parent: scope, lambda: scope.lambda };
    const vars = defs.map((def) => {
      if (inner.vars.has(def.name.name))
        this.fail(`'${def.name.name}' is defined twice in this body`, def.name);
      const v = this.newVar(def.name.name, inner);
      inner.vars.set(def.name.name, v);
      return v;
    });
    return this.letrecOf(
      vars,
      defs.map((def) => def.value),
      rest,
      inner,
      form,
    );
  }

  private normalizeDefine(f: ListDatum): {
    name: Extract<Datum, { kind: "symbol" }>;
    value: Datum;
    form: Datum;
  } {
    const target = f.items[1];
    if (isSymbol(target)) {
      if (f.items.length !== 3) this.fail("define: expected (define name value)", f);
      return { name: target, value: f.items[2], form: f };
    }
    if (target && target.kind === "list" && isSymbol(target.items[0])) {
      const formals: Datum = target.tail
        ? { kind: "list", items: target.items.slice(1), tail: target.tail, loc: target.loc }
        : { kind: "list", items: target.items.slice(1), loc: target.loc };
      const formalsOrRest = target.items.length === 1 && target.tail ? target.tail : formals;
      const lambda: Datum = {
        kind: "list",
        items: [{ kind: "symbol", name: "lambda", loc: f.loc }, formalsOrRest, ...f.items.slice(2)],
        loc: f.loc,
      };
      return { name: target.items[0], value: lambda, form: f };
    }
    this.fail("define: expected (define name value) or (define (name args ...) body ...)", f);
  }

  private letrecOf(vars: Var[], values: Datum[], body: Datum[], inner: Scope, form: Datum): Expr {
    const exprs = values.map((v, i) => this.expr2(v, inner, vars[i].name));
    const bodyExpr = this.sequence(body, inner, form);
    if (exprs.every((e) => e.kind === "lambda")) {
      return { kind: "letrec", vars, inits: exprs, body: bodyExpr, loc: form.loc, source: form };
    }
    // General letrec*: bind to the unbound marker, then assign in order.
    const sets: Expr[] = exprs.map((e, i) => {
      vars[i].assigned = true;
      return { kind: "set", v: vars[i], value: e, loc: e.loc, source: e.source };
    });
    const unbound: Expr[] = vars.map(() => ({
      kind: "const",
      value: { kind: "symbol", name: "#<unbound>", loc: form.loc },
      loc: form.loc,
      source: form,
    }));
    return {
      kind: "let",
      vars,
      inits: unbound,
      body: { kind: "seq", exprs: [...sets, bodyExpr], loc: form.loc, source: form },
      loc: form.loc,
      source: form,
    };
  }

  private sequence(items: Datum[], scope: Scope | undefined, form: Datum): Expr {
    const exprs = items.map((x) => this.expr(x, scope));
    return exprs.length === 1 ? exprs[0] : { kind: "seq", exprs, loc: form.loc, source: form };
  }

  private lambda(d: ListDatum, scope: Scope | undefined, name?: string): Lambda {
    if (d.items.length < 3) this.fail("lambda: expected (lambda (params ...) body ...)", d);
    const formals = d.items[1];
    const inner: Scope = { vars: new Map(), parent: scope, lambda: undefined };
    const lam: Lambda = {
      kind: "lambda",
      params: [],
      body: undefined as unknown as Expr,
      name,
      label: this.label(name ?? "lambda"),
      free: [],
      loc: d.loc,
      source: d,
    };
    inner.lambda = lam;
    const bind = (s: Datum): Var => {
      if (!isSymbol(s)) this.fail(`lambda: a parameter must be a symbol, not ${briefDatum(s)}`, s);
      if (inner.vars.has(s.name)) this.fail(`lambda: parameter '${s.name}' appears twice`, s);
      const v = this.newVar(s.name, inner);
      inner.vars.set(s.name, v);
      return v;
    };
    if (isSymbol(formals)) {
      lam.rest = bind(formals);
    } else if (formals.kind === "list") {
      lam.params = formals.items.map(bind);
      if (formals.tail) lam.rest = bind(formals.tail);
    } else {
      this.fail("lambda: expected a parameter list", formals);
    }
    lam.body = this.body(d.items.slice(2), inner, d);
    this.lambdas.push(lam);
    return lam;
  }

  expr2(d: Datum, scope: Scope | undefined, name?: string): Expr {
    if (isList(d) && isSymbol(d.items[0], "lambda") && this.isKeyword("lambda", scope))
      return this.lambda(d, scope, name);
    return this.expr(d, scope);
  }

  private special(name: string, d: ListDatum, scope: Scope | undefined, topLevel: boolean): Expr {
    const items = d.items;
    const loc = d.loc;
    const arg = (i: number): Datum => items[i];
    switch (name) {
      case "quote":
        if (items.length !== 2) this.fail("quote: expected (quote datum)", d);
        return { kind: "const", value: items[1], loc, source: d };
      case "quasiquote":
        if (items.length !== 2) this.fail("quasiquote: expected `datum", d);
        return this.expr(this.quasi(items[1], 1), scope);
      case "if": {
        if (items.length !== 3 && items.length !== 4) this.fail("if: expected (if test then [else])", d);
        const els: Expr =
          items.length === 4
            ? this.expr(arg(3), scope)
            : { kind: "const", value: this.unspecifiedDatum(d), loc, source: d };
        return {
          kind: "if",
          test: this.expr(arg(1), scope),
          then: this.expr(arg(2), scope),
          else: els,
          loc,
          source: d,
        };
      }
      case "define": {
        if (scope !== undefined || !topLevel)
          this.fail("define: only allowed at the top level or at the start of a body", d);
        const def = this.normalizeDefine(d);
        const g = this.globals.get(def.name.name)!;
        const value = this.expr2(def.value, scope, def.name.name);
        return { kind: "gset", g, value, define: true, loc, source: d };
      }
      case "set!": {
        if (items.length !== 3 || !isSymbol(arg(1))) this.fail("set!: expected (set! variable value)", d);
        const target = arg(1) as Extract<Datum, { kind: "symbol" }>;
        const value = this.expr(arg(2), scope);
        const b = this.lookup(target.name, scope);
        if (b && !("keyword" in b)) {
          b.assigned = true;
          this.refVar(b, scope);
          return { kind: "set", v: b, value, loc, source: d };
        }
        const g = this.globals.get(target.name);
        if (!g) this.fail(`set!: unbound variable '${target.name}'`, target);
        g.assigned = true;
        return { kind: "gset", g, value, define: false, loc, source: d };
      }
      case "lambda":
        return this.lambda(d, scope);
      case "begin":
        if (items.length === 1) return { kind: "const", value: this.unspecifiedDatum(d), loc, source: d };
        return this.sequence(items.slice(1), scope, d);
      case "let":
        return this.let(d, scope);
      case "let*": {
        const bindings = this.bindings(d, arg(1));
        if (bindings.length <= 1)
          return this.let({ ...d, items: [items[0], arg(1), ...items.slice(2)] }, scope);
        const [first, ...more] = bindings;
        const innerLet: Datum = {
          kind: "list",
          items: [
            items[0],
            { kind: "list", items: more.map((b) => b.form), loc: arg(1).loc },
            ...items.slice(2),
          ],
          loc,
        };
        return this.let(
          {
            kind: "list",
            items: [
              { kind: "symbol", name: "let", loc },
              { kind: "list", items: [first.form], loc },
              innerLet,
            ],
            loc,
          },
          scope,
        );
      }
      case "letrec":
      case "letrec*": {
        const bindings = this.bindings(d, arg(1));
        if (items.length < 3) this.fail(`${name}: expected (${name} ((name value) ...) body ...)`, d);
        const inner: Scope = { vars: new Map(), parent: scope, lambda: scope?.lambda };
        const vars = bindings.map((b) => {
          if (inner.vars.has(b.name.name)) this.fail(`${name}: '${b.name.name}' is bound twice`, b.name);
          const v = this.newVar(b.name.name, inner);
          inner.vars.set(b.name.name, v);
          return v;
        });
        return this.letrecOf(
          vars,
          bindings.map((b) => b.value),
          items.slice(2),
          inner,
          d,
        );
      }
      case "cond":
        return this.cond(d, items.slice(1), scope);
      case "case":
        return this.case(d, scope);
      case "and": {
        if (items.length === 1)
          return { kind: "const", value: { kind: "boolean", value: true, loc }, loc, source: d };
        return this.and(items.slice(1), scope, d);
      }
      case "or": {
        if (items.length === 1)
          return { kind: "const", value: { kind: "boolean", value: false, loc }, loc, source: d };
        return this.or(items.slice(1), scope, d);
      }
      case "when":
      case "unless": {
        if (items.length < 3) this.fail(`${name}: expected (${name} test body ...)`, d);
        const body = this.sequence(items.slice(2), scope, d);
        const nothing: Expr = { kind: "const", value: this.unspecifiedDatum(d), loc, source: d };
        const test = this.expr(arg(1), scope);
        return name === "when"
          ? { kind: "if", test, then: body, else: nothing, loc, source: d }
          : { kind: "if", test, then: nothing, else: body, loc, source: d };
      }
      case "do":
        return this.do(d, scope);
      case "define-foreign":
        this.fail("define-foreign: only allowed at the top level", d);
        break;
      case "foreign-call": {
        const symbol = arg(1);
        if (!symbol || symbol.kind !== "string")
          this.fail('foreign-call: expected (foreign-call "name" arg ...)', d);
        if (items.length - 2 > 6) this.fail("foreign-call: at most 6 arguments", d);
        return {
          kind: "foreign-call",
          symbol: symbol.value,
          args: items.slice(2).map((a) => this.expr(a, scope)),
          loc,
          source: d,
        };
      }
      case "apply": {
        if (items.length < 3) this.fail("apply: expected (apply procedure arg ... list)", d);
        const fn = this.expr(arg(1), scope);
        const args = items.slice(2).map((a) => this.expr(a, scope));
        let list = args[args.length - 1];
        for (let i = args.length - 2; i >= 0; i--)
          list = { kind: "prim", name: "cons", args: [args[i], list], loc, source: d };
        return { kind: "apply", fn, list, loc, source: d };
      }
    }
    this.fail(`unknown special form ${name}`, d);
  }

  private unspecifiedDatum(d: Datum): Datum {
    return { kind: "symbol", name: "#<unspecified>", loc: d.loc };
  }

  private bindings(form: Datum, list: Datum | undefined) {
    if (!list || !isList(list)) this.fail(`expected a list of bindings in ${briefDatum(form)}`, list ?? form);
    return list.items.map((b) => {
      if (!isList(b) || b.items.length !== 2 || !isSymbol(b.items[0]))
        this.fail(`a binding is written (name value), not ${briefDatum(b)}`, b);
      return { name: b.items[0], value: b.items[1], form: b };
    });
  }

  private let(d: ListDatum, scope: Scope | undefined): Expr {
    const items = d.items;
    if (isSymbol(items[1])) return this.namedLet(d, scope);
    if (items.length < 3) this.fail("let: expected (let ((name value) ...) body ...)", d);
    const bindings = this.bindings(d, items[1]);
    const inits = bindings.map((b) => this.expr2(b.value, scope, b.name.name));
    const inner: Scope = { vars: new Map(), parent: scope, lambda: scope?.lambda };
    const vars = bindings.map((b) => {
      if (inner.vars.has(b.name.name)) this.fail(`let: '${b.name.name}' is bound twice`, b.name);
      const v = this.newVar(b.name.name, inner);
      inner.vars.set(b.name.name, v);
      return v;
    });
    return { kind: "let", vars, inits, body: this.body(items.slice(2), inner, d), loc: d.loc, source: d };
  }

  private namedLet(d: ListDatum, scope: Scope | undefined): Expr {
    // (let loop ((v init) ...) body ...) => (let ((t init) ...) (letrec ((loop (lambda (v ...) body ...))) (loop t ...)))
    const name = d.items[1] as Extract<Datum, { kind: "symbol" }>;
    if (d.items.length < 4) this.fail("let: expected (let name ((var init) ...) body ...)", d);
    const bindings = this.bindings(d, d.items[2]);
    const loc = d.loc;
    const temps = bindings.map((b) => this.newVar(`${b.name.name}-init`, scope));
    const inits = bindings.map((b) => this.expr(b.value, scope));
    const outer: Scope = { vars: new Map(), parent: scope, lambda: scope?.lambda };
    temps.forEach((t, i) => outer.vars.set(`\0init${i}`, t));
    const inner: Scope = { vars: new Map(), parent: outer, lambda: scope?.lambda };
    const loopVar = this.newVar(name.name, inner);
    inner.vars.set(name.name, loopVar);
    const lambdaDatum: ListDatum = {
      kind: "list",
      items: [
        { kind: "symbol", name: "lambda", loc },
        { kind: "list", items: bindings.map((b) => b.name), loc: d.items[2].loc },
        ...d.items.slice(3),
      ],
      loc,
    };
    const lam = this.lambda(lambdaDatum, inner, name.name);
    const call: Expr = {
      kind: "app",
      fn: { kind: "ref", v: loopVar, loc, source: name },
      args: temps.map((t) => ({ kind: "ref", v: t, loc, source: d })),
      loc,
      source: d,
    };
    const letrec: Expr = { kind: "letrec", vars: [loopVar], inits: [lam], body: call, loc, source: d };
    return { kind: "let", vars: temps, inits, body: letrec, loc, source: d };
  }

  private temp(name: string, scope: Scope | undefined): { v: Var; scope: Scope } {
    const inner: Scope = { vars: new Map(), parent: scope, lambda: scope?.lambda };
    const v = this.newVar(name, inner);
    inner.vars.set(`\0${name}${v.id}`, v);
    return { v, scope: inner };
  }

  private and(items: Datum[], scope: Scope | undefined, d: Datum): Expr {
    const first = this.expr(items[0], scope);
    if (items.length === 1) return first;
    return {
      kind: "if",
      test: first,
      then: this.and(items.slice(1), scope, d),
      else: { kind: "const", value: { kind: "boolean", value: false, loc: d.loc }, loc: d.loc, source: d },
      loc: items[0].loc,
      source: d,
    };
  }

  private or(items: Datum[], scope: Scope | undefined, d: Datum): Expr {
    const first = this.expr(items[0], scope);
    if (items.length === 1) return first;
    const t = this.temp("or", scope);
    const ref: Expr = { kind: "ref", v: t.v, loc: items[0].loc, source: items[0] };
    return {
      kind: "let",
      vars: [t.v],
      inits: [first],
      body: {
        kind: "if",
        test: ref,
        then: ref,
        else: this.or(items.slice(1), t.scope, d),
        loc: d.loc,
        source: d,
      },
      loc: d.loc,
      source: d,
    };
  }

  private cond(d: Datum, clauses: Datum[], scope: Scope | undefined): Expr {
    const loc = d.loc;
    if (clauses.length === 0) return { kind: "const", value: this.unspecifiedDatum(d), loc, source: d };
    const [clause, ...rest] = clauses;
    if (!isList(clause) || clause.items.length === 0)
      this.fail(`cond: a clause is written (test body ...)`, clause);
    const head = clause.items[0];
    if (isSymbol(head, "else") && !this.lookup("else", scope)) {
      if (rest.length > 0) this.fail("cond: 'else' must be the last clause", clause);
      if (clause.items.length < 2) this.fail("cond: 'else' needs a body", clause);
      return this.sequence(clause.items.slice(1), scope, clause);
    }
    const test = this.expr(head, scope);
    if (clause.items.length === 1) {
      const t = this.temp("cond", scope);
      const ref: Expr = { kind: "ref", v: t.v, loc: head.loc, source: head };
      return {
        kind: "let",
        vars: [t.v],
        inits: [test],
        body: { kind: "if", test: ref, then: ref, else: this.cond(d, rest, t.scope), loc, source: clause },
        loc,
        source: clause,
      };
    }
    if (isSymbol(clause.items[1], "=>") && !this.lookup("=>", scope)) {
      if (clause.items.length !== 3) this.fail("cond: expected (test => receiver)", clause);
      const t = this.temp("cond", scope);
      const ref: Expr = { kind: "ref", v: t.v, loc: head.loc, source: head };
      const receiver = this.expr(clause.items[2], t.scope);
      return {
        kind: "let",
        vars: [t.v],
        inits: [test],
        body: {
          kind: "if",
          test: ref,
          then: { kind: "app", fn: receiver, args: [ref], loc: clause.loc, source: clause },
          else: this.cond(d, rest, t.scope),
          loc,
          source: clause,
        },
        loc,
        source: clause,
      };
    }
    return {
      kind: "if",
      test,
      then: this.sequence(clause.items.slice(1), scope, clause),
      else: this.cond(d, rest, scope),
      loc: clause.loc,
      source: clause,
    };
  }

  private case(d: ListDatum, scope: Scope | undefined): Expr {
    if (d.items.length < 2) this.fail("case: expected (case key clause ...)", d);
    const t = this.temp("key", scope);
    const key = this.expr(d.items[1], scope);
    const loc = d.loc;
    const build = (clauses: Datum[]): Expr => {
      if (clauses.length === 0) return { kind: "const", value: this.unspecifiedDatum(d), loc, source: d };
      const [clause, ...rest] = clauses;
      if (!isList(clause) || clause.items.length < 2)
        this.fail("case: a clause is written ((datum ...) body ...)", clause);
      const head = clause.items[0];
      const body = (): Expr => {
        if (isSymbol(clause.items[1], "=>")) {
          const receiver = this.expr(clause.items[2], t.scope);
          return {
            kind: "app",
            fn: receiver,
            args: [{ kind: "ref", v: t.v, loc, source: d }],
            loc: clause.loc,
            source: clause,
          };
        }
        return this.sequence(clause.items.slice(1), t.scope, clause);
      };
      if (isSymbol(head, "else")) {
        if (rest.length > 0) this.fail("case: 'else' must be the last clause", clause);
        return body();
      }
      if (!isList(head)) this.fail("case: a clause starts with a list of data", head);
      const tests: Expr[] = head.items.map((datum) => ({
        kind: "prim",
        name: "eqv?",
        args: [
          { kind: "ref", v: t.v, loc: datum.loc, source: datum },
          { kind: "const", value: datum, loc: datum.loc, source: datum },
        ],
        loc: datum.loc,
        source: datum,
      }));
      const test: Expr =
        tests.length === 0
          ? { kind: "const", value: { kind: "boolean", value: false, loc }, loc, source: head }
          : tests.reduceRight((acc, e) => ({
              kind: "if",
              test: e,
              then: { kind: "const", value: { kind: "boolean", value: true, loc }, loc, source: head },
              else: acc,
              loc: head.loc,
              source: head,
            }));
      return { kind: "if", test, then: body(), else: build(rest), loc: clause.loc, source: clause };
    };
    return { kind: "let", vars: [t.v], inits: [key], body: build(d.items.slice(2)), loc, source: d };
  }

  private do(d: ListDatum, scope: Scope | undefined): Expr {
    // (do ((var init step) ...) (test expr ...) command ...)
    const specs = d.items[1];
    const exit = d.items[2];
    if (!specs || !isList(specs) || !exit || !isList(exit) || exit.items.length === 0)
      this.fail("do: expected (do ((var init [step]) ...) (test result ...) command ...)", d);
    const loc = d.loc;
    const sym = (name: string): Datum => ({ kind: "symbol", name, loc });
    const loopName = `do-loop`;
    const vars = specs.items.map((s) => {
      if (!isList(s) || s.items.length < 2 || s.items.length > 3 || !isSymbol(s.items[0]))
        this.fail("do: a variable is written (var init [step])", s);
      return { name: s.items[0], init: s.items[1], step: s.items[2] ?? s.items[0] };
    });
    const unspecified: Datum = {
      kind: "list",
      items: [sym("if"), { kind: "boolean", value: false, loc }, { kind: "boolean", value: false, loc }],
      loc,
    };
    const ifForm: Datum = {
      kind: "list",
      items: [
        sym("if"),
        exit.items[0],
        exit.items.length > 1
          ? { kind: "list", items: [sym("begin"), ...exit.items.slice(1)], loc }
          : unspecified,
        {
          kind: "list",
          items: [
            sym("begin"),
            ...d.items.slice(3),
            { kind: "list", items: [sym(loopName), ...vars.map((v) => v.step)], loc },
          ],
          loc,
        },
      ],
      loc,
    };
    const named: ListDatum = {
      kind: "list",
      items: [
        sym("let"),
        sym(loopName),
        {
          kind: "list",
          items: vars.map((v) => ({ kind: "list", items: [v.name, v.init], loc })),
          loc,
        },
        ifForm,
      ],
      loc,
    };
    return this.namedLet(named, scope);
  }

  private quasi(d: Datum, depth: number): Datum {
    const loc = d.loc;
    const sym = (name: string): Datum => ({ kind: "symbol", name, loc });
    const quote = (x: Datum): Datum => ({ kind: "list", items: [sym("quote"), x], loc });
    if (d.kind === "vector") {
      return {
        kind: "list",
        items: [sym("list->vector"), this.quasi({ kind: "list", items: d.items, loc }, depth)],
        loc,
      };
    }
    if (d.kind !== "list") return quote(d);
    if (isSymbol(d.items[0], "unquote") && d.items.length === 2 && !d.tail) {
      if (depth === 1) return d.items[1];
      return {
        kind: "list",
        items: [sym("list"), quote(sym("unquote")), this.quasi(d.items[1], depth - 1)],
        loc,
      };
    }
    if (isSymbol(d.items[0], "quasiquote") && d.items.length === 2 && !d.tail) {
      return {
        kind: "list",
        items: [sym("list"), quote(sym("quasiquote")), this.quasi(d.items[1], depth + 1)],
        loc,
      };
    }
    let tail: Datum = d.tail ? this.quasi(d.tail, depth) : quote({ kind: "list", items: [], loc });
    for (let i = d.items.length - 1; i >= 0; i--) {
      const item = d.items[i];
      if (
        isList(item) &&
        isSymbol(item.items[0], "unquote-splicing") &&
        item.items.length === 2 &&
        depth === 1
      ) {
        tail = { kind: "list", items: [sym("append"), item.items[1], tail], loc };
      } else {
        tail = { kind: "list", items: [sym("cons"), this.quasi(item, depth), tail], loc };
      }
    }
    return tail;
  }
}
