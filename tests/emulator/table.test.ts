/**
 * The instruction table's flag declarations agree with iced-x86's per-encoding flag data, and every
 * declared mnemonic exists. (iced is an independent source: it is generated from the Intel and AMD
 * manuals.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import iced from "iced-x86";
import { INSTRUCTIONS, instrDef } from "../../src/emulator/instructions/table.js";

const { Code, Mnemonic, Instruction, RflagsBits } = iced;

const LETTERS: [string, number][] = [
  ["O", RflagsBits.OF],
  ["S", RflagsBits.SF],
  ["Z", RflagsBits.ZF],
  ["A", RflagsBits.AF],
  ["P", RflagsBits.PF],
  ["C", RflagsBits.CF],
  ["D", RflagsBits.DF],
];
const ALL = LETTERS.reduce((a, [, b]) => a | b, 0);
const toBits = (letters = ""): number =>
  LETTERS.filter(([l]) => letters.includes(l)).reduce((a, [, b]) => a | b, 0);
const toLetters = (bits: number): string =>
  LETTERS.filter(([, b]) => bits & b)
    .map(([l]) => l)
    .join("");

/** The kernel behind `syscall` may change every flag; the instruction itself changes none. */
const KERNEL = new Set(["Syscall"]);
const BMI = new Set(["Andn", "Bextr", "Blsi", "Blsmsk", "Blsr"]);

const codesByMnemonic = new Map<number, number[]>();
for (const v of Object.values(Code)) {
  if (typeof v !== "number") continue;
  const name = Code[v];
  const ins = Instruction.create(v);
  if (name.startsWith("EVEX") || ins.isPrivileged) continue;
  if (name.startsWith("VEX") && !BMI.has(Mnemonic[ins.mnemonic])) continue;
  const list = codesByMnemonic.get(ins.mnemonic) ?? [];
  list.push(v);
  codesByMnemonic.set(ins.mnemonic, list);
}

void test("every table entry names real mnemonics, each exactly once", () => {
  const seen = new Set<number>();
  for (const def of INSTRUCTIONS) {
    assert.ok(def.mnemonics.length > 0);
    for (const m of def.mnemonics) {
      assert.ok(codesByMnemonic.has(m), `no encodings for ${Mnemonic[m]}`);
      assert.ok(!seen.has(m), `${Mnemonic[m]} twice`);
      seen.add(m);
      assert.equal(instrDef(m), def);
    }
  }
  assert.ok(seen.size > 300, `only ${seen.size} mnemonics`);
});

void test("declared flags (read, written, undefined) match iced-x86 for every encoding", () => {
  const problems: string[] = [];
  for (const def of INSTRUCTIONS) {
    for (const m of def.mnemonics) {
      let read = 0;
      let modified = 0;
      let undef = 0;
      for (const c of codesByMnemonic.get(m)!) {
        const ins = Instruction.create(c);
        read |= ins.rflagsRead & ALL;
        modified |= ins.rflagsModified & ALL;
        undef |= ins.rflagsUndefined & ALL;
      }
      const mine = {
        read: toBits(def.reads),
        modified: toBits((def.writes ?? "") + (def.undef ?? "")),
        undef: toBits(def.undef),
      };
      const name = Mnemonic[m];
      if (mine.read !== read)
        problems.push(`${name}: reads ${toLetters(mine.read)}, iced ${toLetters(read)}`);
      if (!KERNEL.has(name) && mine.modified !== modified) {
        problems.push(`${name}: modifies ${toLetters(mine.modified)}, iced ${toLetters(modified)}`);
      }
      if (mine.undef !== undef)
        problems.push(`${name}: undefined ${toLetters(mine.undef)}, iced ${toLetters(undef)}`);
    }
  }
  assert.deepEqual(problems, []);
});
