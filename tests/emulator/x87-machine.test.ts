/**
 * The x87 as the rest of the emulator sees it: CPUID reports the FPU, snapshots (the stepper's
 * reverse step) save and restore the FPU exactly, and an unmasked exception is delivered as SIGFPE
 * at the next waiting instruction with a clear reason.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuid } from "../../src/emulator/cpuid.js";
import { setup } from "./helpers.js";

void test("cpuid leaf 1 reports the x87 FPU (EDX bit 0)", () => {
  assert.equal(cpuid(1, 0).edx & 1, 1);
});

void test("saveState/restoreState round-trip the x87 registers, TOP, tags and status", async () => {
  const { m } = await setup(`
    fld1
    fldpi
    faddp st(1), st
    fsqrt
    int3`);
  m.step();
  m.step();
  const snap = m.saveState();
  const before = [m.fpu.bytes(0), m.fpu.bytes(1)].map((b) => Buffer.from(b).toString("hex"));
  const status = m.fpu.status();
  m.run(10);
  assert.notEqual(m.fpu.status(), status, "TOP moved");
  assert.equal(
    Buffer.from(m.fpu.bytes(0)).toString("hex"),
    "d9bebf8d83eb3e820040",
    "sqrt(1 + pi), as the CPU computes it",
  );
  m.restoreState(snap);
  assert.equal(m.fpu.status(), status);
  assert.deepEqual(
    [m.fpu.bytes(0), m.fpu.bytes(1)].map((b) => Buffer.from(b).toString("hex")),
    before,
  );
  m.run(10);
  assert.equal(Buffer.from(m.fpu.bytes(0)).toString("hex"), "d9bebf8d83eb3e820040", "the same result again");
});

void test("an unmasked divide-by-zero raises SIGFPE at the next waiting x87 instruction", async () => {
  const { m } = await setup(`
    sub rsp, 8
    mov word ptr [rsp], 0x37b
    fldcw [rsp]
    fld1
    fldz
    fdivp st(1), st
    fnstsw ax
    fld1
    int3`);
  const stop = m.run(100);
  assert.equal(stop.kind, "fault");
  if (stop.kind !== "fault") return;
  assert.equal(stop.fault.signal, "SIGFPE");
  assert.match(stop.fault.reason, /unmasked x87 floating-point exception/);
  const ax = Number(m.getRegister("rax") & 0xffffn);
  assert.equal(ax & 0x84, 0x84, "fnstsw (non-waiting) saw ZE and ES");
});
