import { Text } from "ink";
import type { CallView } from "../view/call-view.js";
import { Line, Panel } from "./panel.js";

const HEADS: Record<CallView["phase"], string> = {
  "before-call": "next instruction: call",
  "in-call": "inside",
  returned: "returned from",
  "before-return": "about to return from",
};

function Verdict(props: { call: CallView }) {
  const a = props.call.alignment;
  const rsp = a.rsp.replace(/^0x/, "");
  if (a.ok === null) return <Line>{`rsp%16 = ${a.mod} at the call (no alignment rule; rsp ${rsp})`}</Line>;
  return (
    <Text wrap="truncate-end">
      {`rsp%16 = ${a.mod} at the call `}
      <Text color={a.ok ? "green" : "red"} bold>
        {a.ok ? "✓ aligned" : "✗ MISALIGNED"}
      </Text>
      {` (rsp ${rsp})`}
    </Text>
  );
}

/** Callee-saved registers: the changed ones first (✗), then the kept ones (✓). */
function Kept(props: { ret: NonNullable<CallView["ret"]> }) {
  const changed = props.ret.saved.filter((s) => !s.ok).map((s) => s.name);
  const kept = props.ret.saved.filter((s) => s.ok).map((s) => s.name);
  return (
    <Text wrap="truncate-end">
      {changed.length > 0 && <Text color="red" bold>{`changed ✗ ${changed.join(" ")} `}</Text>}
      {kept.length > 0 && <Text color="green">{`kept ✓ ${kept.join(" ")}`}</Text>}
      {props.ret.returnAddressOk === false && <Text color="red"> ✗ [rsp] is not the return address</Text>}
    </Text>
  );
}

/**
 * Words to lines of at most `width` columns. Each line is its own element, so the panel keeps
 * what fits and yoga never squeezes another line out to make room for a wrapped paragraph.
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = "";
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function CallPanel(props: { call?: CallView; width: number; height: number }) {
  const { call, width, height } = props;
  if (!call)
    return (
      <Panel title="call" width={width} height={height}>
        <Line dim>no call yet: step to a call instruction (or c to a breakpoint)</Line>
      </Panel>
    );
  const ret = call.ret;
  const nameWidth = Math.max(0, ...call.args.map((a) => (a.name ?? "").length));
  // Decoded first (it says the most), then the raw word.
  const args = call.args.map((a) => {
    const name = (a.name ?? "").padEnd(nameWidth);
    return (
      <Text key={a.where} wrap="truncate-end">
        <Text color="cyan">{a.where.padEnd(4)}</Text>
        {`${name} `}
        <Text bold>{a.decoded && a.decoded !== a.raw ? a.decoded : a.raw}</Text>
        <Text dimColor>
          {`${a.decoded && a.decoded !== a.raw ? `  ${a.raw}` : ""}${a.type && a.type !== "Value" ? ` ${a.type}` : ""}`}
        </Text>
      </Text>
    );
  });
  const title = `call ${call.callee} · ${call.convention}`;
  const head = `${HEADS[call.phase]} ${call.callee} (from ${call.caller}${call.phase === "in-call" && call.step ? `, ${call.step} instr. ago` : ""})`;
  return (
    <Panel title={title} width={width} height={height}>
      <Line bold>{head}</Line>
      {ret && (
        <Text wrap="truncate-end">
          {"rax = "}
          <Text bold>{ret.rax.decoded || ret.rax.raw}</Text>
          {`  ${ret.rax.decoded ? `${ret.rax.raw} ` : ""}${ret.rax.type === "unknown" ? "" : ret.rax.type}`}
        </Text>
      )}
      {ret && <Kept ret={ret} />}
      <Line dim>{call.signature ?? "signature unknown: the six argument registers"}</Line>
      <Verdict call={call} />
      {args}
      {wrapWords(call.alignment.why, width).map((l, i) => (
        <Line key={`why${i}`} dim>
          {l}
        </Line>
      ))}
    </Panel>
  );
}
