/**
 * src/emulator/iced-enums.ts is iced-x86's enums as they are in the installed iced (regenerate it
 * with `node --import tsx scripts/gen-iced-enums.ts` after updating iced).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import iced from "iced-x86";
import { COPIED, generate, ICED_ENUMS_TS, members } from "../../scripts/gen-iced-enums.js";
import { Mnemonic } from "../../src/emulator/iced-enums.js";
import { mnemonicName, mnemonicValue } from "../../src/emulator/mnemonics.js";

void test("iced-enums.ts is what scripts/gen-iced-enums.ts makes of the installed iced-x86", () => {
  assert.equal(readFileSync(ICED_ENUMS_TS, "utf8"), generate());
});

void test("the copied enums have iced's members and values", () => {
  const text = readFileSync(ICED_ENUMS_TS, "utf8");
  for (const name of COPIED) {
    const body = new RegExp(`enum ${name} \\{\\n([^}]*)\\}`).exec(text);
    assert.ok(body, name);
    const copied = [...body[1].matchAll(/^ {2}(\w+) = (\d+),$/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(copied, members(name), name);
    assert.ok(copied.length > 0, name);
  }
  // Mnemonics are also looked up by name and value at run time.
  assert.equal(Mnemonic.Add, iced.Mnemonic.Add);
  for (const [name, value] of members("Mnemonic")) {
    assert.equal(mnemonicValue(name), value);
    assert.equal(mnemonicName(value), name);
  }
  assert.equal(mnemonicValue("Nonesuch"), undefined);
});
