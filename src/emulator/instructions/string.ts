/**
 * String instructions: movs stos lods cmps scas (b/w/d/q) with rep / repe / repne, honouring DF,
 * with an fs/gs override on the source. 64-bit address size only (the 0x67 forms are rare and
 * unsupported).
 *
 * A repeated instruction runs at most CHUNK iterations per execution and then re-executes itself
 * (rip stays on it), so that a huge count cannot freeze the emulator between step-limit checks.
 * Registers are updated as iterations complete: a fault in the middle leaves rsi/rdi/rcx exactly
 * as the hardware would, pointing at the failing element.
 *
 * Flags: cmps/scas set OSZAPC like cmp (from the last comparison); the others touch none.
 */
import { Code, OpKind, Register } from "../iced-enums.js";
import { K_SUB32, K_SUB64, set32, set64 } from "../flags.js";
import type { Machine } from "../machine.js";
import type { Handler, Op } from "../op.js";
import { toAddr } from "../operands.js";
import { RAX, RCX, RDI, RSI } from "../registers.js";
import { mn, type Decoding, type InstrDef } from "./def.js";
import { buildCmpsdSse } from "./sse-float.js";
import { buildMovsdSse } from "./sse-move.js";

const CHUNK = 1 << 20;
/** Element count from which rep movs/stos copy page spans in bulk. */
const BULK_MIN = 16;
const PATTERN = new Uint8Array(8);
const TWO32 = 4294967296;

/** reg += delta for a small integer delta. */
function addReg(r: Int32Array, slot: number, delta: number): void {
  const lo = (r[slot] >>> 0) + delta;
  const c = Math.floor(lo / TWO32);
  r[slot] = lo | 0;
  if (c !== 0) r[slot + 1] = (r[slot + 1] + c) | 0;
}

/** Iterations to run now: the whole count or CHUNK. 0 when rcx is 0. */
function iterations(r: Int32Array): number {
  if (r[RCX + 1] !== 0) return CHUNK;
  const c = r[RCX] >>> 0;
  return c > CHUNK ? CHUNK : c;
}

function segBase(m: Machine, o: Op): number {
  return o.mseg === 0 ? 0 : o.mseg === 1 ? m.fsb : m.gsb;
}

/** After a repeated instruction ran `done` iterations: update rcx, re-execute if not finished. */
function finishRep(m: Machine, o: Op, done: number, stopped: boolean): void {
  const r = m.r;
  addReg(r, RCX, -done);
  if (!stopped && (r[RCX] | r[RCX + 1]) !== 0) m.rip = o.ip;
}

const movs: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const size = o.size;
  const n = o.rep !== 0 ? iterations(r) : 1;
  if (n === 0) return;
  const step = m.df !== 0 ? -size : size;
  const src = toAddr(r[RSI], r[RSI + 1]) + segBase(m, o);
  const dst = toAddr(r[RDI], r[RDI + 1]);
  let i = 0;
  try {
    // Bulk path: forward, page span by page span, whole elements only. A forward copy onto an
    // overlapping destination ahead of the source replicates a pattern, so it takes the slow path.
    if (step > 0 && n >= BULK_MIN) {
      while (i < n) {
        const s = src + i * size;
        const d = dst + i * size;
        const left = (n - i) * size;
        if (d > s && d < s + left) break;
        const sb = mem.readSpan(s, left);
        const so = mem.spanOff;
        const sl = mem.spanLen - (mem.spanLen % size);
        if (sl === 0) break;
        const db = mem.writeSpan(d, sl);
        const dOff = mem.spanOff;
        const len = mem.spanLen - (mem.spanLen % size);
        if (len === 0) break;
        if (sb === db) db.copyWithin(dOff, so, so + len);
        else db.set(sb.subarray(so, so + len), dOff);
        i += len / size;
      }
    }
    // Bytes backward onto a destination above the source (musl's and the runtime's memmove of an
    // overlapping tail: std; rep movsb): no byte read was written by an earlier iteration, so page
    // spans can be copied as a block. Each span lies within one source and one destination page;
    // its top byte is checked first, so that a fault names the byte the loop would.
    if (step < 0 && size === 1 && n >= BULK_MIN && dst > src) {
      while (i < n) {
        const topS = src - i;
        const topD = dst - i;
        const len = Math.min(n - i, (topS & 4095) + 1, (topD & 4095) + 1);
        const sb = mem.readSpan(topS, 1);
        const so = mem.spanOff + 1 - len;
        mem.probeWrite(topD, 1);
        const db = mem.writeSpan(topD + 1 - len, len);
        const dOff = mem.spanOff;
        if (sb === db) db.copyWithin(dOff, so, so + len);
        else db.set(sb.subarray(so, so + len), dOff);
        i += len;
      }
    }
    for (; i < n; i++) {
      const s = src + i * step;
      const d = dst + i * step;
      switch (size) {
        case 1:
          mem.store8(d, mem.load8(s));
          break;
        case 2:
          mem.store16(d, mem.load16(s));
          break;
        case 4:
          mem.store32(d, mem.load32(s));
          break;
        default: {
          const lo = mem.load32(s);
          mem.store64(d, lo, mem.load32(s + 4));
        }
      }
    }
  } finally {
    addReg(r, RSI, i * step);
    addReg(r, RDI, i * step);
    if (o.rep !== 0) finishRep(m, o, i, i < n);
  }
};

