import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { AbiChecker, type Violation } from "../../src/abi/checker.js";
import { SYSTEM_V } from "../../src/abi/conventions.js";
import { assemble } from "../../src/assembler/index.js";
import { Machine } from "../../src/emulator/index.js";
import { Perm } from "../../src/emulator/types.js";

/** The model: the values on the stack, and rsp relative to a 16-byte aligned base. */
interface Model {
  stack: bigint[];
}

interface Real {
  m: Machine;
  base: number;
  violations: Violation[];
  run(asm: string, steps?: number): Promise<void>;
}

const SCRATCH = 0x500000;
const LEAF = 0x510000;

class Push implements fc.AsyncCommand<Model, Real> {
  constructor(readonly value: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await real.run(`push ${this.value}`);
    model.stack.push(BigInt.asUintN(64, BigInt(this.value)));
    assert.equal(Number(real.m.getRegister("rsp")), real.base - 8 * model.stack.length);
    assert.equal(
      real.m.memory.read64(Number(real.m.getRegister("rsp"))),
      model.stack[model.stack.length - 1],
    );
  }
  toString = () => `push ${this.value}`;
}

class Pop implements fc.AsyncCommand<Model, Real> {
  check = (model: Readonly<Model>) => model.stack.length > 0;
  async run(model: Model, real: Real) {
    await real.run("pop rax");
    assert.equal(real.m.getRegister("rax"), model.stack.pop());
    assert.equal(Number(real.m.getRegister("rsp")), real.base - 8 * model.stack.length);
  }
  toString = () => "pop rax";
}

/** `call leaf`: the leaf returns the slot just above its return address (the caller's top). */
class Call implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real) {
    const before = real.violations.length;
    real.m.setRegister("rax", 0n);
    await real.run(`call ${LEAF}`, 3);
    const top = model.stack.length ? model.stack[model.stack.length - 1] : real.m.memory.read64(real.base);
    assert.equal(real.m.getRegister("rax"), top);
    assert.equal(Number(real.m.getRegister("rsp")), real.base - 8 * model.stack.length, "balanced");
    const aligned = model.stack.length % 2 === 0;
    const flagged = real.violations.slice(before).some((v) => v.rule === "stack-alignment");
    assert.equal(
      flagged,
      !aligned,
      `rsp%16 = ${aligned ? 0 : 8}: the checker ${flagged ? "flagged" : "passed"} the call`,
    );
  }
  toString = () => "call leaf";
}

test("stack and call behaviour match a model of the stack (fc.commands), and the checker's alignment verdict agrees", async () => {
  const m = new Machine();
  m.memory.map(0x600000, 0x10000, Perm.read | Perm.write);
  m.memory.map(SCRATCH, 0x1000, Perm.read | Perm.write | Perm.exec);
  m.memory.map(LEAF, 0x1000, Perm.read | Perm.exec);
  const leaf = await assemble(".intel_syntax noprefix\nleaf:\n  mov rax, qword ptr [rsp + 8]\n  ret\n", {
    file: "leaf.s",
    externals: new Map(),
    place: () => ({ text: LEAF, rodata: LEAF + 0x100, data: LEAF + 0x200, bss: LEAF + 0x300 }),
  });
  m.memory.writeBytes(LEAF, leaf.sections.text.bytes);
  const violations: Violation[] = [];
  m.addObserver(
    new AbiChecker(m, {
      conventionOf: () => SYSTEM_V,
      nameOf: () => "leaf",
      onViolation: (v) => violations.push(v),
    }),
  );
  const base = 0x608000;
  const cache = new Map<string, Uint8Array>();
  const real: Real = {
    m,
    base,
    violations,
    async run(asm: string, steps = 1) {
      let bytes = cache.get(asm);
      if (!bytes) {
        const p = await assemble(`.intel_syntax noprefix\n${asm}\n`, {
          file: "cmd.s",
          externals: new Map(),
          place: () => ({
            text: SCRATCH,
            rodata: SCRATCH + 0x100,
            data: SCRATCH + 0x200,
            bss: SCRATCH + 0x300,
          }),
        });
        bytes = p.sections.text.bytes;
        cache.set(asm, bytes);
      }
      m.memory.writeBytes(SCRATCH, bytes);
      m.rip = SCRATCH;
      for (let i = 0; i < steps; i++) assert.equal(m.step(), undefined);
    },
  };
  await fc.assert(
    fc.asyncProperty(
      fc.commands(
        [
          fc.integer({ min: -1000, max: 1000 }).map((v) => new Push(v)),
          fc.constant(new Pop()),
          fc.constant(new Call()),
        ],
        { maxCommands: 30 },
      ),
      async (cmds) => {
        m.setRegister("rsp", BigInt(base));
        violations.length = 0;
        await fc.asyncModelRun(() => ({ model: { stack: [] }, real }), cmds);
      },
    ),
    { numRuns: 40 },
  );
});
