/**
 * A reference interpreter for abi-lab's Scheme, written independently of the compiler (it
 * shares only the reader): the oracle for generated programs. It evaluates arguments right
 * to left, as the compiled code does, and prints as runtime-rs prints.
 */
import type { Datum } from "../../src/compiler/datum.js";
import { readAll } from "../../src/compiler/reader.js";

type Value =
  | { t: "int"; v: bigint }
  | { t: "bool"; v: boolean }
  | { t: "char"; v: number }
  | { t: "str"; v: number[] }
  | { t: "sym"; v: string }
  | { t: "nil" }
  | { t: "pair"; car: Value; cdr: Value }
  | { t: "vec"; v: Value[] }
  | { t: "proc"; call: (args: Value[]) => Value }
  | { t: "unspec" };

export class SchemeError extends Error {}

const NIL: Value = { t: "nil" };
const UNSPEC: Value = { t: "unspec" };
const TRUE: Value = { t: "bool", v: true };
const FALSE: Value = { t: "bool", v: false };
const MIN = -(2n ** 60n);
const MAX = 2n ** 60n - 1n;

const int = (v: bigint): Value => {
  if (v < MIN || v > MAX) throw new SchemeError("fixnum overflow");
  return { t: "int", v };
};
const bool = (b: boolean): Value => (b ? TRUE : FALSE);
const truthy = (v: Value) => !(v.t === "bool" && !v.v);

function num(v: Value): bigint {
  if (v.t !== "int") throw new SchemeError("not a number");
  return v.v;
}

function list(items: Value[], tail: Value = NIL): Value {
  let acc = tail;
  for (let i = items.length - 1; i >= 0; i--) acc = { t: "pair", car: items[i], cdr: acc };
  return acc;
}

function toArray(v: Value): Value[] {
  const out: Value[] = [];
  while (v.t === "pair") {
    out.push(v.car);
    v = v.cdr;
  }
  if (v.t !== "nil") throw new SchemeError("not a proper list");
  return out;
}

function quote(d: Datum): Value {
  switch (d.kind) {
    case "integer":
      return int(d.value);
    case "boolean":
      return bool(d.value);
    case "char":
      return { t: "char", v: d.value };
    case "string":
      return { t: "str", v: [...d.value].map((c) => c.codePointAt(0)!) };
    case "symbol":
      return { t: "sym", v: d.name };
    case "vector":
      return { t: "vec", v: d.items.map(quote) };
    case "list":
      return list(d.items.map(quote), d.tail ? quote(d.tail) : NIL);
  }
}

function eqv(a: Value, b: Value): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case "int":
      return a.v === (b as typeof a).v;
    case "bool":
      return a.v === (b as typeof a).v;
    case "char":
      return a.v === (b as typeof a).v;
    case "sym":
      return a.v === (b as typeof a).v;
    case "nil":
    case "unspec":
      return true;
    default:
      return a === b;
  }
}

function equal(a: Value, b: Value): boolean {
  if (a.t === "pair" && b.t === "pair") return equal(a.car, b.car) && equal(a.cdr, b.cdr);
  if (a.t === "vec" && b.t === "vec")
    return a.v.length === b.v.length && a.v.every((x, i) => equal(x, b.v[i]));
  if (a.t === "str" && b.t === "str") return a.v.length === b.v.length && a.v.every((x, i) => x === b.v[i]);
  return eqv(a, b);
}

const CHAR_NAMES: Record<number, string> = {
  0: "nul",
  7: "alarm",
  8: "backspace",
  9: "tab",
  10: "newline",
  13: "return",
  27: "escape",
  32: "space",
  127: "delete",
};

