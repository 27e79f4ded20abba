/**
 * iced Mnemonic names and values at run time (the Mnemonic enum is a const enum, compiled in):
 * from iced-enums.ts's MNEMONIC_NAMES, split on first use.
 */
import { MNEMONIC_NAMES, type Mnemonic } from "./iced-enums.js";

let names: string[] | undefined;
let values: Map<string, Mnemonic> | undefined;

/** The name of a Mnemonic value ("Add"), or undefined. */
export function mnemonicName(m: Mnemonic): string | undefined {
  names ??= MNEMONIC_NAMES.split(" ");
  return names[m];
}

/** The Mnemonic value of a name, or undefined. */
export function mnemonicValue(name: string): Mnemonic | undefined {
  names ??= MNEMONIC_NAMES.split(" ");
  values ??= new Map(names.map((n, i) => [n, i]));
  return values.get(name);
}
