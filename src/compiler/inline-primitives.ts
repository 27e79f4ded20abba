import * as L from "../values/layout.js";
import type { Expr } from "./ast.js";
import { constExpr, reg32, type FunctionCompiler } from "./codegen.js";

type Prim = Extract<Expr, { kind: "prim" }>;

const hex = (n: number) => `0x${n.toString(16)}`;

const COMPARISONS: Record<string, { set: string; jumpIfFalse: string }> = {
  "=": { set: "sete", jumpIfFalse: "jne" },
  "<": { set: "setl", jumpIfFalse: "jge" },
  "<=": { set: "setle", jumpIfFalse: "jg" },
  ">": { set: "setg", jumpIfFalse: "jle" },
  ">=": { set: "setge", jumpIfFalse: "jl" },
};

const TYPE_PREDICATES: Record<string, number> = {
  "integer?": L.Tag.fixnum,
  "fixnum?": L.Tag.fixnum,
  "char?": L.Tag.char,
  "pair?": L.Tag.pair,
  "string?": L.Tag.string,
  "symbol?": L.Tag.symbol,
};

const KIND_PREDICATES: Record<string, number> = {
  "vector?": L.Kind.vector,
  "procedure?": L.Kind.closure,
};

const INLINE = new Set([
  "add1",
  "sub1",
  "zero?",
  "null?",
  "not",
  "boolean?",
  "eof-object?",
  "char->integer",
  "integer->char",
  "fxlognot",
  "car",
  "cdr",
  "vector-length",
  "string-length",
  "+",
  "-",
  "*",
  "quotient",
  "remainder",
  "modulo",
  "eq?",
  "eqv?",
  "fxlogand",
  "fxlogor",
  "char=?",
  "char<?",
  "cons",
  "set-car!",
  "set-cdr!",
  "vector-ref",
  "string-ref",
  "vector-set!",
  "string-set!",
  "vector",
  "make-vector",
  ...Object.keys(COMPARISONS),
  ...Object.keys(TYPE_PREDICATES),
  ...Object.keys(KIND_PREDICATES),
]);

export function isInlinePrimitive(name: string): boolean {
  return INLINE.has(name);
}

/**
 * Open-coded primitives. With `falseLabel`, compile a predicate as a branch (jump there when
 * false) and return true; return false when the primitive has no branch form (the caller then
 * compiles it as a value and compares with #f).
 */
export function compileInlinePrimitive(
  fc: FunctionCompiler,
  e: Prim,
  falseLabel: string | undefined,
): boolean {
  return new InlinePrimitive(fc, e, falseLabel).compile();
}

class InlinePrimitive {
  constructor(
    private readonly fc: FunctionCompiler,
    private readonly e: Prim,
    private readonly falseLabel: string | undefined,
  ) {}

  private ins(text: string, comment?: string): void {
    this.fc.ins(text, comment);
  }

  private get who(): string {
    return this.e.name;
  }

  /** rax = the single argument. */
  private unary(): void {
    this.knownFixnums.clear();
    this.fc.expr(this.e.args[0], false);
  }

  /** rax = first argument, rcx = second. */
  private binary(a = this.e.args[0], b = this.e.args[1]): void {
    const fc = this.fc;
    this.knownFixnums.clear();
    if (this.constantFixnum(a) !== undefined) this.knownFixnums.add("rax");
    if (this.constantFixnum(b) !== undefined) this.knownFixnums.add("rcx");
    if (fc.isSimple(b)) {
      fc.expr(a, false);
      fc.loadSimple(b, "rcx");
    } else if (fc.isSimple(a)) {
      fc.expr(b, false);
      this.ins("mov rcx, rax");
      fc.loadSimple(a, "rax");
    } else {
      fc.expr(a, false);
      fc.push("rax", "save the first operand");
      fc.expr(b, false);
      this.ins("mov rcx, rax");
      fc.pop("rax");
    }
  }

  /** rax, rcx, rdx = the three arguments. */
  private ternary(): void {
    const [a, b, c] = this.e.args;
    const fc = this.fc;
    fc.expr(a, false);
    fc.push("rax");
    fc.expr(b, false);
    fc.push("rax");
    fc.expr(c, false);
    this.ins("mov rdx, rax");
    fc.pop("rcx");
    fc.pop("rax");
  }

  private fail(expected: string, reg: string): string {
    return this.fc.pc.typeErrorStub(this.who, expected, reg);
  }

  private checkFixnum(reg: string, expected = "an integer"): void {
    if (this.isKnownFixnum(reg)) return;
    this.ins(`test ${reg8(reg)}, 7`, "a fixnum? (tag 0)");
    this.ins(`jne ${this.fail(expected, reg)}`);
  }

