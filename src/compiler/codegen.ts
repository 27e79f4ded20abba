import { UserInputError, lineOf } from "../diagnostics.js";
import * as L from "../values/layout.js";
import type { Expr, ForeignType, Global, Lambda, Program, Var } from "./ast.js";
import { ConstantPool } from "./constants.js";
import { briefDatum, type Datum } from "./datum.js";
import { AsmWriter, type SourceSpan } from "./emitter.js";
import { mangle } from "./mangle.js";
import { compileInlinePrimitive, isInlinePrimitive } from "./inline-primitives.js";
import { ARG_REGISTERS, RUNTIME_PRIMITIVES } from "./runtime-calls.js";

export interface CodegenOptions {
  file: string;
  source: string;
  /** Keep rsp 16-byte aligned at every runtime call (false: `--no-align`, to show what breaks). */
  align: boolean;
}

type Location =
  { kind: "frame"; offset: number; boxed: boolean } | { kind: "free"; index: number; boxed: boolean };

const hex = (n: number | bigint) => (n < 0 ? `-0x${(-BigInt(n)).toString(16)}` : `0x${n.toString(16)}`);

/** Program-wide state: text, data, constants, error stubs. */
export class ProgramCompiler {
  readonly text = new AsmWriter();
  readonly data = new AsmWriter();
  readonly rodata = new AsmWriter();
  readonly pool: ConstantPool;
  private readonly stubs = new Map<string, AsmWriter>();
  private labelCounter = 0;
  private readonly cstrings = new Map<string, string>();

  constructor(
    readonly program: Program,
    readonly options: CodegenOptions,
  ) {
    this.pool = new ConstantPool(this.data);
  }

  fail(message: string, d: Datum): never {
    throw new UserInputError(message, d.loc, lineOf(this.options.source, d.loc.line));
  }

  newLabel(hint: string): string {
    return `.L${hint}_${this.labelCounter++}`;
  }

  /** A NUL-terminated C string in .rodata (for runtime error messages). */
  cstring(text: string): string {
    let label = this.cstrings.get(text);
    if (!label) {
      label = `scm_cstr_${this.cstrings.size}`;
      this.cstrings.set(text, label);
      this.rodata.label(label);
      this.rodata.directive(`.asciz ${JSON.stringify(text)}`);
    }
    return label;
  }

  /**
   * An out-of-line error path, emitted once per key at the end of the text section.
   * Error paths never return, so they realign rsp themselves before calling the runtime.
   */
  stub(key: string, build: (w: AsmWriter) => void): string {
    const label = `scm_fail_${key}`;
    if (!this.stubs.has(label)) {
      const w = new AsmWriter();
      w.label(label);
      build(w);
      this.stubs.set(label, w);
    }
    return label;
  }

  alignForNoReturn(w: AsmWriter): void {
    if (this.options.align) w.ins("and rsp, -16", "align: this call never returns, so just round rsp down");
  }

  /** `rt_type_error(who, expected, value)` with the bad value in `reg`. */
  typeErrorStub(who: string, expected: string, reg = "rax"): string {
    const key = `${mangleKey(who)}_${mangleKey(expected)}_${reg}`;
    return this.stub(key, (w) => {
      w.ins(`mov rdx, ${reg}`, "the offending value");
      w.ins(`lea rdi, [rip + ${this.cstring(who)}]`, JSON.stringify(who));
      w.ins(`lea rsi, [rip + ${this.cstring(expected)}]`, JSON.stringify(expected));
      this.alignForNoReturn(w);
      w.ins("call rt_type_error");
    });
  }

  /** `rt_error(who, message, '())`. */
  errorStub(who: string, message: string): string {
    return this.stub(`${mangleKey(who)}_${mangleKey(message)}`, (w) => {
      w.ins(`lea rdi, [rip + ${this.pool.symbol(who)} + ${L.Tag.symbol}]`, `'${who}`);
      w.ins(`lea rsi, [rip + ${this.pool.string(message)} + ${L.Tag.string}]`, JSON.stringify(message));
      w.ins(`mov edx, ${hex(L.NIL)}`, "no irritants");
      this.alignForNoReturn(w);
      w.ins("call rt_error");
    });
  }

  heapStub(): string {
    return this.stub("heap_exhausted", (w) => {
      this.alignForNoReturn(w);
      w.ins("call rt_heap_exhausted");
    });
  }

  compile(): void {
    const { program } = this;
    // Procedures first: the entry's prologue registers every symbol constant, so it is built last.
    const procedures = program.lambdas.map((lam) => {
      const fn = new FunctionCompiler(this, lam);
      fn.compileLambda();
      return fn;
    });
    const entry = new FunctionCompiler(this, undefined);
    entry.compileEntry(program.body);
    this.text.append(entry.out);
    for (const fn of procedures) {
      this.text.blank();
      this.text.append(fn.out);
    }
    for (const stub of this.stubs.values()) {
      this.text.blank();
      this.text.append(stub);
    }
    this.emitGlobals();
  }

  private emitGlobals(): void {
    const d = new AsmWriter();
    for (const g of this.program.globals.values()) {
      d.directive(".p2align 3");
      if (g.procedure) {
        const lam = g.procedure;
        d.label(`${lam.label}_closure`, `the procedure ${g.name}: a closure with no free variables`);
        d.directive(`.quad ${hex((1 << L.HEADER_KIND_BITS) | L.Kind.closure)}`);
        d.directive(`.quad ${lam.label}`);
        d.label(g.label, `the global variable ${g.name}`);
        d.directive(`.quad ${lam.label}_closure + ${L.Tag.vectorLike}`);
      } else {
        d.label(g.label, `the global variable ${g.name}`);
        d.directive(`.quad ${hex(L.UNBOUND)}`);
      }
    }
    this.data.append(d);
  }