export function show(v: Value, write: boolean): string {
  switch (v.t) {
    case "int":
      return v.v.toString();
    case "bool":
      return v.v ? "#t" : "#f";
    case "char":
      return write ? `#\\${CHAR_NAMES[v.v] ?? String.fromCodePoint(v.v)}` : String.fromCodePoint(v.v);
    case "str": {
      const s = String.fromCodePoint(...v.v);
      if (!write) return s;
      return `"${s.replace(/[\\"\n\t\r]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r" })[c]!)}"`;
    }
    case "sym":
      return v.v;
    case "nil":
      return "()";
    case "unspec":
      return "#<void>";
    case "proc":
      return "#<procedure>";
    case "vec":
      return `#(${v.v.map((x) => show(x, write)).join(" ")})`;
    case "pair": {
      const parts: string[] = [];
      let p: Value = v;
      while (p.t === "pair") {
        parts.push(show(p.car, write));
        p = p.cdr;
      }
      return p.t === "nil" ? `(${parts.join(" ")})` : `(${parts.join(" ")} . ${show(p, write)})`;
    }
  }
}

class TailCall {
  constructor(
    readonly fn: Value,
    readonly args: Value[],
  ) {}
}

type Env = { vars: Map<string, { value: Value }>; parent?: Env };

function lookup(env: Env | undefined, name: string): { value: Value } | undefined {
  for (let e = env; e; e = e.parent) {
    const b = e.vars.get(name);
    if (b) return b;
  }
  return undefined;
}

export interface RunResult {
  stdout: string;
  error?: string;
}

