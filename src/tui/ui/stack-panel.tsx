import { Text } from "ink";
import type { StackSlot } from "../view/stack-view.js";
import { formatWord } from "../view/registers-view.js";
import { Panel, hex } from "./panel.js";

/** The stack from rsp upward; narrow terminals show addresses as offsets from rsp. */
export function StackPanel(props: { slots: StackSlot[]; width: number; height: number }) {
  const { slots, width, height } = props;
  const rsp = slots.find((s) => s.top)?.address ?? slots[0]?.address ?? 0;
  const fullAddress = width >= 50;
  const valueWidth = width >= 60 ? 16 : 12;
  const where = (a: number) => (fullAddress ? hex(a).padStart(12) : `+${hex(a - rsp)}`.padStart(5));
  return (
    <Panel title={`stack at rsp=${hex(rsp)} (─ 16-byte line, ═ frame edge)`} width={width} height={height}>
      {slots.slice(0, height).map((s) => {
        const mark = s.top ? "rsp" : s.base ? "rbp" : "   ";
        const edge = s.frameEdge ? "═" : s.boundary16 ? "─" : " ";
        const value = s.value === undefined ? "?".padStart(valueWidth) : formatWord(s.value, valueWidth);
        return (
          <Text key={s.address} wrap="truncate-end">
            <Text color={s.top ? "yellow" : s.base ? "cyan" : undefined}>{mark}</Text>
            <Text dimColor={!s.boundary16 && !s.frameEdge}>{edge}</Text>
            <Text>{`${where(s.address)} ${value} `}</Text>
            <Text color={s.frameEdge ? "green" : undefined} dimColor={!s.frameEdge}>
              {s.meaning}
            </Text>
          </Text>
        );
      })}
    </Panel>
  );
}