  private knownFixnums = new Set<string>();
  private isKnownFixnum(reg: string): boolean {
    return this.knownFixnums.has(reg);
  }

  private checkTag(reg: string, tag: number, expected: string): void {
    this.ins(`mov r11d, ${reg32(reg)}`);
    this.ins(`and r11d, ${L.TAG_MASK}`);
    this.ins(`cmp r11d, ${tag}`, `${expected}? (tag ${tag})`);
    this.ins(`jne ${this.fail(expected, reg)}`);
  }

  private checkKind(reg: string, kind: number, expected: string): void {
    this.checkTag(reg, L.Tag.vectorLike, expected);
    this.ins(`cmp byte ptr [${reg} - ${L.Tag.vectorLike}], ${kind}`, `header kind ${kind}?`);
    this.ins(`jne ${this.fail(expected, reg)}`);
  }

  /** rax = #t/#f from a condition code, or branch to falseLabel. */
  private condition(set: string, jumpIfFalse: string): boolean {
    if (this.falseLabel) {
      this.ins(`${jumpIfFalse} ${this.falseLabel}`);
      return true;
    }
    this.ins(`${set} al`);
    this.ins("movzx eax, al");
    this.ins("shl eax, 3");
    this.ins(`or eax, ${L.FALSE}`, "#t = 0b1001, #f = 0b0001");
    return true;
  }

  private overflow(): void {
    this.ins(`jo ${this.fc.pc.errorStub(this.who, "result out of fixnum range")}`);
  }

  private alloc(bytes: number | string, into: string, comment: string): void {
    const hp = L.HEAP_POINTER_REGISTER;
    this.ins(`mov ${into}, ${hp}`, comment);
    this.ins(`add ${hp}, ${bytes}`);
    if (typeof bytes === "string") this.ins(`jc ${this.fc.pc.heapStub()}`);
    this.ins(`cmp ${hp}, ${L.HEAP_LIMIT_REGISTER}`, "heap full?");
    this.ins(`ja ${this.fc.pc.heapStub()}`);
  }

  private constantFixnum(x: Expr): bigint | undefined {
    return x.kind === "const" && x.value.kind === "integer" ? x.value.value : undefined;
  }

