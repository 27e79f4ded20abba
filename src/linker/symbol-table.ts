/**
 * The global symbol table: one definition per name, with the usual rules. Two strong
 * definitions are an error; a strong definition beats a weak one and a common one; of two
 * commons the larger wins; of two weak ones the first.
 */
import { LinkError } from "./bytes.js";
import { ELF, type ObjectSymbol } from "./elf-object.js";
import type { InputObject } from "./inputs.js";

export type Definition =
  /** Defined in a section of an object, or absolute (SHN_ABS). */
  | { kind: "object"; input: InputObject; symbol: ObjectSymbol; weak: boolean }
  /** A common symbol (`int x;` with -fcommon): zeros in bss, allocated by the linker. */
  | { kind: "common"; input: InputObject; symbol: ObjectSymbol; size: number; align: number }
  /** A global label of the assembled program. */
  | { kind: "program"; file: string }
  /** Made by the linker (`_GLOBAL_OFFSET_TABLE_`, `_end`, ...). */
  | { kind: "linker" };

export function originOf(d: Definition): string {
  switch (d.kind) {
    case "object":
    case "common":
      return d.input.file.name;
    case "program":
      return d.file;
    case "linker":
      return "the linker";
  }
}

const strength = (d: Definition): number => (d.kind === "object" && d.weak ? 0 : d.kind === "common" ? 1 : 2);

export class SymbolTable {
  readonly definitions = new Map<string, Definition>();

  get(name: string): Definition | undefined {
    return this.definitions.get(name);
  }

  define(name: string, d: Definition): void {
    const prior = this.definitions.get(name);
    if (!prior) {
      this.definitions.set(name, d);
      return;
    }
    const a = strength(prior);
    const b = strength(d);
    if (a === 2 && b === 2)
      throw new LinkError(
        `duplicate symbol \`${name}\`: defined in ${originOf(prior)} and in ${originOf(d)}`,
      );
    if (a === 1 && b === 1 && prior.kind === "common" && d.kind === "common") {
      if (d.size > prior.size) this.definitions.set(name, { ...d, align: Math.max(d.align, prior.align) });
      else prior.align = Math.max(prior.align, d.align);
      return;
    }
    if (b > a) this.definitions.set(name, d);
  }

  /** Enters an object's global definitions (skipping those in discarded COMDAT sections). */
  addObject(input: InputObject): void {
    for (const symbol of input.file.symbols) {
      if (symbol.bind === ELF.STB_LOCAL || symbol.name === "" || symbol.section === ELF.SHN_UNDEF) continue;
      if (symbol.type === ELF.STT_SECTION || symbol.type === ELF.STT_FILE) continue;
      if (input.discarded.has(symbol.section)) continue;
      if (symbol.section === ELF.SHN_COMMON)
        this.define(symbol.name, {
          kind: "common",
          input,
          symbol,
          size: symbol.size,
          align: Math.max(1, symbol.value),
        });
      else this.define(symbol.name, { kind: "object", input, symbol, weak: symbol.bind === ELF.STB_WEAK });
    }
  }
}
