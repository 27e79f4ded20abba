import * as L from "../values/layout.js";
import type { Datum } from "./datum.js";
import { showDatum } from "./datum.js";
import type { AsmWriter } from "./emitter.js";

/** An operand that yields a constant: an immediate, or a tagged address of static data. */
export type ConstantOperand =
  { kind: "immediate"; value: bigint } | { kind: "address"; label: string; tag: number };

/**
 * Static data for quoted constants (strings, pairs, vectors, symbols), laid out in `.data`
 * with the same layouts runtime-rs reads. Equal strings and symbols share one object.
 */
export class ConstantPool {
  private readonly out: AsmWriter;
  private readonly strings = new Map<string, string>();
  private readonly symbols = new Map<string, string>();
  private counter = 0;
  readonly symbolLabels: string[] = [];

  constructor(out: AsmWriter) {
    this.out = out;
  }

  /** The operand for a constant datum. */
  operand(d: Datum): ConstantOperand {
    switch (d.kind) {
      case "integer":
        return { kind: "immediate", value: BigInt.asUintN(64, d.value << 3n) };
      case "boolean":
        return { kind: "immediate", value: BigInt(d.value ? L.TRUE : L.FALSE) };
      case "char":
        return { kind: "immediate", value: (BigInt(d.value) << BigInt(L.CHAR_SHIFT)) | BigInt(L.Tag.char) };
      case "symbol":
        if (d.name === "#<unspecified>") return { kind: "immediate", value: BigInt(L.UNSPECIFIED) };
        if (d.name === "#<unbound>") return { kind: "immediate", value: BigInt(L.UNBOUND) };
        return { kind: "address", label: this.symbol(d.name), tag: L.Tag.symbol };
      case "string":
        return { kind: "address", label: this.string(d.value), tag: L.Tag.string };
      case "vector":
        return { kind: "address", label: this.vector(d.items), tag: L.Tag.vectorLike };
      case "list":
        if (d.items.length === 0 && !d.tail) return { kind: "immediate", value: BigInt(L.NIL) };
        return { kind: "address", label: this.pair(d.items, d.tail), tag: L.Tag.pair };
    }
  }

  private next(base: string): string {
    return `scm_const_${base}_${this.counter++}`;
  }

  /** `.quad` operand text for a constant inside another constant. */
  private word(d: Datum): string {
    const op = this.operand(d);
    return op.kind === "immediate" ? `0x${op.value.toString(16)}` : `${op.label} + ${op.tag}`;
  }

  string(value: string): string {
    const known = this.strings.get(value);
    if (known) return known;
    const label = this.next("string");
    this.strings.set(value, label);
    const codes = [...value].map((c) => c.codePointAt(0)!);
    this.out.directive(".p2align 3");
    this.out.label(label, `${JSON.stringify(value)}: length, then one 32-bit code point per character`);
    this.out.directive(`.quad ${codes.length}`);
    for (let i = 0; i < codes.length; i += 8) this.out.directive(`.long ${codes.slice(i, i + 8).join(", ")}`);
    if (codes.length % 2 === 1) this.out.directive(".long 0");
    return label;
  }

  symbol(name: string): string {
    const known = this.symbols.get(name);
    if (known) return known;
    const nameLabel = this.string(name);
    const label = this.next("symbol");
    this.symbols.set(name, label);
    this.symbolLabels.push(label);
    this.out.directive(".p2align 3");
    this.out.label(label, `the symbol ${name}`);
    this.out.directive(`.quad ${nameLabel} + ${L.Tag.string}`);
    this.out.directive(".quad 0");
    return label;
  }

  private pair(items: Datum[], tail: Datum | undefined): string {
    // Emit the cells front to back; each cdr points at the next cell.
    const cellWords = items.map((item) => this.word(item));
    const tailWord = tail ? this.word(tail) : `0x${L.NIL.toString(16)}`;
    const base = this.next("pair");
    const text = showDatum({ kind: "list", items, tail, loc: items[0].loc });
    this.out.directive(".p2align 3");
    cellWords.forEach((car, i) => {
      const label = i === 0 ? base : `${base}_${i}`;
      this.out.label(label, i === 0 ? `'${text.length > 50 ? text.slice(0, 47) + "..." : text}` : undefined);
      this.out.directive(`.quad ${car}`);
      this.out.directive(
        `.quad ${i === cellWords.length - 1 ? tailWord : `${base}_${i + 1} + ${L.Tag.pair}`}`,
      );
    });
    return base;
  }

  private vector(items: Datum[]): string {
    const words = items.map((item) => this.word(item));
    const label = this.next("vector");
    this.out.directive(".p2align 3");
    this.out.label(label, `#(...) with ${items.length} element${items.length === 1 ? "" : "s"}`);
    this.out.directive(`.quad ${(items.length << L.HEADER_KIND_BITS) | L.Kind.vector}`);
    for (const w of words) this.out.directive(`.quad ${w}`);
    return label;
  }
}
