/**
 * Decode once, run many times. Guest code is decoded with iced-x86 one basic block at a time (up
 * to a control transfer, a block-ending instruction, a breakpoint address or MAX_BLOCK
 * instructions) into an array of `Op`s, and the block is cached by its start address. Instructions
 * already known (`known`: decoded by an earlier run, from the object cache) are not decoded again.
 *
 * Every page a block's bytes come from is marked as holding code in `Memory`; a write (or unmap,
 * or loss of execute permission) there calls `invalidatePage`, which drops the page's blocks. A
 * block that is running when it is invalidated has its remaining ops replaced by `stale`, which
 * throws BLOCK_EXIT so that the machine re-fetches from the next instruction: self-modifying code
 * takes effect at the next instruction, as on hardware.
 */
import { GuestFaultError } from "./errors.js";
import { WindowDecoder } from "./iced-decoder.js";
import { fuseWithJcc } from "./instructions/alu.js";
import { JCC_HANDLERS } from "./instructions/control.js";
import { buildOp } from "./instructions/table.js";
import type { KnownInstructions } from "./known-instructions.js";
import type { Memory } from "./memory.js";
import type { Op } from "./op.js";
import { PAGE_SIZE } from "./types.js";

/** Instructions per block at most. */
const MAX_BLOCK = 64;
/** Bytes handed to the decoder per block at most. */
const FETCH_WINDOW = 512;

export class Block {
  valid = true;
  /** The region this block was translated in (translate.ts), once it or a block leading to it is hot, else null. */
  jit: ((limit: number, entry: number) => void) | null = null;
  /** The number of this block in the translated region `jit` (its entry point there). */
  entry = 0;
  /** Executions by the interpreter so far (translation happens at a threshold). */
  hits = 0;
  /**
   * The ops the fast loop runs: `ops` with each cmp/test + jcc pair fused into one op. fidx[j] is
   * the index in `ops` of fast op j (so also the number of instructions before it); fidx[fn] = n.
   */
  readonly fops: Op[];
  readonly fn: number;
  readonly fidx: Int32Array;

  constructor(
    readonly ip: number,
    /** Address after the last instruction. */
    readonly endIp: number,
    readonly ops: Op[],
    readonly n: number,
  ) {
    const fops: Op[] = [];
    const fidx: number[] = [];
    for (let k = 0; k < n; k++) {
      const fused = k + 1 < n && JCC_HANDLERS.has(ops[k + 1].fn) ? fuseWithJcc(ops[k], ops[k + 1]) : null;
      fidx.push(k);
      if (fused !== null) {
        fops.push(fused);
        k++;
      } else fops.push(ops[k]);
    }
    fidx.push(n);
    this.fops = fops;
    this.fn = fops.length;
    this.fidx = Int32Array.from(fidx);
  }

  /** An empty, invalid block (a filler for caches of blocks). */
  static placeholder(): Block {
    const b = new Block(-1, -1, [], 0);
    b.valid = false;
    return b;
  }
}

/** Thrown by a stale op: leave the block and re-fetch at this op's address. */
export class BlockExit extends Error {
  constructor() {
    super("block invalidated");
  }
}
export const BLOCK_EXIT = new BlockExit();

function stale(): void {
  throw BLOCK_EXIT;
}

export class DecodeCache {
  private readonly blocks = new Map<number, Block>();
  private readonly byPage = new Map<number, Block[]>();
  /** Blocks decoded so far (for statistics). */
  decoded = 0;
  /** Instructions decoded before (by an earlier run): taken from here when the bytes match. */
  known: KnownInstructions | undefined;

  constructor(
    private readonly memory: Memory,
    private readonly breakpoints: ReadonlySet<number>,
  ) {
    memory.codeListener = (page, start, end) => this.invalidateRange(page, start, end);
  }

  /** The block starting at ip, decoding it if needed. Throws the fetch fault. */
  get(ip: number): Block {
    return this.blocks.get(ip) ?? this.build(ip);
  }

  /** The cached block at ip, if any (no decoding). */
  peek(ip: number): Block | undefined {
    return this.blocks.get(ip);
  }

  private build(ip: number): Block {
    const mem = this.memory;
    const { bytes, stop } = mem.fetch(ip, FETCH_WINDOW);
    const known = this.known;
    const ops: Op[] = [];
    /** Made on the first instruction that is not known. */
    let decoder: WindowDecoder | undefined;
    let pos = 0;
    try {
      while (ops.length < MAX_BLOCK && pos < bytes.length) {
        const at = ip + pos;
        if (ops.length > 0 && this.breakpoints.has(at)) break;
        let ins = known?.get(at, bytes, pos);
        if (ins === undefined) {
          decoder ??= new WindowDecoder(bytes, ip);
          ins = decoder.decodeAt(pos);
          if (ins === undefined) {
            if (ops.length > 0 || stop < 0) break;
            // The instruction runs into a page we may not execute: that page's fetch fault.
            mem.fetch(stop, 1);
            throw new GuestFaultError("SIGSEGV", "instruction fetch failed");
          }
          known?.add(at, bytes.subarray(pos, pos + ins.length), ins);
        }
        const op = buildOp(ins, at, bytes.subarray(pos, pos + ins.length));
        ops.push(op);
        pos += ins.length;
        if (op.ends) break;
      }
    } finally {
      decoder?.free();
    }
    if (ops.length === 0) {
      // Only possible when the fetch window was empty, which mem.fetch prevents.
      throw new GuestFaultError("SIGSEGV", "instruction fetch failed", ip);
    }
    const block = new Block(ip, ip + pos, ops, ops.length);
    this.blocks.set(ip, block);
    const first = Math.floor(ip / PAGE_SIZE);
    const last = Math.floor((ip + pos - 1) / PAGE_SIZE);
    for (let pn = first; pn <= last; pn++) {
      let list = this.byPage.get(pn);
      if (list === undefined) {
        list = [];
        this.byPage.set(pn, list);
      }
      list.push(block);
      mem.markCode(pn);
    }
    this.decoded++;
    return block;
  }

  /** Drops every block with bytes on page `pn`. */
  invalidatePage(pn: number): void {
    this.invalidateRange(pn, pn * PAGE_SIZE, (pn + 1) * PAGE_SIZE);
  }

  /**
   * Drops the blocks on page `pn` whose bytes overlap [start, end). Returns whether blocks remain
   * on the page (data written next to code does not force code to be decoded again).
   */
  invalidateRange(pn: number, start: number, end: number): boolean {
    const list = this.byPage.get(pn);
    if (list === undefined) return false;
    const keep: Block[] = [];
    for (const b of list) {
      if (!b.valid) continue;
      if (b.endIp <= start || b.ip >= end) {
        keep.push(b);
        continue;
      }
      b.valid = false;
      if (this.blocks.get(b.ip) === b) this.blocks.delete(b.ip);
      for (const o of b.ops) o.fn = stale;
      for (const o of b.fops) o.fn = stale;
    }
    if (keep.length === 0) this.byPage.delete(pn);
    else this.byPage.set(pn, keep);
    return keep.length > 0;
  }

  /** Drops the blocks that contain `address` (breakpoint changes). */
  invalidateAddress(address: number): void {
    this.invalidatePage(Math.floor(address / PAGE_SIZE));
  }

  /** Drops everything. */
  flush(): void {
    for (const pn of [...this.byPage.keys()]) this.invalidatePage(pn);
  }
}