  compile(): boolean {
    const e = this.e;
    const name = e.name;
    const args = e.args;
    if (this.falseLabel && !this.isPredicate()) return false;

    if (name in COMPARISONS) {
      if (args.length === 1) {
        this.unary();
        this.checkFixnum("rax", "a number");
        if (this.falseLabel) return true;
        this.ins(`mov eax, ${hex(L.TRUE)}`);
        return true;
      }
      if (args.length > 2) return this.chainedComparison();
      this.binary();
      this.checkFixnum("rax", "a number");
      this.checkFixnum("rcx", "a number");
      this.ins("cmp rax, rcx");
      const c = COMPARISONS[name];
      return this.condition(c.set, c.jumpIfFalse);
    }
    if (name in TYPE_PREDICATES) {
      this.unary();
      this.ins("and eax, 7", "the tag");
      this.ins(`cmp eax, ${TYPE_PREDICATES[name]}`);
      return this.condition("sete", "jne");
    }
    if (name in KIND_PREDICATES) {
      const no = this.fc.pc.newLabel("not_kind");
      this.unary();
      this.ins("mov ecx, eax");
      this.ins("and ecx, 7");
      this.ins(`cmp ecx, ${L.Tag.vectorLike}`, "tag 7?");
      this.ins(`jne ${this.falseLabel ?? no}`);
      this.ins(`cmp byte ptr [rax - ${L.Tag.vectorLike}], ${KIND_PREDICATES[name]}`, "and the right kind?");
      if (this.falseLabel) return this.condition("sete", "jne");
      this.fc.out.label(no);
      return this.condition("sete", "jne");
    }

    switch (name) {
      case "not":
        this.unary();
        this.ins(`cmp rax, ${hex(L.FALSE)}`);
        return this.condition("sete", "jne");
      case "null?":
        this.unary();
        this.ins(`cmp rax, ${hex(L.NIL)}`, "()?");
        return this.condition("sete", "jne");
      case "eof-object?":
        this.unary();
        this.ins(`cmp rax, ${hex(L.EOF)}`, "the eof object?");
        return this.condition("sete", "jne");
      case "boolean?":
        this.unary();
        this.ins(`and eax, ${hex(~(1 << L.BOOL_BIT) & 0xff)}`, "#t and #f differ only in bit 3");
        this.ins(`cmp eax, ${hex(L.FALSE)}`);
        return this.condition("sete", "jne");
      case "zero?":
        this.unary();
        this.checkFixnum("rax", "a number");
        this.ins("test rax, rax");
        return this.condition("sete", "jne");
      case "eq?":
      case "eqv?":
      case "char=?":
      case "char<?":
        this.binary();
        if (name.startsWith("char")) {
          this.checkTag("rax", L.Tag.char, "a character");
          this.checkTag("rcx", L.Tag.char, "a character");
        }
        this.ins("cmp rax, rcx");
        return name === "char<?" ? this.condition("setb", "jae") : this.condition("sete", "jne");
      case "add1":
      case "sub1":
        this.unary();
        this.checkFixnum("rax", "a number");
        this.ins(
          `${name === "add1" ? "add" : "sub"} rax, 8`,
          `${name === "add1" ? "+" : "-"} 1 (as a fixnum: 1 << 3)`,
        );
        this.overflow();
        return true;
      case "+":
      case "-":
      case "*":
        return this.arithmetic();
      case "fxlogand":
      case "fxlogor":
        this.binary();
        this.checkFixnum("rax");
        this.checkFixnum("rcx");
        this.ins(`${name === "fxlogand" ? "and" : "or"} rax, rcx`, "tags are 0: the result is a fixnum");
        return true;
      case "fxlognot":
        this.unary();
        this.checkFixnum("rax");
        this.ins("not rax");
        this.ins("and rax, -8", "clear the tag bits");
        return true;
      case "quotient":
      case "remainder":
      case "modulo":
        return this.division();
      case "char->integer":
        this.unary();
        this.checkTag("rax", L.Tag.char, "a character");
        this.ins(`sub rax, ${L.Tag.char}`, "code << 3 | 2  →  code << 3");
        return true;
      case "integer->char": {
        this.unary();
        this.checkFixnum("rax");
        const bad = this.fail("a Unicode scalar value", "rax");
        this.ins(`cmp rax, ${hex(0x10ffff << 3)}`);
        this.ins(`ja ${bad}`, "negative or above #x10FFFF");
        this.ins("mov rcx, rax");
        this.ins(`sub rcx, ${hex(0xd800 << 3)}`);
        this.ins(`cmp rcx, ${hex(0x800 << 3)}`);
        this.ins(`jb ${bad}`, "a surrogate");
        this.ins(`or rax, ${L.Tag.char}`, "n << 3  →  n << 3 | 2");
        return true;
      }
      case "car":
      case "cdr":
        this.unary();
        this.checkTag("rax", L.Tag.pair, "a pair");
        this.ins(
          `mov rax, qword ptr [rax ${name === "car" ? `- ${L.Tag.pair}` : `+ ${L.PAIR_CDR - L.Tag.pair}`}]`,
          name,
        );
        return true;
      case "set-car!":
      case "set-cdr!":
        this.binary();
        this.checkTag("rax", L.Tag.pair, "a pair");
        this.ins(
          `mov qword ptr [rax ${name === "set-car!" ? `- ${L.Tag.pair}` : `+ ${L.PAIR_CDR - L.Tag.pair}`}], rcx`,
        );
        this.ins(`mov eax, ${hex(L.UNSPECIFIED)}`);
        return true;
      case "cons":
        this.binary();
        this.alloc(L.PAIR_SIZE, "rdx", "allocate a pair (16 bytes)");
        this.ins(`mov qword ptr [rdx + ${L.PAIR_CAR}], rax`, "car");
        this.ins(`mov qword ptr [rdx + ${L.PAIR_CDR}], rcx`, "cdr");
        this.ins(`lea rax, [rdx + ${L.Tag.pair}]`, "tag it");
        return true;
      case "vector-length":
        this.unary();
        this.checkKind("rax", L.Kind.vector, "a vector");
        this.ins(`mov rax, qword ptr [rax - ${L.Tag.vectorLike}]`, "the header");
        this.ins(`shr rax, ${L.HEADER_KIND_BITS - L.FIXNUM_SHIFT}`, "length << 8  →  length << 3");
        return true;
      case "string-length":
        this.unary();
        this.checkTag("rax", L.Tag.string, "a string");
        this.ins(`mov rax, qword ptr [rax - ${L.Tag.string}]`, "the length");
        this.ins("shl rax, 3", "as a fixnum");
        return true;
      case "vector-ref":
        this.binary();
        this.vectorIndex();
        this.ins(
          `mov rax, qword ptr [rax + rcx + ${L.VECTOR_DATA - L.Tag.vectorLike}]`,
          "index << 3 is the byte offset",
        );
        return true;
      case "vector-set!":
        this.ternary();
        this.vectorIndex();
        this.ins(`mov qword ptr [rax + rcx + ${L.VECTOR_DATA - L.Tag.vectorLike}], rdx`);
        this.ins(`mov eax, ${hex(L.UNSPECIFIED)}`);
        return true;
      case "string-ref":
        this.binary();
        this.stringIndex();
        this.ins(`mov eax, dword ptr [rax + rcx + ${L.STRING_DATA - L.Tag.string}]`, "the code point");
        this.ins("shl rax, 3");
        this.ins(`or rax, ${L.Tag.char}`, "as a char");
        return true;
      case "string-set!":
        this.ternary();
        this.checkTag("rdx", L.Tag.char, "a character");
        this.stringIndex();
        this.ins("shr rdx, 3", "the code point");
        this.ins(`mov dword ptr [rax + rcx + ${L.STRING_DATA - L.Tag.string}], edx`);
        this.ins(`mov eax, ${hex(L.UNSPECIFIED)}`);
        return true;
      case "vector":
        return this.vectorLiteral();
      case "make-vector":
        return this.makeVector();
    }
    throw new Error(`internal error: no inline code for ${name}`);
  }