const stos: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const size = o.size;
  const n = o.rep !== 0 ? iterations(r) : 1;
  if (n === 0) return;
  const step = m.df !== 0 ? -size : size;
  const dst = toAddr(r[RDI], r[RDI + 1]);
  const lo = r[RAX];
  const hi = r[RAX + 1];
  let i = 0;
  try {
    if (step > 0 && n >= BULK_MIN) {
      let uniform = true;
      for (let k = 0; k < 8; k++) {
        PATTERN[k] = ((k < 4 ? lo : hi) >>> (8 * (k & 3))) & 0xff;
        if (k < size && PATTERN[k] !== PATTERN[0]) uniform = false;
      }
      while (i < n) {
        const d = dst + i * size;
        const db = mem.writeSpan(d, (n - i) * size);
        const off = mem.spanOff;
        const len = mem.spanLen - (mem.spanLen % size);
        if (len === 0) break;
        // memset stores one byte replicated over the register: a plain fill. Other patterns: one
        // element, then copies of what is written so far (doubling), which keeps elements aligned.
        if (uniform) db.fill(PATTERN[0], off, off + len);
        else {
          for (let k = 0; k < size; k++) db[off + k] = PATTERN[k];
          for (let w = size; w < len; w *= 2) db.copyWithin(off + w, off, off + Math.min(w, len - w));
        }
        i += len / size;
      }
    }
    for (; i < n; i++) {
      const d = dst + i * step;
      switch (size) {
        case 1:
          mem.store8(d, lo);
          break;
        case 2:
          mem.store16(d, lo);
          break;
        case 4:
          mem.store32(d, lo);
          break;
        default:
          mem.store64(d, lo, hi);
      }
    }
  } finally {
    addReg(r, RDI, i * step);
    if (o.rep !== 0) finishRep(m, o, i, i < n);
  }
};

const lods: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const size = o.size;
  const n = o.rep !== 0 ? iterations(r) : 1;
  if (n === 0) return;
  const step = m.df !== 0 ? -size : size;
  const src = toAddr(r[RSI], r[RSI + 1]) + segBase(m, o);
  let i = 0;
  try {
    for (; i < n; i++) {
      const s = src + i * step;
      switch (size) {
        case 1:
          r[RAX] = (r[RAX] & ~0xff) | mem.load8(s);
          break;
        case 2:
          r[RAX] = (r[RAX] & ~0xffff) | mem.load16(s);
          break;
        case 4:
          r[RAX] = mem.load32(s);
          r[RAX + 1] = 0;
          break;
        default: {
          const lo = mem.load32(s);
          r[RAX + 1] = mem.load32(s + 4);
          r[RAX] = lo;
        }
      }
    }
  } finally {
    addReg(r, RSI, i * step);
    if (o.rep !== 0) finishRep(m, o, i, i < n);
  }
};

/**
 * cmps (aux = 1) and scas (aux = 0): compare [rsi] (or the accumulator) with [rdi] like cmp.
 * Returns after the first mismatch (repe) or match (repne).
 */
