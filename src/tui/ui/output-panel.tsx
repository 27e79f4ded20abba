import { Text } from "ink";
import type { OutputLine } from "../view/view-model.js";
import { Line, Panel } from "./panel.js";

export function OutputPanel(props: { lines: OutputLine[]; width: number; height: number }) {
  return (
    <Panel title="output (stdout, stderr, sandbox files)" width={props.width} height={props.height}>
      {props.lines.length === 0 && <Line dim>(nothing written yet)</Line>}
      {props.lines.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          <Text color={l.source === "stderr" ? "red" : "cyan"}>{`${l.source}| `}</Text>
          {l.text}
        </Text>
      ))}
    </Panel>
  );
}

export function SyscallPanel(props: { lines: string[]; width: number; height: number }) {
  return (
    <Panel title="syscalls" width={props.width} height={props.height}>
      {props.lines.length === 0 && <Line dim>(none yet)</Line>}
      {props.lines.map((l, i) => (
        <Line key={i}>{l}</Line>
      ))}
    </Panel>
  );
}
