/**
 * A program's decoded instructions kept in the object cache, keyed by its executable segments (where
 * they are loaded and their bytes): a later run of the same program takes its instructions from
 * here instead of decoding them with iced-x86, which it then never loads. The entry is written when
 * the process exits, if the runs decoded instructions it did not hold.
 */
import { deserialize, serialize } from "node:v8";
import type { DecodedInstruction } from "../emulator/decoded-instruction.js";
import { ICED_VERSION } from "../emulator/iced-enums.js";
import { KnownInstructions, type KnownInstruction } from "../emulator/known-instructions.js";
import { cacheEnabled, cacheKey, readEntry, writeEntry } from "./object-cache.js";

const KIND = "decoded";
/** Bumped when DecodedInstruction changes. */
const FORMAT = "1";
/** Entries of programs that decode more than this are not written (they would be too big to pay off). */
const MAX_INSTRUCTIONS = 100_000;
/** Entries kept (one per program). */
const MAX_PROGRAMS = 200;

interface Segment {
  address: number;
  bytes: Uint8Array;
  perm: number;
}

/** One store per program and process, shared by its runs. */
const stores = new Map<string, KnownInstructions>();

/**
 * The known instructions of the program with these segments (loaded from the object cache, saved
 * back when the process exits), or undefined when the cache is off.
 */
export function knownInstructionsFor(segments: readonly Segment[]): KnownInstructions | undefined {
  if (!cacheEnabled()) return undefined;
  const parts: (string | Uint8Array)[] = [FORMAT, ICED_VERSION];
  for (const s of segments) if (s.perm & 4) parts.push(String(s.address), s.bytes);
  const key = cacheKey(KIND, parts);
  let store = stores.get(key);
  if (store === undefined) {
    store = new KnownInstructions(load(key));
    stores.set(key, store);
    const saved = store;
    process.once("exit", () => save(key, saved));
  }
  return store;
}

function load(key: string): KnownInstruction[] {
  try {
    const payload = readEntry(KIND, key);
    if (payload === undefined) return [];
    const value: unknown = deserialize(payload);
    return Array.isArray(value) && value.every(isKnown) ? value : [];
  } catch {
    return [];
  }
}

function save(key: string, store: KnownInstructions): void {
  if (store.added === 0 || store.size > MAX_INSTRUCTIONS) return;
  writeEntry(KIND, key, serialize(store.all()), MAX_PROGRAMS);
}

/** The shape of an entry's element (a safeguard: the key already says what it holds). */
function isKnown(v: unknown): v is KnownInstruction {
  if (typeof v !== "object" || v === null) return false;
  const k = v as Record<string, unknown>;
  if (typeof k.ip !== "number" || !(k.bytes instanceof Uint8Array)) return false;
  const ins = k.ins as DecodedInstruction | null;
  return (
    typeof ins === "object" &&
    ins !== null &&
    ins.length === k.bytes.length &&
    Array.isArray(ins.opKinds) &&
    Array.isArray(ins.opRegisters) &&
    Array.isArray(ins.immediates)
  );
}
