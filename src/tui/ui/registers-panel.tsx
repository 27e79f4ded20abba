import { Text } from "ink";
import { formatWord, type RegisterCell, type RegistersView } from "../view/registers-view.js";
import { Line, Panel, hex } from "./panel.js";

function Cell(props: { cell: RegisterCell; valueWidth: number }) {
  const { cell, valueWidth } = props;
  return (
    <Text color={cell.changed ? "red" : undefined} bold={cell.changed}>
      {`${cell.changed ? "*" : " "}${cell.name.padEnd(3)} ${formatWord(cell.value, valueWidth)}`}
    </Text>
  );
}

export function RegistersPanel(props: {
  registers: RegistersView;
  width: number;
  height: number;
  wide: boolean;
  xmm: boolean;
}) {
  const { registers: r, width, height } = props;
  const valueWidth = props.wide ? 16 : 13;
  if (props.xmm) {
    return (
      <Panel title="xmm registers (x: back to general-purpose)" width={width} height={height}>
        {r.xmm.slice(0, height).map((x) => (
          <Line key={x.name} color={x.changed ? "red" : undefined} bold={x.changed}>
            {`${x.changed ? "*" : " "}${x.name.padEnd(5)}${x.hex}`}
          </Line>
        ))}
      </Panel>
    );
  }
  const rows = [];
  for (let i = 0; i < 8; i++)
    rows.push(
      <Text key={i} wrap="truncate-end">
        <Cell cell={r.registers[i]} valueWidth={valueWidth} />{" "}
        <Cell cell={r.registers[i + 8]} valueWidth={valueWidth} />
      </Text>,
    );
  const changed = r.registers.filter((c) => c.changed);
  const was = changed.map((c) => `${c.name} ${formatWord(c.old!, 16).replace(/^0+(?=.)/, "")}`);
  const wasLines = height - 9;
  const wasText: string[] = [];
  let cur = "was:";
  for (const w of was) {
    if ((cur + " " + w).length > width && wasText.length < wasLines - 1) {
      wasText.push(cur);
      cur = "    ";
    }
    cur += " " + w;
  }
  wasText.push(changed.length ? cur : "");
  return (
    <Panel title="registers (* changed; x: xmm)" width={width} height={height}>
      {rows}
      <Text wrap="truncate-end">
        <Text color={r.ripChanged ? "red" : undefined}>{` rip ${hex(r.rip)}  `}</Text>
        {r.flags.map((f) => (
          <Text key={f.name} bold={f.set} dimColor={!f.set} color={f.changed ? "red" : undefined}>
            {`${f.set ? f.name : f.name.toLowerCase()} `}
          </Text>
        ))}
      </Text>
      {wasText.slice(0, wasLines).map((t, i) => (
        <Line key={i} color="red">
          {t}
        </Line>
      ))}
    </Panel>
  );
}
