import { Text } from "ink";
import type { DisasmLine } from "../view/view-model.js";
import { Panel, hex } from "./panel.js";

export function DisasmPanel(props: { lines: DisasmLine[]; width: number; height: number; title: string }) {
  const { width, height } = props;
  // A label takes a line of its own when there is room.
  const rows: { key: string; label?: string; line?: DisasmLine }[] = [];
  for (const l of props.lines) {
    if (l.label) rows.push({ key: `l${l.address}`, label: l.label });
    rows.push({ key: `i${l.address}`, line: l });
  }
  const current = rows.findIndex((r) => r.line?.current);
  const start = Math.max(0, Math.min(current - Math.floor(height / 3), rows.length - height));
  return (
    <Panel title={props.title} width={width} height={height}>
      {rows.slice(start, start + height).map((r) =>
        r.label ? (
          <Text key={r.key} wrap="truncate-end" color="green">
            {`${r.label}:`}
          </Text>
        ) : (
          <Text key={r.key} wrap="truncate-end">
            <Text color="red">{r.line!.breakpoint ? "●" : " "}</Text>
            <Text color={r.line!.current ? "yellow" : undefined} bold={r.line!.current}>
              {`${r.line!.current ? "▶" : " "}${hex(r.line!.address).padStart(6)}  ${r.line!.text}`}
            </Text>
          </Text>
        ),
      )}
    </Panel>
  );
}
