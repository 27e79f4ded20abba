import type { ArgumentView } from "../../abi/call-trace.js";
import { SCHEME } from "../../abi/conventions.js";
import {
  describeCall,
  copyRegs,
  describeReturn,
  previewCall,
  type CallRecord,
  type Frame,
  type ReturnRecord,
} from "../call-tracker.js";
import { callTarget, decodeAt } from "../disasm.js";
import type { StepSession } from "../session.js";

export interface AlignmentView {
  rsp: string;
  mod: number;
  /** null: the convention has no alignment rule. */
  ok: boolean | null;
  why: string;
}

export interface ReturnView {
  rax: { raw: string; decoded: string; type: string };
  /** Register → preserved? (rbx rbp r12–r15 for System V, then rsp). */
  saved: { name: string; ok: boolean }[];
  /** For a ret about to execute: whether [rsp] holds the return address the call pushed. */
  returnAddressOk?: boolean;
}

export interface CallView {
  /** "next: call" (rip at a call), "in call" (inside the callee), "returned" or "at ret". */
  phase: "before-call" | "in-call" | "returned" | "before-return";
  callee: string;
  caller: string;
  convention: string;
  signature?: string;
  args: ArgumentView[];
  alignment: AlignmentView;
  ret?: ReturnView;
  /** Instructions since the call (in-call) or the return. */
  step: number;
}

export const WHY_ALIGNED =
  "System V wants rsp%16 == 0 at every call, so the callee's 16-byte stack slots (movaps, SSE spills) are aligned.";
export const WHY_MISALIGNED =
  "System V wants rsp%16 == 0 at a call: the callee's movaps on its 16-byte stack slots will fault (SIGSEGV) or break.";
export const WHY_SCHEME =
  "Scheme convention: arguments pushed on the stack, count in rax, closure in rbx; no rsp%16 rule.";

function alignmentOf(call: CallRecord): AlignmentView {
  return {
    rsp: call.rsp,
    mod: call.rspMod16,
    ok: call.aligned,
    why: call.aligned === null ? WHY_SCHEME : call.aligned ? WHY_ALIGNED : WHY_MISALIGNED,
  };
}

function fromCall(phase: CallView["phase"], call: CallRecord, step: number): CallView {
  return {
    phase,
    callee: call.callee,
    caller: call.caller,
    convention: call.convention,
    signature: call.signature,
    args: call.args,
    alignment: alignmentOf(call),
    step,
  };
}

function fromReturn(ret: ReturnRecord, extraSaved: { name: string; ok: boolean }[]): ReturnView {
  return {
    rax: ret.rax,
    saved: [
      ...Object.entries(ret.calleeSaved).map(([name, v]) => ({ name, ok: v === "preserved" })),
      ...extraSaved,
    ],
  };
}

/** The call panel: the call about to happen, the one we are in, or the return that just happened. */
export function callView(session: StepSession): CallView | undefined {
  const { machine, view, tracker } = session;
  const rip = machine.rip;
  const ins = machine.exited === null ? decodeAt(machine.memory, rip, view) : undefined;
  if (ins?.isCall) {
    const target = callTarget(machine, rip);
    if (target !== undefined)
      return fromCall("before-call", previewCall(machine, view, rip, rip + ins.length, target), 0);
  }
  const top = tracker.state.top;
  if (ins?.isReturn && top) return beforeReturn(session, top, ins.bytes);
  const last = tracker.state.last;
  if (!last) return undefined;
  if (last.kind === "call") {
    return fromCall("in-call", describeCall(machine, view, last.frame), machine.steps - last.frame.steps);
  }
  const { call, ret } = describeReturn(machine, view, last);
  const v = fromCall("returned", call, machine.steps - last.steps);
  v.ret = fromReturn(ret, [{ name: "rsp", ok: ret.balanced }]);
  return v;
}

/** At a ret: what it will return, and what the callee kept. */
function beforeReturn(session: StepSession, frame: Frame, bytes: Uint8Array): CallView {
  const { machine, view } = session;
  const rsp = Number(machine.getRegister("rsp"));
  // ret imm16 (c2 iw) also pops its arguments
  const imm = bytes[0] === 0xc2 ? bytes[1] | (bytes[2] << 8) : 0;
  const pushed = machine.memory.isMapped(rsp, 8) ? Number(machine.memory.read64(rsp)) : undefined;
  const { call, ret } = describeReturn(machine, view, {
    kind: "return",
    frame,
    ret: { rip: machine.rip, target: frame.call.returnAddress, rsp: rsp + 8 + imm },
    regs: copyRegs(machine.r),
    steps: machine.steps,
  });
  const v = fromCall("before-return", call, machine.steps - frame.steps);
  v.ret = fromReturn(ret, [{ name: "rsp", ok: ret.balanced }]);
  v.ret.returnAddressOk = pushed === frame.call.returnAddress;
  if (call.convention === SCHEME.name) v.alignment.why = WHY_SCHEME;
  return v;
}
