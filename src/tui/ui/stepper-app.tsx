import { useApp, useStdin, useStdout } from "ink";
import { useEffect, useMemo, useRef, useState } from "react";
import { parseKey, type Action } from "../keys.js";
import type { Command, StepSession } from "../session.js";
import { buildView } from "../view/view-model.js";
import { computeLayout, viewSizes } from "./layout.js";
import { Screen } from "./screen.js";

export interface StepperAppProps {
  session: StepSession;
  /** Terminal size (default: stdout's, following resizes). */
  columns?: number;
  rows?: number;
  /** Called after q (the app has unmounted itself). */
  onQuit?: () => void;
}

const COMMANDS: Partial<Record<Action, Command>> = {
  step: "step",
  next: "next",
  finish: "finish",
  continue: "continue",
  break: "break",
  reverse: "reverse",
};

function useTerminalSize(columns?: number, rows?: number): [number, number] {
  const { stdout } = useStdout();
  const read = (): [number, number] => [columns ?? stdout.columns ?? 80, rows ?? stdout.rows ?? 24];
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  });
  return columns !== undefined && rows !== undefined ? [columns, rows] : size;
}

/** Raw keys, F-keys included (ink's useInput does not report which F-key was pressed). */
function useKeys(handler: (action: Action | undefined) => void): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isRawModeSupported, setRawMode]);
  useEffect(() => {
    const onInput = (data: string) => {
      ref.current(parseKey(data));
    };
    events.on("input", onInput);
    return () => {
      events.removeListener("input", onInput);
    };
  }, [events]);
}

export function StepperApp(props: StepperAppProps) {
  const { session } = props;
  const { exit } = useApp();
  const [cols, rows] = useTerminalSize(props.columns, props.rows);
  const [version, setVersion] = useState(0);
  const [help, setHelp] = useState(false);
  const [xmm, setXmm] = useState(false);
  const [busy, setBusy] = useState<string | undefined>();
  const last = useRef<Command | undefined>(undefined);
  const running = useRef(false);

  const layout = useMemo(() => computeLayout(cols, rows), [cols, rows]);
  const vm = useMemo(() => buildView(session, viewSizes(layout)), [session, layout, version]);

  const execute = (command: Command) => {
    if (running.current) return;
    last.current = command;
    if (command === "step" || command === "reverse" || command === "break") {
      session.run(command);
      setVersion((v) => v + 1);
      return;
    }
    // Longer commands: show that they run, then run them.
    running.current = true;
    setBusy(`${command}: running`);
    setTimeout(() => {
      session.run(command);
      running.current = false;
      setBusy(undefined);
      setVersion((v) => v + 1);
    }, 0);
  };

  useKeys((action) => {
    if (help) {
      setHelp(false);
      if (action !== "quit") return;
    }
    switch (action) {
      case "quit":
        exit();
        props.onQuit?.();
        return;
      case "help":
        setHelp(true);
        return;
      case "escape":
      case undefined:
        return;
      case "xmm":
        setXmm((x) => !x);
        return;
      case "repeat":
        if (last.current) execute(last.current);
        return;
      default: {
        const command = COMMANDS[action];
        if (command) execute(command);
      }
    }
  });

  return <Screen vm={vm} layout={layout} help={help} xmm={xmm} busy={busy} />;
}
