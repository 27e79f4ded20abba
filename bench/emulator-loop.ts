/**
 * Micro benchmark of the emulator's interpreter loop, in million instructions per second:
 *  - fib: recursive fib(N) (calls, returns, pushes, compares, branches);
 *  - sieve: sieve of Eratosthenes over a 1 MiB byte array (loads, stores, loops).
 *   node --import tsx bench/emulator-loop.ts [N=25] [runs=5]
 */
import { Machine } from "../src/emulator/machine.js";
import { Perm } from "../src/emulator/types.js";
import { assemble } from "../tests/emulator/keystone.js";

const N = Number(process.argv[2] ?? 25);
const RUNS = Number(process.argv[3] ?? 5);
const CODE = 0x400000;
const DATA = 0x10000000;
const SIEVE = 1 << 20;
const STACK_TOP = 0x7ff000000000;

const FIB = `
  mov edi, ${N}
  call fib
  mov rdi, rax
  mov eax, 60
  syscall
fib:
  cmp rdi, 2
  jb .small
  push rbx
  push rdi
  lea rdi, [rdi - 1]
  call fib
  mov rbx, rax
  pop rdi
  sub rdi, 2
  call fib
  add rax, rbx
  pop rbx
  ret
.small:
  mov rax, rdi
  ret
`;

const SIEVE_SRC = `
  mov rdi, ${DATA}
  mov ecx, ${SIEVE}
  mov al, 1
  rep stosb
  mov r8, ${DATA}
  mov ebx, 2
outer:
  mov rax, rbx
  imul rax, rbx
  cmp rax, ${SIEVE}
  jae count
  cmp byte ptr [r8 + rbx], 0
  je next
inner:
  mov byte ptr [r8 + rax], 0
  add rax, rbx
  cmp rax, ${SIEVE}
  jb inner
next:
  inc rbx
  jmp outer
count:
  xor edi, edi
  mov ecx, 2
again:
  movzx edx, byte ptr [r8 + rcx]
  add rdi, rdx
  inc rcx
  cmp rcx, ${SIEVE}
  jne again
  mov eax, 60
  syscall
`;

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function primes(n: number): number {
  const s = new Uint8Array(n).fill(1);
  let c = 0;
  for (let i = 2; i < n; i++) {
    if (s[i] === 0) continue;
    c++;
    for (let j = i * i; j < n; j += i) s[j] = 0;
  }
  return c;
}

async function bench(name: string, source: string, expected: bigint): Promise<number> {
  const code = await assemble(source, CODE);
  let best = 0;
  for (let i = 0; i < RUNS; i++) {
    const m = new Machine();
    m.memory.map(CODE, 0x1000, Perm.read | Perm.exec, "text");
    m.memory.writeBytes(CODE, code);
    m.memory.map(DATA, SIEVE, Perm.read | Perm.write, "data");
    m.memory.map(STACK_TOP - 0x100000, 0x100000, Perm.read | Perm.write, "stack");
    m.setRegister("rsp", BigInt(STACK_TOP - 64));
    m.rip = CODE;
    let result = -1n;
    m.syscallHandler = {
      handle(machine) {
        result = machine.getRegister("rdi");
        machine.exit(0);
        return 0n;
      },
    };
    const t0 = performance.now();
    const stop = m.run();
    const ms = performance.now() - t0;
    if (stop.kind !== "exit") throw new Error(`unexpected stop: ${JSON.stringify(stop)}`);
    if (result !== expected) throw new Error(`${name}: got ${result}, expected ${expected}`);
    const mips = m.steps / ms / 1000;
    best = Math.max(best, mips);
    console.log(
      `${name} run ${i + 1}: ${m.steps} instructions in ${ms.toFixed(1)} ms = ${mips.toFixed(1)} MIPS`,
    );
  }
  console.log(`${name}: best ${best.toFixed(1)} MIPS`);
  return best;
}

await bench(`fib(${N})`, FIB, BigInt(fib(N)));
await bench("sieve(1 MiB)", SIEVE_SRC, BigInt(primes(SIEVE)));