  private isPredicate(): boolean {
    const n = this.e.name;
    return (
      (n in COMPARISONS && this.e.args.length === 2) ||
      n in TYPE_PREDICATES ||
      n in KIND_PREDICATES ||
      ["not", "null?", "eof-object?", "boolean?", "zero?", "eq?", "eqv?", "char=?", "char<?"].includes(n)
    );
  }

  /** rax = vector, rcx = fixnum index, checked against the length. */
  private vectorIndex(): void {
    this.checkKind("rax", L.Kind.vector, "a vector");
    this.checkFixnum("rcx", "an index");
    this.ins(`mov r11, qword ptr [rax - ${L.Tag.vectorLike}]`, "the header: length << 8 | kind");
    this.ins(`shr r11, ${L.HEADER_KIND_BITS - L.FIXNUM_SHIFT}`, "length << 3, like the index");
    this.ins("cmp rcx, r11", "index < length? (unsigned: negative indexes fail too)");
    this.ins(`jae ${this.fail("an index in range", "rcx")}`);
  }

  /** rax = string, rcx = fixnum index → rcx = byte offset of the code point. */
  private stringIndex(): void {
    this.checkTag("rax", L.Tag.string, "a string");
    this.checkFixnum("rcx", "an index");
    this.ins(`mov r11, qword ptr [rax - ${L.Tag.string}]`, "the length");
    this.ins("shl r11, 3");
    this.ins("cmp rcx, r11", "index < length? (unsigned: negative indexes fail too)");
    this.ins(`jae ${this.fail("an index in range", "rcx")}`);
    this.ins("shr rcx, 1", "index << 3  →  index * 4 (bytes per code point)");
  }

  private arithmetic(): boolean {
    const e = this.e;
    const args = e.args;
    const zero = constExpr(e, { kind: "integer", value: e.name === "*" ? 1n : 0n, loc: e.loc });
    if (args.length === 0) {
      this.fc.loadConstant(zero.kind === "const" ? zero.value : zero.source, "rax");
      return true;
    }
    if (args.length === 1) {
      if (e.name === "-") return this.sub(zero, args[0]);
      this.unary();
      this.checkFixnum("rax", "a number");
      return true;
    }
    if (args.length > 2) {
      // (+ a b c) = (+ (+ a b) c)
      let acc: Expr = { ...e, args: args.slice(0, 2) };
      for (const more of args.slice(2)) acc = { ...e, args: [acc, more] };
      this.fc.expr(acc, false);
      return true;
    }
    if (e.name === "-") return this.sub(args[0], args[1]);
    this.binary();
    this.checkFixnum("rax", "a number");
    this.checkFixnum("rcx", "a number");
    if (e.name === "+") {
      this.ins("add rax, rcx", "(a << 3) + (b << 3) = (a + b) << 3");
    } else {
      this.ins("sar rax, 3", "untag one operand");
      this.ins("imul rax, rcx", "a * (b << 3) = (a * b) << 3");
    }
    this.overflow();
    return true;
  }

  private sub(a: Expr, b: Expr): boolean {
    this.binary(a, b);
    this.checkFixnum("rax", "a number");
    this.checkFixnum("rcx", "a number");
    this.ins("sub rax, rcx");
    this.overflow();
    return true;
  }