  /** The whole assembly file. */
  assembly(): { text: AsmWriter; header: string[] } {
    return { text: this.text, header: [] };
  }
}

const KEY_WORDS: Record<string, string> = {
  "+": "plus",
  "-": "minus",
  "*": "times",
  "=": "eq",
  "<": "lt",
  ">": "gt",
};

/** A readable label fragment: `+` → `plus`, "a number" → `a_number`. */
function mangleKey(s: string): string {
  const words =
    s.length <= 2 && [...s].every((c) => c in KEY_WORDS) ? [...s].map((c) => KEY_WORDS[c]).join("_") : s;
  return mangle(words.replace(/\s+/g, "_"));
}

/** Compiles one procedure (or `scheme_entry`) with its frame. */
export class FunctionCompiler {
  readonly out = new AsmWriter();
  private readonly locations = new Map<Var, Location>();
  /** Bytes below rbp taken before the first local slot. */
  private reserved = 0;
  private slots = 0;
  private maxSlots = 0;
  /** 8-byte pushes since the (aligned) frame base: decides alignment at System V calls. */
  depth = 0;

  constructor(
    readonly pc: ProgramCompiler,
    readonly lambda: Lambda | undefined,
  ) {}

  get align(): boolean {
    return this.pc.options.align;
  }

  ins(text: string, comment?: string): void {
    this.out.ins(text, comment);
  }

  push(reg: string, comment?: string): void {
    this.ins(`push ${reg}`, comment);
    this.depth++;
  }

  pop(reg: string, comment?: string): void {
    this.ins(`pop ${reg}`, comment);
    this.depth--;
  }

  private withSpan<T>(e: Expr, f: () => T): T {
    const saved = this.out.span;
    const source = e.source;
    const span: SourceSpan = {
      start: source.loc,
      end: source.kind === "list" ? source.end : undefined,
      text: briefDatum(source),
    };
    this.out.span = span;
    try {
      return f();
    } finally {
      this.out.span = saved;
    }
  }

  // ---------------------------------------------------------------- frames

  compileEntry(body: Expr[]): void {
    const w = new AsmWriter();
    const saved = ["rbx", "r12", "r13"];
    this.reserved = saved.length * 8 + (this.align ? 8 : 0);
    const bodyOut = this.out;
    for (let i = 0; i < body.length; i++) {
      const e = body[i];
      this.out.blank();
      this.out.comment(briefDatum(e.source, 100));
      this.expr(e, false);
    }
    if (body.length === 0) this.ins(`mov eax, ${hex(L.UNSPECIFIED)}`, "an empty program");
    const frame = this.frameBytes();
    w.comment("scheme_entry(heap, heap_end) is called by runtime-rs's _start: it is a System V function,");
    w.comment(
      "so it must preserve rbx, rbp and r12-r15, and keep rsp 16-byte aligned at every call it makes.",
    );
    w.directive(".globl scheme_entry");
    w.label("scheme_entry");
    w.ins("push rbp", "save the caller's frame pointer");
    w.ins("mov rbp, rsp");
    for (const r of saved) w.ins(`push ${r}`, `${r} is callee-saved in System V: we use it, so we save it`);
    const pad = this.align ? 8 : 0;
    const sub = pad + frame;
    if (sub > 0)
      w.ins(
        `sub rsp, ${sub}`,
        this.align
          ? `${frame / 8} local slot${frame === 8 ? "" : "s"}${pad ? " + 8 bytes so that rsp is a multiple of 16" : ""}`
          : `${frame / 8} local slots (no alignment padding: --no-align)`,
      );
    w.ins(
      `mov ${L.HEAP_POINTER_REGISTER}, rdi`,
      "r12: the heap allocation pointer (callee-saved, so runtime calls keep it)",
    );
    w.ins(`mov ${L.HEAP_LIMIT_REGISTER}, rsi`, "r13: the end of the heap");
    const symbols = this.pc.pool.symbolLabels;
    if (symbols.length) {
      w.comment("register the program's symbol constants, so string->symbol finds the same objects");
      for (const label of symbols) {
        w.ins(`lea rdi, [rip + ${label} + ${L.Tag.symbol}]`);
        w.ins("call rt_intern_symbol");
      }
    }
    bodyOut.lines.unshift(...w.lines);
    this.out.blank();
    this.ins(`mov rbx, qword ptr [rbp - 8]`, "restore the callee-saved registers");
    this.ins(`mov r12, qword ptr [rbp - 16]`);
    this.ins(`mov r13, qword ptr [rbp - 24]`);
    this.ins("leave", "rsp = rbp; pop rbp");
    this.ins("ret", "the value of the last expression is in rax");
  }

  /** Argument slots this procedure pops on return (a rest list takes one). */
  private get incoming(): number {
    const lam = this.lambda!;
    return lam.params.length + (lam.rest ? 1 : 0);
  }

