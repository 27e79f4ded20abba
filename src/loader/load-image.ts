import { randomFillSync } from "node:crypto";
import { PAGE_SIZE, Perm, type GuestMachine } from "../emulator/types.js";

/** What the loader needs from a linked image or an executable. */
export interface LoadableImage {
  entry: number;
  segments: ReadonlyArray<{
    address: number;
    bytes: Uint8Array;
    memorySize: number;
    perm: number;
    name: string;
  }>;
  programHeaders?: { address: number; bytes: Uint8Array; count: number };
  tls?: { address: number; fileSize: number; memorySize: number; align: number };
}

export interface LoadOptions {
  argv: string[];
  /** "NAME=value" strings. */
  env: string[];
}

export const STACK_TOP = 0x7fff_ffff_f000;
export const STACK_SIZE = 8 << 20;

const AT = {
  NULL: 0,
  PHDR: 3,
  PHENT: 4,
  PHNUM: 5,
  PAGESZ: 6,
  BASE: 7,
  FLAGS: 8,
  ENTRY: 9,
  UID: 11,
  EUID: 12,
  GID: 13,
  EGID: 14,
  PLATFORM: 15,
  HWCAP: 16,
  CLKTCK: 17,
  SECURE: 23,
  RANDOM: 25,
  EXECFN: 31,
} as const;

const pageDown = (n: number) => Math.floor(n / PAGE_SIZE) * PAGE_SIZE;
const pageUp = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/**
 * Put an image into a machine as Linux does for a static executable: map the segments, build
 * the initial stack (argc, argv, envp, auxv), set rip to the entry. Returns the initial program
 * break (the page after the highest segment).
 */
export function loadImage(
  machine: GuestMachine,
  image: LoadableImage,
  options: LoadOptions,
): { brk: number; stackTop: number } {
  const mem = machine.memory;
  let highest = 0;
  for (const seg of image.segments) {
    if (seg.memorySize === 0) continue;
    const start = pageDown(seg.address);
    const end = pageUp(seg.address + seg.memorySize);
    // Segments may share a page (the linker packs them): map what is not mapped yet, then widen permissions.
    for (let p = start; p < end; p += PAGE_SIZE) {
      if (!mem.isMapped(p, PAGE_SIZE)) mem.map(p, PAGE_SIZE, Perm.read | Perm.write, seg.name);
    }
    if (seg.bytes.length) mem.writeBytes(seg.address, seg.bytes);
    highest = Math.max(highest, end);
  }
  for (const seg of image.segments) {
    if (seg.memorySize === 0) continue;
    mem.protect(
      pageDown(seg.address),
      pageUp(seg.address + seg.memorySize) - pageDown(seg.address),
      seg.perm,
    );
  }
  // Program headers for AT_PHDR: from the file, or synthesized on a page of their own.
  let phdr = image.programHeaders;
  if (!phdr) {
    const count = image.segments.length + (image.tls ? 1 : 0);
    const bytes = new Uint8Array(56 * count);
    const v = new DataView(bytes.buffer);
    image.segments.forEach((s, k) => {
      const o = 56 * k;
      v.setUint32(o, 1, true);
      v.setUint32(
        o + 4,
        (s.perm & Perm.read ? 4 : 0) | (s.perm & Perm.write ? 2 : 0) | (s.perm & Perm.exec ? 1 : 0),
        true,
      );
      v.setBigUint64(o + 16, BigInt(s.address), true);
      v.setBigUint64(o + 24, BigInt(s.address), true);
      v.setBigUint64(o + 32, BigInt(s.bytes.length), true);
      v.setBigUint64(o + 40, BigInt(s.memorySize), true);
      v.setBigUint64(o + 48, BigInt(PAGE_SIZE), true);
    });
    if (image.tls) {
      const o = 56 * image.segments.length;
      v.setUint32(o, 7, true);
      v.setUint32(o + 4, 4, true);
      v.setBigUint64(o + 16, BigInt(image.tls.address), true);
      v.setBigUint64(o + 24, BigInt(image.tls.address), true);
      v.setBigUint64(o + 32, BigInt(image.tls.fileSize), true);
      v.setBigUint64(o + 40, BigInt(image.tls.memorySize), true);
      v.setBigUint64(o + 48, BigInt(image.tls.align), true);
    }
    const at = highest;
    mem.map(at, pageUp(bytes.length) || PAGE_SIZE, Perm.read, "program headers");
    mem.writeBytes(at, bytes);
    highest = at + (pageUp(bytes.length) || PAGE_SIZE);
    phdr = { address: at, bytes, count };
  }

  // The stack: strings at the top, then auxv, envp, argv, argc at rsp (16-byte aligned).
  mem.map(STACK_TOP - STACK_SIZE, STACK_SIZE, Perm.read | Perm.write, "stack");
  let sp = STACK_TOP;
  const pushBytes = (data: Uint8Array): number => {
    sp -= data.length;
    mem.writeBytes(sp, data);
    return sp;
  };
  const cstr = (s: string) => pushBytes(new TextEncoder().encode(s + "\0"));
  const execfn = cstr(options.argv[0] ?? "program");
  const platform = cstr("x86_64");
  const random = new Uint8Array(16);
  randomFillSync(random);
  const randomAt = pushBytes(random);
  const envp = options.env.map(cstr);
  const argv = options.argv.map(cstr);
  sp -= sp % 16;
  const auxv: [number, number][] = [
    [AT.PHDR, phdr.address],
    [AT.PHENT, 56],
    [AT.PHNUM, phdr.count],
    [AT.PAGESZ, PAGE_SIZE],
    [AT.BASE, 0],
    [AT.FLAGS, 0],
    [AT.ENTRY, image.entry],
    [AT.UID, 1000],
    [AT.EUID, 1000],
    [AT.GID, 1000],
    [AT.EGID, 1000],
    [AT.PLATFORM, platform],
    [AT.HWCAP, 0x178bfbff],
    [AT.CLKTCK, 100],
    [AT.SECURE, 0],
    [AT.RANDOM, randomAt],
    [AT.EXECFN, execfn],
    [AT.NULL, 0],
  ];
  const words: number[] = [argv.length, ...argv, 0, ...envp, 0, ...auxv.flat()];
  if (words.length % 2) sp -= 8; // keep rsp 16-byte aligned at argc
  sp -= 8 * words.length;
  const block = new DataView(new ArrayBuffer(8 * words.length));
  words.forEach((w, k) => block.setBigUint64(8 * k, BigInt(w), true));
  mem.writeBytes(sp, new Uint8Array(block.buffer));

  for (const r of [
    "rax",
    "rbx",
    "rcx",
    "rdx",
    "rsi",
    "rdi",
    "rbp",
    "r8",
    "r9",
    "r10",
    "r11",
    "r12",
    "r13",
    "r14",
    "r15",
  ] as const)
    machine.setRegister(r, 0n);
  machine.setRegister("rsp", BigInt(sp));
  machine.rip = image.entry;
  return { brk: highest, stackTop: STACK_TOP };
}