const compare: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const f = m.fl;
  const size = o.size;
  const n = o.rep !== 0 ? iterations(r) : 1;
  if (n === 0) return;
  const step = m.df !== 0 ? -size : size;
  const cmps = o.aux === 1;
  const src = cmps ? toAddr(r[RSI], r[RSI + 1]) + segBase(m, o) : 0;
  const dst = toAddr(r[RDI], r[RDI + 1]);
  const sx = size <= 4 ? 32 - 8 * size : 0;
  const accLo = size <= 4 ? (r[RAX] << sx) >> sx : r[RAX];
  const accHi = r[RAX + 1];
  const whileEqual = o.rep === 1;
  // Which operand is read first shows when both fault (the fault address). Measured on the CPU:
  // [rdi] first, except in repe cmpsb (memcmp's), which reads [rsi] first.
  const srcFirst = cmps && size === 1 && o.rep === 1;
  let i = 0;
  let stopped = false;
  try {
    // Bytes forward (strlen's repne scasb, memcmp's repe cmpsb): skip the elements that do not
    // stop the repeat by scanning page spans, reading in the order the loop below would (so a
    // fault comes at the same element). The element that stops it, or the last, goes through the
    // loop, which sets the flags from it.
    if (size === 1 && step > 0 && o.rep !== 0 && n > BULK_MIN) {
      const acc = accLo & 0xff;
      while (i < n - 1) {
        const want = n - 1 - i;
        let len: number;
        let k = 0;
        if (cmps) {
          let sb: Uint8Array;
          let so: number;
          let db: Uint8Array;
          let dOff: number;
          if (srcFirst) {
            sb = mem.readSpan(src + i, want);
            so = mem.spanOff;
            db = mem.readSpan(dst + i, mem.spanLen);
            dOff = mem.spanOff;
          } else {
            db = mem.readSpan(dst + i, want);
            dOff = mem.spanOff;
            sb = mem.readSpan(src + i, mem.spanLen);
            so = mem.spanOff;
          }
          len = mem.spanLen;
          while (k < len && (sb[so + k] === db[dOff + k]) === whileEqual) k++;
        } else {
          const db = mem.readSpan(dst + i, want);
          const dOff = mem.spanOff;
          len = mem.spanLen;
          if (whileEqual) {
            while (k < len && db[dOff + k] === acc) k++;
          } else {
            const at = db.indexOf(acc, dOff);
            k = at < 0 || at - dOff >= len ? len : at - dOff;
          }
        }
        i += k;
        if (k < len) break;
      }
    }
    while (i < n) {
      const s = src + i * step;
      const d = dst + i * step;
      let equal: boolean;
      if (size <= 4) {
        const a0 = srcFirst ? (mem.load8(s) << 24) >> 24 : 0;
        const b =
          size === 1 ? (mem.load8(d) << 24) >> 24 : size === 2 ? (mem.load16(d) << 16) >> 16 : mem.load32(d);
        const a = srcFirst
          ? a0
          : cmps
            ? size === 1
              ? (mem.load8(s) << 24) >> 24
              : size === 2
                ? (mem.load16(s) << 16) >> 16
                : mem.load32(s)
            : accLo;
        set32(f, K_SUB32, a, b, ((a - b) << sx) >> sx);
        equal = a === b;
      } else {
        const bl = mem.load32(d);
        const bh = mem.load32(d + 4);
        const al = cmps ? mem.load32(s) : accLo;
        const ah = cmps ? mem.load32(s + 4) : accHi;
        const lo = (al >>> 0) - (bl >>> 0);
        set64(f, K_SUB64, al, ah, bl, bh, lo | 0, (ah - bh - (lo < 0 ? 1 : 0)) | 0);
        equal = al === bl && ah === bh;
      }
      i++;
      if (o.rep !== 0 && equal !== whileEqual) {
        stopped = true;
        break;
      }
    }
  } finally {
    if (cmps) addReg(r, RSI, i * step);
    addReg(r, RDI, i * step);
    if (o.rep !== 0) finishRep(m, o, i, stopped || i < n);
  }
};

const SIZES: Record<string, number> = { b: 1, w: 2, d: 4, q: 8 };

function buildString(
  h: Handler,
  kind: "movs" | "stos" | "lods" | "cmps" | "scas",
): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    const ins = d.ins;
    for (let i = 0; i < d.count; i++) {
      const k = d.kind(i);
      if (k !== OpKind.Register && k !== OpKind.MemorySegRSI && k !== OpKind.MemoryESRDI) return null;
    }
    const name = ins.name;
    o.size = SIZES[name[name.length - 1]];
    const seg = ins.memorySegment;
    o.mseg = seg === Register.FS ? 1 : seg === Register.GS ? 2 : 0;
    if (kind === "cmps" || kind === "scas") o.rep = ins.hasRepePrefix ? 1 : ins.hasRepnePrefix ? 2 : 0;
    else o.rep = ins.hasRepPrefix || ins.hasRepnePrefix ? 1 : 0;
    o.aux = kind === "cmps" ? 1 : 0;
    o.ends = true;
    return h;
  };
}

export const STRING: InstrDef[] = [
  {
    mnemonics: mn("Movsb", "Movsw", "Movsd", "Movsq"),
    family: "string",
    reads: "D",
    note: "movsd is also the SSE2 scalar move (sse-float.ts)",
    build: (d) =>
      d.code === Code.Movsd_xmm_xmmm64 || d.code === Code.Movsd_xmmm64_xmm
        ? buildMovsdSse(d)
        : buildString(movs, "movs")(d),
  },
  {
    mnemonics: mn("Stosb", "Stosw", "Stosd", "Stosq"),
    family: "string",
    reads: "D",
    build: buildString(stos, "stos"),
  },
  {
    mnemonics: mn("Lodsb", "Lodsw", "Lodsd", "Lodsq"),
    family: "string",
    reads: "D",
    build: buildString(lods, "lods"),
  },
  {
    mnemonics: mn("Cmpsb", "Cmpsw", "Cmpsd", "Cmpsq"),
    family: "string",
    reads: "D",
    writes: "OSZAPC",
    note: "cmpsd is also the SSE2 scalar compare (sse-float.ts)",
    build: (d) =>
      d.code === Code.Cmpsd_xmm_xmmm64_imm8 ? buildCmpsdSse(d) : buildString(compare, "cmps")(d),
  },
  {
    mnemonics: mn("Scasb", "Scasw", "Scasd", "Scasq"),
    family: "string",
    reads: "D",
    writes: "OSZAPC",
    build: buildString(compare, "scas"),
  },
];