  compileLambda(): void {
    const lam = this.lambda!;
    const name = lam.name ?? `lambda at ${lam.loc.line}:${lam.loc.column}`;
    const n = lam.params.length;
    this.reserved = 8; // the closure, at [rbp - 8]
    const all = lam.rest ? [...lam.params, lam.rest] : lam.params;
    all.forEach((v, i) => this.locations.set(v, { kind: "frame", offset: 16 + 8 * i, boxed: isBoxed(v) }));
    lam.free.forEach((v, i) => this.locations.set(v, { kind: "free", index: i, boxed: isBoxed(v) }));
    const prologueSpan: SourceSpan = { start: lam.source.loc, text: briefDatum(lam.source) };
    this.out.span = prologueSpan;
    // Box parameters that are both captured and assigned.
    all.forEach((v, i) => {
      if (!isBoxed(v)) return;
      this.ins(`mov rax, qword ptr [rbp + ${16 + 8 * i}]`, `box ${v.name}: it is captured and assigned`);
      this.box();
      this.ins(`mov qword ptr [rbp + ${16 + 8 * i}], rax`);
    });
    this.out.span = undefined;
    this.expr(lam.body, true);
    const frame = this.frameBytes();
    const w = new AsmWriter();
    w.span = prologueSpan;
    const shape = lam.rest
      ? `${n} or more arguments (the rest as a list)`
      : `${n} argument${n === 1 ? "" : "s"}`;
    w.label(lam.label, `${name}: ${shape} on the stack, closure in rbx, count in rax`);
    const arity = this.pc.stub(`arity_${lam.label}`, (s) => {
      s.ins("lea rdx, [rax*8]", "the argument count we got, as a fixnum");
      s.ins(`lea rdi, [rip + ${this.pc.pool.string(name)} + ${L.Tag.string}]`, JSON.stringify(name));
      if (lam.rest) s.ins(`mov rsi, ${-(n + 1) * 8}`, `-(${n} + 1): it takes at least ${n}`);
      else s.ins(`mov esi, ${n * 8}`, `it takes ${n}`);
      this.pc.alignForNoReturn(s);
      s.ins("call rt_arity_error");
    });
    w.ins(`cmp rax, ${n}`, "check the argument count");
    w.ins(`${lam.rest ? "jb" : "jne"} ${arity}`);
    w.ins("push rbp");
    w.ins("mov rbp, rsp");
    if (lam.rest) this.collectRest(w, n);
    if (this.align)
      w.ins("and rsp, -16", "align our frame: the Scheme convention promises nothing about rsp");
    const locals = this.maxSlots;
    w.ins(
      `sub rsp, ${frame}`,
      `the closure slot${locals ? ` + ${locals} local slot${locals === 1 ? "" : "s"}` : ""}${frame / 8 > locals + 1 ? " + padding to 16 bytes" : ""}`,
    );
    w.ins("mov qword ptr [rbp - 8], rbx", "keep our closure: free variables live in it");
    this.out.lines.unshift(...w.lines);
  }

  /**
   * A variadic procedure turns arguments n.. into a list, then moves its frame so that the
   * argument area holds exactly n + 1 slots (the rest list last): it can then return with
   * `ret 8*(n+1)` and make tail calls like any other procedure.
   */
  private collectRest(w: AsmWriter, n: number): void {
    const hp = L.HEAP_POINTER_REGISTER;
    const loop = this.pc.newLabel("rest_loop");
    const done = this.pc.newLabel("rest_done");
    const grow = this.pc.newLabel("rest_grow");
    const moved = this.pc.newLabel("rest_moved");
    w.comment(`collect arguments ${n + 1}.. into a list, last first`);
    w.ins(`mov edx, ${hex(L.NIL)}`, "rdx = the list so far");
    w.ins("mov rcx, rax", "rcx = index past the last argument");
    w.label(loop);
    w.ins(`cmp rcx, ${n}`);
    w.ins(`jbe ${done}`);
    w.ins("dec rcx");
    w.ins(`mov rsi, ${hp}`, "allocate a pair");
    w.ins(`add ${hp}, ${L.PAIR_SIZE}`);
    w.ins(`cmp ${hp}, ${L.HEAP_LIMIT_REGISTER}`);
    w.ins(`ja ${this.pc.heapStub()}`);
    w.ins("mov rdi, qword ptr [rbp + rcx*8 + 16]", "argument rcx");
    w.ins(`mov qword ptr [rsi + ${L.PAIR_CAR}], rdi`);
    w.ins(`mov qword ptr [rsi + ${L.PAIR_CDR}], rdx`);
    w.ins(`lea rdx, [rsi + ${L.Tag.pair}]`);
    w.ins(`jmp ${loop}`);
    w.label(done);
    w.comment(
      `shift saved rbp, return address and ${n} argument${n === 1 ? "" : "s"} so the area ends where it did`,
    );
    w.ins(
      `lea rsi, [rax*8 - ${8 * (n + 1)}]`,
      "rsi = how far the frame moves (-8 when there was no extra argument)",
    );
    w.ins("test rsi, rsi");
    w.ins(`js ${grow}`);
    for (let j = n + 1; j >= 0; j--) {
      w.ins(`mov rdi, qword ptr [rbp + ${8 * j}]`);
      w.ins(`mov qword ptr [rbp + rsi + ${8 * j}], rdi`);
    }
    w.ins(`jmp ${moved}`);
    w.label(grow);
    for (let j = 0; j <= n + 1; j++) {
      w.ins(`mov rdi, qword ptr [rbp + ${8 * j}]`);
      w.ins(`mov qword ptr [rbp + rsi + ${8 * j}], rdi`);
    }
    w.label(moved);
    w.ins("add rbp, rsi");
    w.ins("mov rsp, rbp");
    w.ins(`mov qword ptr [rbp + ${16 + 8 * n}], rdx`, "the rest list is the last argument");
  }

  /** Local slots rounded up to keep the frame a multiple of 16 bytes. */
  private frameBytes(): number {
    if (!this.lambda && !this.align) return 8 * this.maxSlots;
    const bytes = this.reserved + 8 * this.maxSlots;
    const rounded = Math.ceil(bytes / 16) * 16;
    return rounded - (this.lambda ? 0 : this.reserved);
  }

