/** Test helpers: assemble a snippet and map it into a fresh Machine with a stack and a data area. */
import { Machine, type MachineOptions } from "../../src/emulator/machine.js";
import { Perm } from "../../src/emulator/types.js";
import { assemble } from "./keystone.js";

export const CODE = 0x401000;
export const DATA = 0x600000;
export const DATA_LEN = 0x10000;
export const STACK_TOP = 0x7ffff000;
export const STACK_LEN = 0x100000;

export interface Setup {
  m: Machine;
  code: Uint8Array;
}

/** A machine running `source` at CODE, with rsp = STACK_TOP - 0x100 and DATA mapped read/write. */
export async function setup(
  source: string,
  codePerm: number = Perm.read | Perm.exec,
  options: MachineOptions = {},
): Promise<Setup> {
  const code = await assemble(source, CODE);
  const m = new Machine(options);
  m.memory.map(CODE, Math.ceil((code.length + 1) / 4096) * 4096, Perm.read | Perm.write, "text");
  m.memory.writeBytes(CODE, code);
  m.memory.protect(CODE, Math.ceil((code.length + 1) / 4096) * 4096, codePerm);
  m.memory.map(DATA, DATA_LEN, Perm.read | Perm.write, "data");
  m.memory.map(STACK_TOP - STACK_LEN, STACK_LEN, Perm.read | Perm.write, "stack");
  m.setRegister("rsp", BigInt(STACK_TOP - 0x100));
  m.rip = CODE;
  return { m, code };
}

/** Runs until the first stop and returns it (the snippets end with int3 or a fault). */
export async function run(source: string): Promise<{ m: Machine; stop: ReturnType<Machine["run"]> }> {
  const { m } = await setup(source);
  const stop = m.run(100000);
  return { m, stop };
}

export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