  private division(): boolean {
    const name = this.e.name;
    this.binary();
    this.checkFixnum("rax");
    this.checkFixnum("rcx");
    this.ins("test rcx, rcx");
    this.ins(`je ${this.fc.pc.errorStub(name, "division by zero")}`);
    this.ins("cqo", "sign-extend rax into rdx:rax");
    this.ins("idiv rcx", "(a << 3) / (b << 3): quotient a / b, remainder (a % b) << 3");
    if (name === "quotient") {
      this.ins("imul rax, rax, 8", "tag the quotient");
      this.overflow();
      return true;
    }
    if (name === "modulo") {
      const done = this.fc.pc.newLabel("modulo_done");
      this.ins("test rdx, rdx");
      this.ins(`je ${done}`);
      this.ins("mov rax, rdx");
      this.ins("xor rax, rcx", "modulo takes the sign of the divisor");
      this.ins(`jns ${done}`);
      this.ins("add rdx, rcx");
      this.fc.out.label(done);
    }
    this.ins("mov rax, rdx", "the remainder, already tagged");
    return true;
  }

  private chainedComparison(): boolean {
    const e = this.e;
    const n = e.args.length;
    const fc = this.fc;
    e.args.forEach((a, i) => {
      fc.expr(a, false);
      this.checkFixnum("rax", "a number");
      fc.push("rax", `operand ${i + 1}`);
    });
    const no = fc.pc.newLabel("cmp_false");
    const done = fc.pc.newLabel("cmp_done");
    const c = COMPARISONS[e.name];
    for (let i = 0; i < n - 1; i++) {
      this.ins(`mov rax, qword ptr [rsp + ${8 * (n - 1 - i)}]`);
      this.ins(`cmp rax, qword ptr [rsp + ${8 * (n - 2 - i)}]`);
      this.ins(`${c.jumpIfFalse} ${no}`);
    }
    this.ins(`mov eax, ${hex(L.TRUE)}`);
    this.ins(`jmp ${done}`);
    fc.out.label(no);
    this.ins(`mov eax, ${hex(L.FALSE)}`);
    fc.out.label(done);
    this.ins(`add rsp, ${8 * n}`, "drop the operands");
    fc.depth -= n;
    return true;
  }

  private vectorLiteral(): boolean {
    const fc = this.fc;
    const args = this.e.args;
    args.forEach((a, i) => {
      fc.expr(a, false);
      fc.push("rax", `element ${i}`);
    });
    const size = L.VECTOR_DATA + 8 * args.length;
    this.alloc(size, "rdx", `allocate a vector of ${args.length} (${size} bytes)`);
    this.ins(`mov qword ptr [rdx], ${hex((args.length << L.HEADER_KIND_BITS) | L.Kind.vector)}`, "header");
    for (let i = args.length - 1; i >= 0; i--) {
      fc.pop("rax");
      this.ins(`mov qword ptr [rdx + ${L.VECTOR_DATA + 8 * i}], rax`);
    }
    this.ins(`lea rax, [rdx + ${L.Tag.vectorLike}]`, "tag it");
    return true;
  }

  private makeVector(): boolean {
    const fc = this.fc;
    const [k, fill] = this.e.args;
    this.binary(k, fill ?? constExpr(this.e, { kind: "integer", value: 0n, loc: this.e.loc }));
    this.checkFixnum("rax", "a length");
    this.ins("test rax, rax");
    this.ins(`js ${this.fail("a non-negative length", "rax")}`);
    this.ins(`lea rsi, [rax + ${L.VECTOR_DATA}]`, "bytes: header + 8 per element (k << 3 = 8k)");
    this.alloc("rsi", "rdx", "allocate the vector");
    this.ins("shl rax, 5", "k << 3  →  k << 8: the header, kind 0");
    this.ins("mov qword ptr [rdx], rax");
    const loop = fc.pc.newLabel("fill");
    const done = fc.pc.newLabel("filled");
    this.ins(`lea rdi, [rdx + ${L.VECTOR_DATA}]`);
    this.ins("add rsi, rdx", "the end");
    fc.out.label(loop);
    this.ins("cmp rdi, rsi");
    this.ins(`jae ${done}`);
    this.ins("mov qword ptr [rdi], rcx", "fill");
    this.ins("add rdi, 8");
    this.ins(`jmp ${loop}`);
    fc.out.label(done);
    this.ins(`lea rax, [rdx + ${L.Tag.vectorLike}]`, "tag it");
    return true;
  }
}

function reg8(reg: string): string {
  const map: Record<string, string> = { rax: "al", rbx: "bl", rcx: "cl", rdx: "dl", rsi: "sil", rdi: "dil" };
  return map[reg] ?? `${reg}b`;
}