  private allocSlot(): number {
    const slot = this.slots++;
    this.maxSlots = Math.max(this.maxSlots, this.slots);
    return -(this.reserved + 8 * (slot + 1));
  }

  /** Return from the current procedure with the value in rax. */
  private ret(): void {
    if (!this.lambda) return;
    const n = this.incoming;
    this.ins("leave", "rsp = rbp; pop rbp");
    this.ins(
      n ? `ret ${8 * n}` : "ret",
      n ? `return and pop our ${n} argument${n === 1 ? "" : "s"} (callee pops)` : "return",
    );
  }

  // ---------------------------------------------------------------- variables

  private operand(loc: Location): string {
    if (loc.kind === "frame") return `qword ptr [rbp ${loc.offset < 0 ? "-" : "+"} ${Math.abs(loc.offset)}]`;
    throw new Error("free variables have no direct operand");
  }

  private location(v: Var): Location {
    const loc = this.locations.get(v);
    if (!loc) throw new Error(`internal error: no location for ${v.name}`);
    return loc;
  }

  /** Load a variable's value into reg (uses only reg). */
  loadVar(v: Var, reg: string): void {
    const loc = this.location(v);
    if (loc.kind === "frame") {
      this.ins(`mov ${reg}, ${this.operand(loc)}`, loc.boxed ? `${v.name} (its box)` : v.name);
    } else {
      this.ins(`mov ${reg}, qword ptr [rbp - 8]`, "our closure");
      this.ins(
        `mov ${reg}, qword ptr [${reg} + ${L.CLOSURE_FREE + 8 * loc.index - L.Tag.vectorLike}]`,
        `free variable ${v.name}${loc.boxed ? " (its box)" : ""}`,
      );
    }
    if (loc.boxed) this.ins(`mov ${reg}, qword ptr [${reg}]`, `${v.name}, from its box`);
  }

  /** Put rax into a fresh heap box; rax becomes the box's address. */
  private box(): void {
    this.ins(`mov rcx, ${L.HEAP_POINTER_REGISTER}`, "allocate an 8-byte box");
    this.ins(`add ${L.HEAP_POINTER_REGISTER}, 8`);
    this.ins(`cmp ${L.HEAP_POINTER_REGISTER}, ${L.HEAP_LIMIT_REGISTER}`);
    this.ins(`ja ${this.pc.heapStub()}`);
    this.ins("mov qword ptr [rcx], rax");
    this.ins("mov rax, rcx");
  }

  private bind(v: Var): void {
    const offset = this.allocSlot();
    const boxed = isBoxed(v);
    if (boxed) this.box();
    this.locations.set(v, { kind: "frame", offset, boxed });
    this.ins(`mov qword ptr [rbp - ${-offset}], rax`, boxed ? `${v.name} (boxed)` : v.name);
  }

  // ---------------------------------------------------------------- expressions

  isSimple(e: Expr): boolean {
    switch (e.kind) {
      case "const":
        return true;
      case "ref":
        return true;
      case "gref":
        return e.g.procedure !== undefined;
      default:
        return false;
    }
  }

  /** Load a simple expression into reg without touching the stack or other registers. */
  loadSimple(e: Expr, reg: string): void {
    this.withSpan(e, () => {
      if (e.kind === "const") this.loadConstant(e.value, reg);
      else if (e.kind === "ref") this.loadVar(e.v, reg);
      else if (e.kind === "gref" && e.g.procedure)
        this.ins(
          `lea ${reg}, [rip + ${e.g.procedure.label}_closure + ${L.Tag.vectorLike}]`,
          `the procedure ${e.g.name}`,
        );
      else throw new Error("internal error: not a simple expression");
    });
  }

