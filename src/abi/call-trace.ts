import type {
  CallEvent,
  GpRegister,
  GuestMachine,
  MachineObserver,
  ReturnEvent,
  SyscallEvent,
} from "../emulator/types.js";
import { decodeValue, type WordReader } from "../values/decode.js";
import { SCHEME, SYSTEM_V, type CallingConvention } from "./conventions.js";
import { formatCValue, formatSignature, isTagged, type Signature } from "./signatures.js";

/** What the trace needs to know about the program (symbols, signatures, source lines). */
export interface ProgramView {
  /** "writeln", "scm_fib+0x12", or a hex address. */
  nameOf(address: number): string;
  /** The function that starts exactly at address, if known. */
  functionAt(address: number): string | undefined;
  signatureOf(functionName: string): Signature | undefined;
  conventionOf(target: number, callSite?: number): CallingConvention | undefined;
  /** Whether address is in the compiled program (as opposed to the runtime). */
  isProgram(address: number): boolean;
  sourceOf(address: number): SourceRef | undefined;
}

export interface SourceRef {
  file: string;
  line: number;
  column: number;
  text?: string;
}

export interface ArgumentView {
  /** "rdi", ..., or "[rsp+8]" for stack arguments. */
  where: string;
  name?: string;
  type: string;
  raw: string;
  decoded: string;
}

export type TraceEvent =
  | {
      event: "call";
      step: number;
      rip: string;
      caller: string;
      callee: string;
      convention: string;
      signature?: string;
      args: ArgumentView[];
      rsp: string;
      rspMod16: number;
      aligned: boolean | null;
      source?: SourceRef;
    }
  | {
      event: "return";
      step: number;
      rip: string;
      callee: string;
      rax: { raw: string; decoded: string; type: string };
      calleeSaved: Record<string, "preserved" | "changed">;
      rsp: string;
      balanced: boolean;
    }
  | {
      event: "syscall";
      step: number;
      rip: string;
      name: string;
      number: number;
      args: string[];
      result: string;
    };

const hex = (v: bigint | number) => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;

interface OpenCall {
  callee: string;
  returnAddress: number;
  convention: CallingConvention;
  signature?: Signature;
  rspAtCall: bigint;
  argumentCount: bigint;
  saved: Map<GpRegister, bigint>;
}

/**
 * Turns call, return and syscall events into trace records: the callee, its arguments raw
 * and decoded (as Scheme values or their C types), the alignment, and at the return the
 * result and which callee-saved registers came back changed.
 */
export class CallTracer implements MachineObserver {
  private readonly open: OpenCall[] = [];
  private readonly reader: WordReader;

  constructor(
    private readonly machine: GuestMachine,
    private readonly program: ProgramView,
    private readonly sink: (e: TraceEvent) => void,
    /** Include calls made inside the runtime (runtime → runtime). */
    private readonly includeRuntimeInternals = false,
  ) {
    this.reader = memoryReader(machine);
  }

  onCall(e: CallEvent): void {
    const fromProgram = this.program.isProgram(e.rip);
    const toProgram = this.program.isProgram(e.target);
    if (!this.includeRuntimeInternals && !fromProgram && !toProgram) return;
    const convention = this.program.conventionOf(e.target) ?? SYSTEM_V;
    const callee = this.program.functionAt(e.target) ?? this.program.nameOf(e.target);
    const signature = this.program.signatureOf(callee);
    const rsp = BigInt(e.rsp);
    const args = convention === SCHEME ? this.schemeArgs(rsp) : this.systemVArgs(rsp, signature);
    const saved = new Map<GpRegister, bigint>();
    for (const r of convention.calleeSaved) saved.set(r, this.machine.getRegister(r));
    this.open.push({
      callee,
      returnAddress: e.returnAddress,
      convention,
      signature,
      rspAtCall: rsp,
      argumentCount: this.machine.getRegister("rax"),
      saved,
    });
    const mod = Number(rsp % 16n);
    this.sink({
      event: "call",
      step: this.machine.steps,
      rip: hex(e.rip),
      caller: this.program.nameOf(e.rip),
      callee,
      convention: convention.name,
      signature: signature ? formatSignature(signature) : undefined,
      args,
      rsp: hex(rsp),
      rspMod16: mod,
      aligned: convention.stackAlignment ? mod === 0 : null,
      source: this.program.sourceOf(e.rip),
    });
  }

