/**
 * Every instruction the compiler and runtime-rs produce is in the instruction table (in a form the
 * table supports) and was differentially tested against the CPU: the .text of every member of
 * runtime-rs/dist/libabi_runtime.a (read with the project's archive/ELF reader) and the linked
 * image of every tests/programs/*.scm, decoded with iced-x86, Code by Code.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import iced from "iced-x86";
import { buildOp, instrDef } from "../../src/emulator/instructions/table.js";
import { decodedFromIced } from "../../src/emulator/iced-decoder.js";
import { unsupported } from "../../src/emulator/instructions/def.js";
import { readArchive } from "../../src/linker/index.js";
import { loadProgram } from "../../src/pipeline/load-program.js";
import { DOC, ROOT, parseDocCodes } from "./coverage.js";

const { Code, Decoder, DecoderOptions } = iced;

/**
 * Encodings that are in the table but not compared with the CPU, and why (see also
 * NOT_DIFFERENTIAL in coverage-doc.test.ts).
 */
const EXCEPTIONS: Record<string, string> = {
  Syscall: "enters the kernel; the emulated kernel is tested by tests/syscalls and the program suites",
  Ud2: "raises #UD by definition (the runtime's abort path); the SIGILL report is tested in tests/e2e",
};

interface Use {
  code: number;
  where: string;
  bytes: Uint8Array;
}

function decode(bytes: Uint8Array, ip: number, where: string, uses: Map<number, Use>): void {
  const d = new Decoder(64, bytes, DecoderOptions.None);
  d.ip = BigInt(ip);
  const ins = new iced.Instruction();
  let offset = 0;
  while (d.canDecode) {
    d.decodeOut(ins);
    if (!uses.has(ins.code))
      uses.set(ins.code, { code: ins.code, where, bytes: bytes.slice(offset, offset + ins.length) });
    offset += ins.length;
  }
  ins.free();
  d.free();
}

async function producedCodes(): Promise<Map<number, Use>> {
  const uses = new Map<number, Use>();
  const archive = readArchive(
    readFileSync(join(ROOT, "runtime-rs/dist/libabi_runtime.a")),
    "libabi_runtime.a",
  );
  for (let i = 0; i < archive.members.length; i++)
    for (const s of archive.object(i).sections)
      if (s.flags & 4 && s.data.length > 0) decode(s.data, 0, `${archive.memberName(i)} ${s.name}`, uses);
  const dir = join(ROOT, "tests/programs");
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".scm"))) {
    const program = await loadProgram(join(dir, f));
    for (const seg of program.image.segments)
      if (seg.perm & 4) decode(seg.bytes, seg.address, `tests/programs/${f}`, uses);
  }
  return uses;
}

void test("every instruction in runtime-rs and in compiled programs is in the table and differentially tested", async () => {
  const uses = await producedCodes();
  assert.ok(uses.size > 100, `only ${uses.size} distinct encodings found`);
  const tested = parseDocCodes(readFileSync(DOC, "utf8"));
  const problems: string[] = [];
  for (const u of uses.values()) {
    const name = Code[u.code];
    const d = new Decoder(64, u.bytes, DecoderOptions.None);
    const ins = d.decode();
    const op = buildOp(decodedFromIced(ins), 0x1000, u.bytes);
    const inTable = instrDef(ins.mnemonic) !== undefined;
    ins.free();
    d.free();
    const where = `(${Buffer.from(u.bytes).toString("hex")} in ${u.where})`;
    if (!inTable) problems.push(`${name}: not in the instruction table ${where}`);
    else if (op.fn === unsupported) problems.push(`${name}: this form is not supported: ${op.name} ${where}`);
    else if (!tested.has(name) && !(name in EXCEPTIONS))
      problems.push(`${name}: no differential case exercises it ${where}`);
  }
  assert.deepEqual(problems, []);
  for (const name of Object.keys(EXCEPTIONS))
    assert.ok(
      [...uses.values()].some((u) => Code[u.code] === name),
      `${name} is no longer produced: drop its exception`,
    );
});