/** Run a program; returns what it prints (including the last value, as `_start` prints it). */
export function interpret(source: string, maxSteps = 5_000_000): RunResult {
  let out = "";
  let steps = 0;
  const globals: Env = { vars: new Map() };
  const prim = (name: string, f: (...a: Value[]) => Value) =>
    globals.vars.set(name, { value: { t: "proc", call: (args) => f(...args) } });

  const arith = (name: string, f: (a: bigint, b: bigint) => bigint, unit: bigint) =>
    prim(name, (...a) => {
      if (a.length === 0) return int(unit);
      if (a.length === 1) return name === "-" ? int(-num(a[0])) : int(num(a[0]));
      return a.slice(1).reduce((acc, x) => int(f(num(acc), num(x))), a[0]);
    });
  arith("+", (a, b) => a + b, 0n);
  arith("-", (a, b) => a - b, 0n);
  arith("*", (a, b) => a * b, 1n);
  const cmp = (name: string, f: (a: bigint, b: bigint) => boolean) =>
    prim(name, (...a) => bool(a.every((x, i) => i === 0 || f(num(a[i - 1]), num(x)))));
  cmp("=", (a, b) => a === b);
  cmp("<", (a, b) => a < b);
  cmp("<=", (a, b) => a <= b);
  cmp(">", (a, b) => a > b);
  cmp(">=", (a, b) => a >= b);
  prim("quotient", (a, b) => {
    if (num(b) === 0n) throw new SchemeError("division by zero");
    return int(num(a) / num(b));
  });
  prim("remainder", (a, b) => {
    if (num(b) === 0n) throw new SchemeError("division by zero");
    return int(num(a) % num(b));
  });
  prim("modulo", (a, b) => {
    if (num(b) === 0n) throw new SchemeError("division by zero");
    const r = num(a) % num(b);
    return int(r !== 0n && r < 0n !== num(b) < 0n ? r + num(b) : r);
  });
  prim("add1", (a) => int(num(a) + 1n));
  prim("sub1", (a) => int(num(a) - 1n));
  prim("zero?", (a) => bool(num(a) === 0n));
  prim("not", (a) => bool(!truthy(a)));
  prim("null?", (a) => bool(a.t === "nil"));
  prim("pair?", (a) => bool(a.t === "pair"));
  prim("integer?", (a) => bool(a.t === "int"));
  prim("boolean?", (a) => bool(a.t === "bool"));
  prim("char?", (a) => bool(a.t === "char"));
  prim("string?", (a) => bool(a.t === "str"));
  prim("symbol?", (a) => bool(a.t === "sym"));
  prim("vector?", (a) => bool(a.t === "vec"));
  prim("procedure?", (a) => bool(a.t === "proc"));
  prim("eq?", (a, b) => bool(eqv(a, b)));
  prim("eqv?", (a, b) => bool(eqv(a, b)));
  prim("equal?", (a, b) => bool(equal(a, b)));
  prim("cons", (a, b) => ({ t: "pair", car: a, cdr: b }));
  prim("car", (a) => {
    if (a.t !== "pair") throw new SchemeError("car: not a pair");
    return a.car;
  });
  prim("cdr", (a) => {
    if (a.t !== "pair") throw new SchemeError("cdr: not a pair");
    return a.cdr;
  });
  prim("list", (...a) => list(a));
  prim("length", (a) => int(BigInt(toArray(a).length)));
  prim("reverse", (a) => list(toArray(a).reverse()));
  prim("append", (...a) => (a.length === 0 ? NIL : list(a.slice(0, -1).flatMap(toArray), a[a.length - 1])));
  prim("vector", (...a) => ({ t: "vec", v: a }));
  prim("list->vector", (l) => ({ t: "vec", v: toArray(l) }));
  prim("integer->char", (n) => ({ t: "char", v: Number(num(n)) }));
  prim("make-vector", (n, fill) => ({
    t: "vec",
    v: Array.from({ length: Number(num(n)) }, () => fill ?? int(0n)),
  }));
  prim("vector-ref", (v, i) => {
    if (v.t !== "vec" || num(i) < 0n || num(i) >= BigInt(v.v.length)) throw new SchemeError("vector-ref");
    return v.v[Number(num(i))];
  });
  prim("vector-set!", (v, i, x) => {
    if (v.t !== "vec" || num(i) < 0n || num(i) >= BigInt(v.v.length)) throw new SchemeError("vector-set!");
    v.v[Number(num(i))] = x;
    return UNSPEC;
  });
  prim("vector-length", (v) => {
    if (v.t !== "vec") throw new SchemeError("vector-length");
    return int(BigInt(v.v.length));
  });
  prim("string-length", (s) => {
    if (s.t !== "str") throw new SchemeError("string-length");
    return int(BigInt(s.v.length));
  });
  prim("string-append", (...a) => ({ t: "str", v: a.flatMap((s) => (s.t === "str" ? s.v : [])) }));
  prim("char->integer", (c) => int(BigInt(c.t === "char" ? c.v : -1)));
  prim("display", (v) => {
    out += show(v, false);
    return UNSPEC;
  });
  prim("write", (v) => {
    out += show(v, true);
    return UNSPEC;
  });
  prim("newline", () => {
    out += "\n";
    return UNSPEC;
  });
  prim("writeln", (v) => {
    out += show(v, false) + "\n";
    return UNSPEC;
  });
  prim("apply", (f, ...rest) => {
    const args = [...rest.slice(0, -1), ...toArray(rest[rest.length - 1])];
    return applyProc(f, args);
  });
  prim("map", (f, ...lists) => {
    const arrays = lists.map(toArray);
    const n = Math.min(...arrays.map((a) => a.length));
    const results: Value[] = [];
    for (let i = 0; i < n; i++)
      results.push(
        applyProc(
          f,
          arrays.map((a) => a[i]),
        ),
      );
    return list(results);
  });

  function applyProc(f: Value, args: Value[]): Value {
    let r: Value | TailCall = new TailCall(f, args);
    while (r instanceof TailCall) {
      if (r.fn.t !== "proc") throw new SchemeError("not a procedure");
      const res: Value | TailCall = r.fn.call(r.args);
      r = res;
    }
    return r;
  }

  function evalBody(forms: Datum[], env: Env, tail: boolean): Value | TailCall {
    // internal defines
    const inner: Env = { vars: new Map(), parent: env };
    let result: Value | TailCall = UNSPEC;
    forms.forEach((f, i) => {
      if (f.kind === "list" && f.items[0]?.kind === "symbol" && f.items[0].name === "define") {
        define(f, inner);
        result = UNSPEC;
      } else {
        result = ev(f, inner, tail && i === forms.length - 1);
      }
    });
    return result;
  }

  function define(f: Extract<Datum, { kind: "list" }>, env: Env): void {
    const target = f.items[1];
    if (target.kind === "symbol") {
      env.vars.set(target.name, { value: UNSPEC });
      env.vars.get(target.name)!.value = force(ev(f.items[2], env, false));
    } else if (target.kind === "list" && target.items[0].kind === "symbol") {
      const name = target.items[0].name;
      const formals: Datum = {
        kind: "list",
        items: target.items.slice(1),
        tail: target.tail,
        loc: target.loc,
      };
      env.vars.set(name, { value: UNSPEC });
      env.vars.get(name)!.value = lambda(formals, f.items.slice(2), env);
    }
  }

  function lambda(formals: Datum, body: Datum[], env: Env): Value {
    return {
      t: "proc",
      call: (args) => {
        const frame: Env = { vars: new Map(), parent: env };
        if (formals.kind === "symbol") frame.vars.set(formals.name, { value: list(args) });
        else if (formals.kind === "list") {
          if (args.length < formals.items.length || (!formals.tail && args.length !== formals.items.length))
            throw new SchemeError("wrong number of arguments");
          formals.items.forEach((p, i) => frame.vars.set((p as { name: string }).name, { value: args[i] }));
          if (formals.tail)
            frame.vars.set((formals.tail as { name: string }).name, {
              value: list(args.slice(formals.items.length)),
            });
        }
        return evalBody(body, frame, true) as Value;
      },
    };
  }

  function force(v: Value | TailCall): Value {
    return v instanceof TailCall ? applyProc(v.fn, v.args) : v;
  }

  function ev(d: Datum, env: Env, tail: boolean): Value | TailCall {
    if (++steps > maxSteps) throw new SchemeError("step limit");
    switch (d.kind) {
      case "integer":
      case "boolean":
      case "char":
      case "string":
      case "vector":
        return quote(d);
      case "symbol": {
        const b = lookup(env, d.name);
        if (!b) throw new SchemeError(`unbound ${d.name}`);
        return b.value;
      }
      case "list":
        break;
    }
    const [head, ...rest] = d.items;
    if (
      (head.kind === "symbol" && !lookup(env, head.name)) ||
      (head.kind === "symbol" &&
        [
          "if",
          "let",
          "lambda",
          "quote",
          "begin",
          "set!",
          "define",
          "and",
          "or",
          "cond",
          "when",
          "unless",
          "letrec",
          "let*",
        ].includes(head.name) &&
        !isShadowed(env, head.name))
    ) {
      switch (head.name) {
        case "quote":
          return quote(rest[0]);
        case "if":
          return truthy(force(ev(rest[0], env, false)))
            ? ev(rest[1], env, tail)
            : rest[2]
              ? ev(rest[2], env, tail)
              : UNSPEC;
        case "begin":
          return rest.reduce<Value | TailCall>(
            (_, f, i) => ev(f, env, tail && i === rest.length - 1),
            UNSPEC,
          );
        case "lambda":
          return lambda(rest[0], rest.slice(1), env);
        case "define":
          define(d, env);
          return UNSPEC;
        case "set!": {
          const b = lookup(env, (rest[0] as { name: string }).name);
          if (!b) throw new SchemeError("set! unbound");
          b.value = force(ev(rest[1], env, false));
          return UNSPEC;
        }
        case "let": {
          if (rest[0].kind === "symbol") {
            const name = rest[0].name;
            const bindings = (rest[1] as Extract<Datum, { kind: "list" }>).items as Extract<
              Datum,
              { kind: "list" }
            >[];
            const inits = bindings.map((b) => force(ev(b.items[1], env, false)));
            const loopEnv: Env = { vars: new Map(), parent: env };
            const formals: Datum = { kind: "list", items: bindings.map((b) => b.items[0]), loc: d.loc };
            loopEnv.vars.set(name, { value: lambda(formals, rest.slice(2), loopEnv) });
            return new TailCall(loopEnv.vars.get(name)!.value, inits);
          }
          const bindings = (rest[0] as Extract<Datum, { kind: "list" }>).items as Extract<
            Datum,
            { kind: "list" }
          >[];
          const values = bindings.map((b) => force(ev(b.items[1], env, false)));
          const frame: Env = { vars: new Map(), parent: env };
          bindings.forEach((b, i) =>
            frame.vars.set((b.items[0] as { name: string }).name, { value: values[i] }),
          );
          return evalBody(rest.slice(1), frame, tail);
        }
        case "let*": {
          let frame = env;
          for (const b of (rest[0] as Extract<Datum, { kind: "list" }>).items as Extract<
            Datum,
            { kind: "list" }
          >[]) {
            const v = force(ev(b.items[1], frame, false));
            frame = { vars: new Map([[(b.items[0] as { name: string }).name, { value: v }]]), parent: frame };
          }
          return evalBody(rest.slice(1), frame, tail);
        }
        case "letrec": {
          const frame: Env = { vars: new Map(), parent: env };
          const bindings = (rest[0] as Extract<Datum, { kind: "list" }>).items as Extract<
            Datum,
            { kind: "list" }
          >[];
          bindings.forEach((b) => frame.vars.set((b.items[0] as { name: string }).name, { value: UNSPEC }));
          bindings.forEach(
            (b) =>
              (frame.vars.get((b.items[0] as { name: string }).name)!.value = force(
                ev(b.items[1], frame, false),
              )),
          );
          return evalBody(rest.slice(1), frame, tail);
        }
        case "and": {
          let v: Value | TailCall = TRUE;
          for (let i = 0; i < rest.length; i++) {
            v = ev(rest[i], env, tail && i === rest.length - 1);
            if (i < rest.length - 1 && !truthy(force(v))) return FALSE;
          }
          return v;
        }
        case "or": {
          for (let i = 0; i < rest.length; i++) {
            if (i === rest.length - 1) return ev(rest[i], env, tail);
            const v = force(ev(rest[i], env, false));
            if (truthy(v)) return v;
          }
          return FALSE;
        }
        case "when":
        case "unless": {
          const t = truthy(force(ev(rest[0], env, false)));
          if (t === (head.name === "when"))
            return rest
              .slice(1)
              .reduce<Value | TailCall>((_, f, i) => ev(f, env, tail && i === rest.length - 2), UNSPEC);
          return UNSPEC;
        }
        case "cond": {
          for (const c of rest as Extract<Datum, { kind: "list" }>[]) {
            const [test, ...body] = c.items;
            if (test.kind === "symbol" && test.name === "else")
              return body.reduce<Value | TailCall>(
                (_, f, i) => ev(f, env, tail && i === body.length - 1),
                UNSPEC,
              );
            const v = force(ev(test, env, false));
            if (truthy(v))
              return body.length === 0
                ? v
                : body.reduce<Value | TailCall>(
                    (_, f, i) => ev(f, env, tail && i === body.length - 1),
                    UNSPEC,
                  );
          }
          return UNSPEC;
        }
      }
    }
    // Application: arguments right to left, then the operator.
    const args: Value[] = new Array<Value>(rest.length);
    for (let i = rest.length - 1; i >= 0; i--) args[i] = force(ev(rest[i], env, false));
    const fn = force(ev(head, env, false));
    if (tail) return new TailCall(fn, args);
    return applyProc(fn, args);
  }

  function isShadowed(env: Env, name: string): boolean {
    for (let e: Env | undefined = env; e && e !== globals; e = e.parent) if (e.vars.has(name)) return true;
    return false;
  }

  let last: Value = UNSPEC;
  try {
    for (const form of readAll(source, "<oracle>")) last = force(ev(form, globals, false));
    if (last.t !== "unspec") out += show(last, true) + "\n";
    return { stdout: out };
  } catch (e) {
    if (e instanceof SchemeError) return { stdout: out, error: e.message };
    throw e;
  }
}
