import { Box, Text } from "ink";
import { HELP } from "../keys.js";
import type { ViewModel } from "../view/view-model.js";
import { CallPanel } from "./call-panel.js";
import { DisasmPanel } from "./disasm-panel.js";
import type { Layout } from "./layout.js";
import { OutputPanel, SyscallPanel } from "./output-panel.js";
import { Line } from "./panel.js";
import { RegistersPanel } from "./registers-panel.js";
import { SourcePanel } from "./source-panel.js";
import { StackPanel } from "./stack-panel.js";

const KEY_HINT = "s step n next f finish c cont b break r back ? help q quit";

export interface ScreenProps {
  vm: ViewModel;
  layout: Layout;
  help: boolean;
  xmm: boolean;
  busy?: string;
}

function Header(props: { vm: ViewModel; width: number }) {
  const { vm } = props;
  const state = vm.exited !== null ? `exited (${vm.exited})` : vm.where;
  const text = ` abi-lab step ${vm.file} · step ${vm.steps.toLocaleString("en-US")} · ${state} · history ${vm.historyDepth.toLocaleString("en-US")} `;
  const flagged =
    vm.violations > 0 ? ` ✗ ${vm.violations} convention violation${vm.violations === 1 ? "" : "s"} ` : "";
  return (
    <Text bold inverse color="blue" wrap="truncate-end">
      {text}
      {flagged && <Text color="red">{flagged}</Text>}
      {"".padEnd(Math.max(0, props.width - text.length - flagged.length))}
    </Text>
  );
}

function Status(props: { vm: ViewModel; busy?: string; width: number }) {
  const { vm, busy } = props;
  const color = vm.stop.violation
    ? "red"
    : { fault: "red", exit: "green", breakpoint: "yellow" }[vm.stop.kind as string];
  const message = busy ? `${busy}…` : vm.stop.message;
  const room = props.width - message.length - 3;
  return (
    <Text wrap="truncate-end">
      <Text color={color} bold>
        {message}
      </Text>
      {room > 20 ? <Text dimColor>{`   ${KEY_HINT.slice(0, room)}`}</Text> : null}
    </Text>
  );
}

function Help(props: { width: number; height: number }) {
  return (
    <Box flexDirection="column" width={props.width} height={props.height} paddingLeft={2}>
      <Line bold>abi-lab step: keys</Line>
      <Line> </Line>
      {HELP.map(([k, what]) => (
        <Text key={k} wrap="truncate-end">
          <Text color="yellow">{k.padEnd(8)}</Text>
          {what}
        </Text>
      ))}
      <Line> </Line>
      <Line dim>
        The call panel shows each call&apos;s arguments (raw and decoded) and rsp%16 at the call;
      </Line>
      <Line dim>at the return: rax decoded and which callee-saved registers came back changed.</Line>
      <Line dim>
        The convention checker runs at every call and return (alignment, callee-saved, stack balance,
      </Line>
      <Line dim>
        direction flag): the header counts violations. Red-zone writes: abi-lab run --check or trace.
      </Line>
    </Box>
  );
}

export function Screen(props: ScreenProps) {
  const { vm, layout: l } = props;
  const body = l.rows - 2;
  return (
    <Box flexDirection="column" width={l.cols} height={l.rows}>
      <Header vm={vm} width={l.cols} />
      {props.help ? (
        <Help width={l.cols} height={body} />
      ) : (
        <Box flexDirection="row" height={body}>
          <Box flexDirection="column" width={l.leftWidth}>
            <SourcePanel source={vm.source} width={l.leftWidth} height={l.source} />
            <DisasmPanel
              title={`disassembly · ${vm.where}`}
              lines={vm.disasm}
              width={l.leftWidth}
              height={l.disasm}
            />
            <CallPanel call={vm.call} width={l.leftWidth} height={l.call} />
          </Box>
          <Box width={1} />
          <Box flexDirection="column" width={l.rightWidth}>
            <RegistersPanel
              registers={vm.registers}
              width={l.rightWidth}
              height={l.registers}
              wide={l.wideRegisters}
              xmm={props.xmm}
            />
            <StackPanel slots={vm.stack} width={l.rightWidth} height={l.stack} />
            <OutputPanel lines={vm.output} width={l.rightWidth} height={l.output} />
            <SyscallPanel lines={vm.syscalls} width={l.rightWidth} height={l.syscalls} />
          </Box>
        </Box>
      )}
      <Status vm={vm} busy={props.busy} width={l.cols} />
    </Box>
  );
}
