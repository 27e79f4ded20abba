/**
 * A program's decoded instructions kept in the object cache, keyed by its executable segments (where
 * they are loaded and their bytes): a later run of the same program takes its instructions from
 * here instead of decoding them with iced-x86, which it then never loads. The entry is written when
 * the process exits, if the runs decoded instructions it did not hold.
 */
import { deserialize, serialize } from "node:v8";
import type { DecodedInstruction } from "../emulator/decoded-instruction.js";
import type {
  Code,
  ConditionCode,
  FlowControl,
  MemorySize,
  Mnemonic,
  OpKind,
  Register,
} from "../emulator/iced-enums.js";
import { ICED_VERSION } from "../emulator/iced-enums.js";
import { KnownInstructions, type KnownInstruction } from "../emulator/known-instructions.js";
import { cacheEnabled, cacheKey, readEntry, writeEntry } from "./object-cache.js";

const KIND = "decoded";
/** Bumped when DecodedInstruction changes. */
const FORMAT = "2";
/** Programs that decode more than this are not written (about 100 bytes each in an entry). */
const MAX_INSTRUCTIONS = 30_000;
/** Entries kept (one per program): at most about 300 MB. */
const MAX_PROGRAMS = 100;

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
    if (stores.size === 0) process.once("exit", saveAll);
    store = new KnownInstructions(load(key));
    stores.set(key, store);
  }
  return store;
}

function load(key: string): KnownInstruction[] {
  try {
    const payload = readEntry(KIND, key);
    return payload === undefined ? [] : instructionsOfEntry(payload);
  } catch {
    return [];
  }
}

function saveAll(): void {
  for (const [key, store] of stores)
    if (store.added > 0 && store.size <= MAX_INSTRUCTIONS)
      writeEntry(KIND, key, entryOf(store.all()), MAX_PROGRAMS);
}

/** The payload of an entry holding these instructions. */
export function entryOf(instructions: readonly KnownInstruction[]): Uint8Array {
  return serialize(instructions.map(toRow));
}

/** The instructions in an entry's payload (none if it is not the shape of one). */
export function instructionsOfEntry(payload: Uint8Array): KnownInstruction[] {
  const rows: unknown = deserialize(payload);
  return Array.isArray(rows) && rows.every(isRow) ? rows.map(fromRow) : [];
}

/**
 * An instruction in an entry: its address, its bytes, then its fields in this order (arrays are
 * several times smaller than objects in V8's serialization, and quicker to read back).
 */
type Row = [
  ip: number,
  bytes: Uint8Array,
  length: number,
  code: Code,
  mnemonic: Mnemonic,
  name: string,
  flowControl: FlowControl,
  isPrivileged: boolean,
  isStackInstruction: boolean,
  opCount: number,
  opKinds: OpKind[],
  opRegisters: Register[],
  immediates: bigint[],
  memorySize: MemorySize,
  memoryBytes: number,
  memoryBase: Register,
  memoryIndex: Register,
  memoryIndexScale: number,
  memoryDisplacement: bigint,
  memorySegment: Register,
  isVsib: boolean,
  nearBranchTarget: bigint,
  isJmpShortOrNear: boolean,
  isCallNear: boolean,
  conditionCode: ConditionCode,
  hasRepPrefix: boolean,
  hasRepePrefix: boolean,
  hasRepnePrefix: boolean,
];
const ROW_LENGTH = 28;

function toRow({ ip, bytes, ins: i }: KnownInstruction): Row {
  return [
    ip,
    bytes,
    i.length,
    i.code,
    i.mnemonic,
    i.name,
    i.flowControl,
    i.isPrivileged,
    i.isStackInstruction,
    i.opCount,
    i.opKinds,
    i.opRegisters,
    i.immediates,
    i.memorySize,
    i.memoryBytes,
    i.memoryBase,
    i.memoryIndex,
    i.memoryIndexScale,
    i.memoryDisplacement,
    i.memorySegment,
    i.isVsib,
    i.nearBranchTarget,
    i.isJmpShortOrNear,
    i.isCallNear,
    i.conditionCode,
    i.hasRepPrefix,
    i.hasRepePrefix,
    i.hasRepnePrefix,
  ];
}

function fromRow(r: Row): KnownInstruction {
  const ins: DecodedInstruction = {
    length: r[2],
    code: r[3],
    mnemonic: r[4],
    name: r[5],
    flowControl: r[6],
    isPrivileged: r[7],
    isStackInstruction: r[8],
    opCount: r[9],
    opKinds: r[10],
    opRegisters: r[11],
    immediates: r[12],
    memorySize: r[13],
    memoryBytes: r[14],
    memoryBase: r[15],
    memoryIndex: r[16],
    memoryIndexScale: r[17],
    memoryDisplacement: r[18],
    memorySegment: r[19],
    isVsib: r[20],
    nearBranchTarget: r[21],
    isJmpShortOrNear: r[22],
    isCallNear: r[23],
    conditionCode: r[24],
    hasRepPrefix: r[25],
    hasRepePrefix: r[26],
    hasRepnePrefix: r[27],
  };
  return { ip: r[0], bytes: r[1], ins };
}

/** The shape of a row (a safeguard: the key already says what the entry holds). */
function isRow(v: unknown): v is Row {
  return (
    Array.isArray(v) &&
    v.length === ROW_LENGTH &&
    typeof v[0] === "number" &&
    v[1] instanceof Uint8Array &&
    v[2] === v[1].length &&
    Array.isArray(v[10]) &&
    Array.isArray(v[11]) &&
    Array.isArray(v[12])
  );
}
