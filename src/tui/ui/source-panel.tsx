import { Text } from "ink";
import type { SourceView } from "../view/source-view.js";
import { Line, Panel } from "./panel.js";

export function SourcePanel(props: { source: SourceView; width: number; height: number }) {
  const { source, width, height } = props;
  const extra = [source.note, source.asm].filter((x): x is string => x !== undefined);
  const room = Math.max(1, height - extra.length);
  const focus = source.lines.findIndex((l) => l.current);
  const start = Math.max(0, Math.min(focus - Math.floor((room - 1) / 3), source.lines.length - room));
  const lines = source.lines.slice(Math.max(0, start), Math.max(0, start) + room);
  const digits = String(lines[lines.length - 1]?.number ?? 1).length;
  return (
    <Panel title={`source ${source.title}`} width={width} height={height}>
      {lines.map((l) => {
        const chars = Array.from(l.text);
        const [a, b] = l.mark ?? [0, 0];
        const prefix = `${l.current ? "▶" : " "}${String(l.number).padStart(digits)} `;
        return (
          <Text key={l.number} wrap="truncate-end">
            <Text color={l.current ? "yellow" : undefined}>{prefix}</Text>
            <Text>{chars.slice(0, a).join("")}</Text>
            <Text underline inverse={l.current}>
              {chars.slice(a, b).join("")}
            </Text>
            <Text>{chars.slice(b).join("") || (l.text === "" ? " " : "")}</Text>
          </Text>
        );
      })}
      {source.note !== undefined && <Line dim>{`  ${source.note}`}</Line>}
      {source.asm !== undefined && <Line color="cyan">{`  asm ${source.asm}`}</Line>}
    </Panel>
  );
}