  loadConstant(d: Datum, reg: string): void {
    const op = this.pc.pool.operand(d);
    const text = briefDatum(d);
    if (op.kind === "address") {
      this.ins(`lea ${reg}, [rip + ${op.label} + ${op.tag}]`, d.kind === "string" ? text : `'${text}`);
      return;
    }
    const v = BigInt.asIntN(64, op.value);
    const comment = d.kind === "symbol" ? d.name.replace(/^#</, "the ").replace(/>$/, " value") : text;
    if (v === 0n) this.ins(`xor ${reg32(reg)}, ${reg32(reg)}`, comment);
    else if (v > 0n && v < 2n ** 32n) this.ins(`mov ${reg32(reg)}, ${hex(v)}`, comment);
    else if (v >= -(2n ** 31n) && v < 0n) this.ins(`mov ${reg}, ${hex(v)}`, comment);
    else this.ins(`movabs ${reg}, ${hex(op.value)}`, comment);
  }

  /** Compile e, leaving its value in rax; in tail position, also return. */
  expr(e: Expr, tail: boolean): void {
    this.withSpan(e, () => this.exprInner(e, tail));
  }

  private exprInner(e: Expr, tail: boolean): void {
    switch (e.kind) {
      case "const":
      case "ref":
        this.loadSimple(e, "rax");
        break;
      case "gref":
        if (e.g.procedure) {
          this.loadSimple(e, "rax");
        } else {
          this.ins(`mov rax, qword ptr [rip + ${e.g.label}]`, `global ${e.g.name}`);
          this.ins(`cmp rax, ${hex(L.UNBOUND)}`, "defined yet?");
          this.ins(`je ${this.pc.errorStub(e.g.name, "variable used before its definition")}`);
        }
        break;
      case "set":
        this.expr(e.value, false);
        this.storeVar(e.v);
        this.ins(`mov eax, ${hex(L.UNSPECIFIED)}`, "set! returns the unspecified value");
        break;
      case "gset":
        if (e.define && e.g.procedure === e.value) {
          this.out.comment(`${e.g.name} is a static closure in .data: nothing to do at run time`);
        } else {
          this.expr(e.value, false);
          this.ins(`mov qword ptr [rip + ${e.g.label}], rax`, `${e.define ? "define" : "set!"} ${e.g.name}`);
        }
        this.ins(
          `mov eax, ${hex(L.UNSPECIFIED)}`,
          `${e.define ? "define" : "set!"} returns the unspecified value`,
        );
        break;
      case "if": {
        const elseLabel = this.pc.newLabel("else");
        const endLabel = this.pc.newLabel("endif");
        this.test(e.test, elseLabel);
        const depth = this.depth;
        this.expr(e.then, tail);
        if (!tail) this.ins(`jmp ${endLabel}`);
        this.out.label(elseLabel);
        this.depth = depth;
        this.expr(e.else, tail);
        if (!tail) this.out.label(endLabel);
        return;
      }
      case "seq":
        e.exprs.forEach((x, i) => this.expr(x, tail && i === e.exprs.length - 1));
        return;
      case "let": {
        const saved = this.slots;
        const values = e.inits.map((init) => {
          this.expr(init, false);
          const offset = this.allocSlot();
          this.ins(`mov qword ptr [rbp - ${-offset}], rax`, "let: evaluate the value");
          return offset;
        });
        // Bind after evaluating all inits (they see the outer scope).
        e.vars.forEach((v, i) => {
          const boxed = isBoxed(v);
          if (boxed) {
            this.ins(`mov rax, qword ptr [rbp - ${-values[i]}]`);
            this.box();
            this.ins(`mov qword ptr [rbp - ${-values[i]}], rax`, `${v.name} is captured and assigned: boxed`);
          }
          this.locations.set(v, { kind: "frame", offset: values[i], boxed });
        });
        this.expr(e.body, tail);
        this.slots = saved;
        return;
      }
      case "letrec": {
        const saved = this.slots;
        // Allocate every closure first, then fill in free variables: they may refer to each other.
        e.vars.forEach((v, i) => {
          this.allocClosure(e.inits[i]);
          this.bind(v);
        });
        e.inits.forEach((lam, i) => {
          if (lam.free.length === 0) return;
          this.loadVar(e.vars[i], "rdx");
          this.fillClosure(lam, "rdx");
        });
        this.expr(e.body, tail);
        this.slots = saved;
        return;
      }
      case "lambda":
        this.allocClosure(e);
        if (e.free.length) {
          this.ins("mov rdx, rax");
          this.fillClosure(e, "rdx");
          this.ins("mov rax, rdx");
        }
        break;
      case "app":
        this.call(e, tail);
        return;
      case "apply":
        this.apply(e, tail);
        return;
      case "prim":
        this.primitive(e);
        break;
      case "foreign":
        this.foreignCall(e.decl.symbol, e.args, e.decl.params, e.decl.result);
        break;
      case "foreign-call":
        this.foreignCall(e.symbol, e.args, undefined, undefined);
        break;
    }
    if (tail) this.ret();
  }

  private storeVar(v: Var): void {
    const loc = this.location(v);
    if (loc.kind === "frame" && !loc.boxed) {
      this.ins(`mov ${this.operand(loc)}, rax`, `set! ${v.name}`);
      return;
    }
    if (loc.kind === "frame") this.ins(`mov rcx, ${this.operand(loc)}`, `the box of ${v.name}`);
    else {
      this.ins("mov rcx, qword ptr [rbp - 8]", "our closure");
      this.ins(
        `mov rcx, qword ptr [rcx + ${L.CLOSURE_FREE + 8 * loc.index - L.Tag.vectorLike}]`,
        `the box of ${v.name}`,
      );
    }
    this.ins("mov qword ptr [rcx], rax", `set! ${v.name}`);
  }

  /** Allocate a closure for lam with its code pointer; rax = the tagged closure. */
  private allocClosure(lam: Lambda): void {
    const size = L.CLOSURE_FREE + 8 * lam.free.length;
    this.ins(
      `mov rax, ${L.HEAP_POINTER_REGISTER}`,
      `allocate a closure for ${lam.name ?? "a lambda"} (${size} bytes)`,
    );
    this.ins(`add ${L.HEAP_POINTER_REGISTER}, ${size}`);
    this.ins(`cmp ${L.HEAP_POINTER_REGISTER}, ${L.HEAP_LIMIT_REGISTER}`);
    this.ins(`ja ${this.pc.heapStub()}`);
    this.ins(
      `mov qword ptr [rax], ${hex(((1 + lam.free.length) << L.HEADER_KIND_BITS) | L.Kind.closure)}`,
      "header: field count, kind closure",
    );
    this.ins(`lea rcx, [rip + ${lam.label}]`);
    this.ins(`mov qword ptr [rax + ${L.CLOSURE_CODE}], rcx`, "code pointer");
    this.ins(`or rax, ${L.Tag.vectorLike}`, "tag it");
  }

  /** Store lam's free variables into the closure in `reg` (tagged). */
  private fillClosure(lam: Lambda, reg: string): void {
    lam.free.forEach((v, i) => {
      const loc = this.location(v);
      // Capture the variable itself: its box when boxed, else its value.
      if (loc.kind === "frame") this.ins(`mov rcx, ${this.operand(loc)}`, `capture ${v.name}`);
      else {
        this.ins("mov rcx, qword ptr [rbp - 8]", "our closure");
        this.ins(
          `mov rcx, qword ptr [rcx + ${L.CLOSURE_FREE + 8 * loc.index - L.Tag.vectorLike}]`,
          `capture ${v.name}`,
        );
      }
      this.ins(`mov qword ptr [${reg} + ${L.CLOSURE_FREE + 8 * i - L.Tag.vectorLike}], rcx`);
    });
  }

  /** Jump to falseLabel when e is #f; fall through otherwise. */
  test(e: Expr, falseLabel: string): void {
    this.withSpan(e, () => {
      if (e.kind === "prim" && compileInlinePrimitive(this, e, falseLabel)) return;
      this.expr(e, false);
      this.ins(`cmp rax, ${hex(L.FALSE)}`, "#f?");
      this.ins(`je ${falseLabel}`);
    });
  }

  // ---------------------------------------------------------------- calls

  private call(e: Extract<Expr, { kind: "app" }>, tail: boolean): void {
    const n = e.args.length;
    const known = e.fn.kind === "gref" && e.fn.g.procedure ? e.fn.g.procedure : undefined;
    const who = e.fn.kind === "gref" ? e.fn.g.name : e.fn.kind === "ref" ? e.fn.v.name : "the procedure";
    if (n) this.out.comment(`push the ${n} argument${n === 1 ? "" : "s"}, last first (Scheme convention)`);
    for (let i = n - 1; i >= 0; i--) {
      const arg = e.args[i];
      if (this.isSimple(arg)) {
        this.loadSimple(arg, "rax");
      } else {
        this.expr(arg, false);
      }
      this.push("rax", `argument ${i + 1}`);
    }
    if (known) {
      this.ins(
        `lea rbx, [rip + ${known.label}_closure + ${L.Tag.vectorLike}]`,
        `rbx = the closure of ${who}`,
      );
    } else {
      this.expr(e.fn, false);
      this.ins("mov rbx, rax", `rbx = the closure of ${who}`);
      this.checkProcedure("rbx");
    }
    if (tail && this.lambda) {
      this.tailCall(n, known?.label);
      return;
    }
    this.ins(`mov eax, ${n}`, "rax = the argument count");
    if (known) this.ins(`call ${known.label}`);
    else this.ins(`call qword ptr [rbx + ${L.CLOSURE_CODE - L.Tag.vectorLike}]`, "call the closure's code");
    this.depth -= n; // the callee popped its arguments
    if (tail) this.ret();
  }

  /** `(apply f list)`: push the list's elements as the arguments; the count is known only at run time. */
  private apply(e: Extract<Expr, { kind: "apply" }>, tail: boolean): void {
    this.expr(e.list, false);
    this.push("rax", "the argument list");
    this.expr(e.fn, false);
    this.ins("mov rbx, rax", "rbx = the closure to apply");
    this.checkProcedure("rbx");
    this.pop("rsi", "rsi = the argument list");
    const count = this.pc.newLabel("apply_count");
    const counted = this.pc.newLabel("apply_counted");
    const fill = this.pc.newLabel("apply_fill");
    const filled = this.pc.newLabel("apply_filled");
    const notList = this.pc.typeErrorStub("apply", "a proper list", "rsi");
    this.ins("xor ecx, ecx", "rcx = the length");
    this.ins("mov rdx, rsi");
    this.out.label(count);
    this.ins(`cmp rdx, ${hex(L.NIL)}`);
    this.ins(`je ${counted}`);
    this.ins("mov eax, edx");
    this.ins("and eax, 7");
    this.ins(`cmp eax, ${L.Tag.pair}`);
    this.ins(`jne ${notList}`);
    this.ins(`mov rdx, qword ptr [rdx + ${L.PAIR_CDR - L.Tag.pair}]`);
    this.ins("inc rcx");
    this.ins(`jmp ${count}`);
    this.out.label(counted);
    this.ins("lea rdx, [rcx*8]");
    this.ins("sub rsp, rdx", "room for the arguments; element i goes to [rsp + 8*i]");
    this.ins("xor edx, edx");
    this.out.label(fill);
    this.ins(`cmp rsi, ${hex(L.NIL)}`);
    this.ins(`je ${filled}`);
    this.ins(`mov rax, qword ptr [rsi - ${L.Tag.pair}]`);
    this.ins("mov qword ptr [rsp + rdx*8], rax");
    this.ins(`mov rsi, qword ptr [rsi + ${L.PAIR_CDR - L.Tag.pair}]`);
    this.ins("inc rdx");
    this.ins(`jmp ${fill}`);
    this.out.label(filled);
    if (tail && this.lambda) {
      const n = this.incoming;
      const copy = this.pc.newLabel("apply_copy");
      const copied = this.pc.newLabel("apply_copied");
      this.out.comment("tail call with a run-time argument count: move the arguments over our own");
      this.ins("mov r8, qword ptr [rbp + 8]", "our return address");
      this.ins("mov r9, qword ptr [rbp]", "our caller's rbp");
      this.ins(`lea rdi, [rbp + ${16 + 8 * n}]`, "the end of our argument area");
      this.ins("lea rax, [rdx*8]");
      this.ins("sub rdi, rax", "minus the new arguments' size: where they go");
      this.out.label(copy);
      this.ins("test rdx, rdx");
      this.ins(`jz ${copied}`);
      this.ins("dec rdx");
      this.ins("mov rax, qword ptr [rsp + rdx*8]");
      this.ins("mov qword ptr [rdi + rdx*8], rax");
      this.ins(`jmp ${copy}`);
      this.out.label(copied);
      this.ins("lea rsp, [rdi - 8]");
      this.ins("mov qword ptr [rsp], r8", "the return address goes under the arguments");
      this.ins("mov rbp, r9");
      this.ins("mov rax, rcx", "rax = the argument count");
      this.ins(`jmp qword ptr [rbx + ${L.CLOSURE_CODE - L.Tag.vectorLike}]`);
      return;
    }
    this.ins("mov rax, rcx", "rax = the argument count");
    this.ins(`call qword ptr [rbx + ${L.CLOSURE_CODE - L.Tag.vectorLike}]`, "the callee pops them all");
    if (tail) this.ret();
  }

  private checkProcedure(reg: string): void {
    const fail = this.pc.stub("not_procedure", (w) => {
      w.ins("mov rdi, rbx", "the value that was called");
      this.pc.alignForNoReturn(w);
      w.ins("call rt_not_procedure");
    });
    this.ins(`mov eax, ${reg32(reg)}`);
    this.ins(`and eax, ${L.TAG_MASK}`);
    this.ins(`cmp eax, ${L.Tag.vectorLike}`, "a procedure?");
    this.ins(`jne ${fail}`);
    this.ins(`cmp byte ptr [${reg} - ${L.Tag.vectorLike}], ${L.Kind.closure}`);
    this.ins(`jne ${fail}`);
  }

  /**
   * A proper tail call: move the new arguments over our own incoming argument area,
   * put our return address under them, restore the caller's rbp and jump.
   */
  private tailCall(m: number, knownLabel: string | undefined): void {
    const n = this.incoming;
    const base = 16 + 8 * n - 8 * m;
    this.out.comment(
      `tail call: reuse our frame (${n} incoming argument slot${n === 1 ? "" : "s"}, ${m} outgoing)`,
    );
    this.ins("mov rcx, qword ptr [rbp + 8]", "our return address");
    this.ins("mov rdx, qword ptr [rbp]", "our caller's rbp");
    for (let i = m - 1; i >= 0; i--) {
      this.ins(`mov rax, qword ptr [rsp + ${8 * i}]`, `argument ${i + 1}`);
      this.ins(`mov qword ptr [rbp ${base + 8 * i < 0 ? "-" : "+"} ${Math.abs(base + 8 * i)}], rax`);
    }
    const ra = base - 8;
    this.ins(`lea rsp, [rbp ${ra < 0 ? "-" : "+"} ${Math.abs(ra)}]`);
    this.ins("mov qword ptr [rsp], rcx", "the return address goes under the arguments");
    this.ins("mov rbp, rdx");
    this.ins(`mov eax, ${m}`, "rax = the argument count");
    if (knownLabel) this.ins(`jmp ${knownLabel}`);
    else this.ins(`jmp qword ptr [rbx + ${L.CLOSURE_CODE - L.Tag.vectorLike}]`, "jump to the closure's code");
    this.depth -= m;
  }

  /**
   * A System V call into runtime-rs. Arguments that need computing are evaluated first and
   * pushed; then each goes to its register (rdi, rsi, ...), simple ones loaded directly.
   */
  runtimeCall(symbol: string, args: Expr[], comment?: string): void {
    if (args.length > ARG_REGISTERS.length) throw new Error("internal error: too many runtime arguments");
    const complex = args.map((a) => !this.isSimple(a));
    const last = complex.lastIndexOf(true);
    args.forEach((a, i) => {
      if (!complex[i]) return;
      this.expr(a, false);
      if (i === last) this.ins(`mov ${ARG_REGISTERS[i]}, rax`, `argument ${i + 1} of ${symbol}`);
      else this.push("rax", `argument ${i + 1} of ${symbol}, for later`);
    });
    for (let i = args.length - 1; i >= 0; i--) {
      if (complex[i] && i !== last) this.pop(ARG_REGISTERS[i], `argument ${i + 1}`);
      else if (!complex[i]) this.loadSimple(args[i], ARG_REGISTERS[i]);
    }
    this.systemVCall(symbol, comment);
  }

  /** `call symbol`, padding rsp to a multiple of 16 first when our pushes left it off by 8. */
  systemVCall(symbol: string, comment?: string): void {
    if (this.depth % 2 === 1 && this.align) {
      this.ins("sub rsp, 8", "align: rsp must be a multiple of 16 at a System V call");
      this.ins(`call ${symbol}`, comment);
      this.ins("add rsp, 8");
    } else {
      this.ins(`call ${symbol}`, comment);
    }
  }

  private primitive(e: Extract<Expr, { kind: "prim" }>): void {
    if (isInlinePrimitive(e.name)) {
      compileInlinePrimitive(this, e, undefined);
      return;
    }
    const rt = RUNTIME_PRIMITIVES[e.name];
    if (rt) {
      const args = [...e.args];
      for (let i = args.length; i < rt.arity; i++) {
        const def = rt.defaults?.[i - (rt.arity - (rt.defaults?.length ?? 0))];
        if (def) args.push({ kind: "prim", name: def, args: [], loc: e.loc, source: e.source });
        else if (e.name === "exit") args.push(constExpr(e, { kind: "integer", value: 0n, loc: e.loc }));
        else if (e.name === "make-string") args.push(constExpr(e, { kind: "char", value: 32, loc: e.loc }));
        else throw new Error(`internal error: missing argument for ${e.name}`);
      }
      this.runtimeCall(rt.symbol, args, `(${e.name} ...) in runtime-rs`);
      return;
    }
    switch (e.name) {
      case "string-append": {
        if (e.args.length === 0) {
          this.loadConstant({ kind: "string", value: "", loc: e.loc }, "rax");
          return;
        }
        const empty = constExpr(e, { kind: "string", value: "", loc: e.loc });
        let acc: Expr = {
          kind: "prim",
          name: "%string-append2",
          args: [e.args[0], e.args[1] ?? empty],
          loc: e.loc,
          source: e.source,
        };
        for (const more of e.args.slice(2))
          acc = { kind: "prim", name: "%string-append2", args: [acc, more], loc: e.loc, source: e.source };
        this.expr(acc, false);
        return;
      }
      case "%string-append2":
        this.runtimeCall("rt_string_append", e.args);
        return;
      case "list":
        this.expr(this.listOf(e, e.args), false);
        return;
      case "eof-object":
        this.ins(`mov eax, ${hex(L.EOF)}`, "the eof object");
        return;
      case "error": {
        const [first, second] = e.args;
        const rest = e.args.slice(2);
        const irritants = this.listOf(e, rest);
        const secondArg = second ?? constExpr(e, { kind: "symbol", name: "#<unspecified>", loc: e.loc });
        this.runtimeCall("rt_error", [first, secondArg, irritants], "(error ...) never returns");
        return;
      }
    }
    this.pc.fail(`${e.name} is not supported yet`, e.source);
  }

  /** An expression building a fresh list of exprs (with cons). */
  private listOf(e: Expr, items: Expr[]): Expr {
    let acc: Expr = constExpr(e, { kind: "list", items: [], loc: e.loc });
    for (let i = items.length - 1; i >= 0; i--)
      acc = { kind: "prim", name: "cons", args: [items[i], acc], loc: e.loc, source: e.source };
    return acc;
  }

  /**
   * The translation layer of a typed foreign procedure: untag each argument into its C type,
   * make the System V call, tag the result. Without types (`foreign-call`), values pass as they are.
   */
  private foreignCall(
    symbol: string,
    args: Expr[],
    params: ForeignType[] | undefined,
    result: ForeignType | undefined,
  ): void {
    // Each argument becomes one C word, except string-bytes: a pointer and a length.
    let words = 0;
    args.forEach((a, i) => {
      this.expr(a, false);
      const type = params?.[i] ?? "value";
      this.toC(type, symbol);
      if (type === "string-bytes") {
        this.push("rax", `argument ${i + 1}: the pointer to its UTF-8 bytes`);
        this.push("rcx", `argument ${i + 1}: the byte length`);
        words += 2;
      } else {
        this.push("rax", `argument ${i + 1} as a C ${type}`);
        words += 1;
      }
    });
    for (let i = words - 1; i >= 0; i--) this.pop(ARG_REGISTERS[i]);
    this.systemVCall(symbol, params ? `${symbol}: a C function` : `${symbol}, with tagged values`);
    this.fromC(result ?? "value");
  }

  private toC(type: ForeignType, who: string): void {
    switch (type) {
      case "int":
      case "long":
      case "size":
      case "ssize":
        this.ins("test al, 7", "a fixnum?");
        this.ins(`jne ${this.pc.typeErrorStub(who, "an integer")}`);
        this.ins("sar rax, 3", "untag: the C integer");
        return;
      case "bool":
        this.ins(`cmp rax, ${hex(L.FALSE)}`);
        this.ins("setne al", "C bool: anything but #f is true");
        this.ins("movzx eax, al");
        return;
      case "char":
        this.ins("mov ecx, eax");
        this.ins("and ecx, 7");
        this.ins(`cmp ecx, ${L.Tag.char}`, "a char?");
        this.ins(`jne ${this.pc.typeErrorStub(who, "a character")}`);
        this.ins("shr rax, 3", "untag: the code point");
        return;
      case "string-bytes":
        this.ins("mov ecx, eax");
        this.ins("and ecx, 7");
        this.ins(`cmp ecx, ${L.Tag.string}`, "a string?");
        this.ins(`jne ${this.pc.typeErrorStub(who, "a string")}`);
        this.push("rax", "room for the byte length");
        this.ins("mov rdi, rax");
        this.ins("mov rsi, rsp", "where rt_string_to_utf8 stores the length");
        this.systemVCall("rt_string_to_utf8", "encode the string as UTF-8 bytes");
        this.pop("rcx", "rcx = the byte length; rax = the pointer");
        return;
      case "value":
        return;
      case "void":
        throw new Error("internal error: void argument");
    }
  }

  private fromC(type: ForeignType): void {
    switch (type) {
      case "int":
        this.ins("movsxd rax, eax", "C int is 32 bits: sign-extend");
        this.ins("shl rax, 3", "tag as a fixnum");
        return;
      case "long":
      case "ssize":
      case "size":
        this.ins("shl rax, 3", "tag as a fixnum");
        return;
      case "bool":
        this.ins("test al, al");
        this.ins("setne al");
        this.ins("movzx eax, al");
        this.ins("shl eax, 3");
        this.ins("or eax, 1", "#t or #f");
        return;
      case "char":
        this.ins("mov eax, eax");
        this.ins("shl rax, 3");
        this.ins(`or rax, ${L.Tag.char}`, "tag as a char");
        return;
      case "void":
        this.ins(`mov eax, ${hex(L.UNSPECIFIED)}`, "void: the unspecified value");
        return;
      case "string-bytes":
      case "value":
        return;
    }
  }
}

export function isBoxed(v: Var): boolean {
  return v.assigned && v.captured;
}

export function constExpr(e: Expr, value: Datum): Expr {
  return { kind: "const", value, loc: e.loc, source: e.source };
}

export function reg32(reg: string): string {
  const map: Record<string, string> = {
    rax: "eax",
    rbx: "ebx",
    rcx: "ecx",
    rdx: "edx",
    rsi: "esi",
    rdi: "edi",
    rbp: "ebp",
    rsp: "esp",
  };
  return map[reg] ?? (/^r\d+$/.test(reg) ? `${reg}d` : reg);
}

export type { Global };