  onReturn(e: ReturnEvent): void {
    let i = this.open.length - 1;
    while (i >= 0 && this.open[i].returnAddress !== e.target) i--;
    if (i < 0) return;
    const call = this.open[i];
    this.open.length = i;
    const rax = this.machine.getRegister("rax");
    const type = call.convention === SCHEME ? "Value" : (call.signature?.returns ?? "unknown");
    const calleeSaved: Record<string, "preserved" | "changed"> = {};
    for (const [r, before] of call.saved)
      calleeSaved[r] = this.machine.getRegister(r) === before ? "preserved" : "changed";
    const expected = call.rspAtCall + (call.convention === SCHEME ? 8n * call.argumentCount : 0n);
    this.sink({
      event: "return",
      step: this.machine.steps,
      rip: hex(e.rip),
      callee: call.callee,
      rax: { raw: hex(rax), decoded: this.decode(rax, type), type },
      calleeSaved,
      rsp: hex(e.rsp),
      balanced: BigInt(e.rsp) === expected,
    });
  }

  onSyscall(e: SyscallEvent): void {
    this.sink({
      event: "syscall",
      step: this.machine.steps,
      rip: hex(e.rip),
      name: e.name,
      number: e.number,
      args: e.args.map((a) => hex(a)),
      result: BigInt.asIntN(64, e.result).toString(),
    });
  }

  private decode(raw: bigint, type: string): string {
    if (type === "unknown" || type === "") return "";
    if (type === "!") return "(does not return)";
    return isTagged(type) ? decodeValue(raw, this.reader) : formatCValue(raw, type);
  }

  private systemVArgs(rsp: bigint, signature: Signature | undefined): ArgumentView[] {
    const params = signature?.params ?? SYSTEM_V.argumentRegisters.map((r) => ({ name: r, type: "unknown" }));
    return params.map((p, i) => {
      let raw: bigint | undefined;
      let where: string;
      if (i < SYSTEM_V.argumentRegisters.length) {
        where = SYSTEM_V.argumentRegisters[i];
        raw = this.machine.getRegister(SYSTEM_V.argumentRegisters[i]);
      } else {
        // Stack arguments: at the call, the 7th is at [rsp], the 8th at [rsp+8]...
        const offset = 8 * (i - SYSTEM_V.argumentRegisters.length);
        where = `[rsp+${offset}]`;
        raw = this.reader.read64(Number(rsp) + offset);
      }
      return {
        where,
        name: signature ? p.name : undefined,
        type: p.type,
        raw: raw === undefined ? "unreadable" : hex(raw),
        decoded: raw === undefined ? "" : this.decode(raw, p.type),
      };
    });
  }

  private schemeArgs(rsp: bigint): ArgumentView[] {
    const count = Number(this.machine.getRegister("rax"));
    const out: ArgumentView[] = [];
    for (let i = 0; i < Math.min(count, 32); i++) {
      const raw = this.reader.read64(Number(rsp) + 8 * i);
      out.push({
        where: `[rsp+${8 * i}]`,
        type: "Value",
        raw: raw === undefined ? "unreadable" : hex(raw),
        decoded: raw === undefined ? "" : decodeValue(raw, this.reader),
      });
    }
    return out;
  }
}

/** Guest memory as a decoder reader that answers undefined instead of throwing. */
export function memoryReader(machine: GuestMachine): WordReader {
  return {
    read64(address: number) {
      try {
        return machine.memory.isMapped(address, 8) ? machine.memory.read64(address) : undefined;
      } catch {
        return undefined;
      }
    },
    read32(address: number) {
      try {
        return machine.memory.isMapped(address, 4) ? machine.memory.read32(address) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** One line of human-readable trace. */
export function formatTraceEvent(e: TraceEvent): string {
  switch (e.event) {
    case "call": {
      const align =
        e.aligned === null ? "" : e.aligned ? "  rsp%16=0 ✓" : `  rsp%16=${e.rspMod16} ✗ misaligned`;
      const args = e.args
        .map((a) => `${a.where}${a.name && a.name !== a.where ? `(${a.name})` : ""}=${a.decoded || a.raw}`)
        .join(" ");
      const where = e.source ? `  [${e.source.file}:${e.source.line}]` : "";
      return `call   ${e.callee.padEnd(22)} from ${e.caller}  ${args}${align}${where}`;
    }
    case "return": {
      const changed = Object.entries(e.calleeSaved)
        .filter(([, v]) => v === "changed")
        .map(([r]) => r);
      const saved = changed.length ? `  ✗ changed: ${changed.join(" ")}` : "  callee-saved ✓";
      return `return ${e.callee.padEnd(22)} rax=${e.rax.decoded || e.rax.raw}${saved}${e.balanced ? "" : "  ✗ rsp not restored"}`;
    }
    case "syscall":
      return `syscall ${e.name}(${e.args.slice(0, 3).join(", ")}) = ${e.result}`;
  }
}
