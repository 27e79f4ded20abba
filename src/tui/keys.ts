/** The stepper's keys: raw terminal input → action. */

export type Action =
  | "step"
  | "next"
  | "finish"
  | "continue"
  | "break"
  | "reverse"
  | "quit"
  | "help"
  | "repeat"
  | "xmm"
  | "escape";

const KEYS: Record<string, Action> = {
  s: "step",
  "\x1b[18~": "step", // F7
  n: "next",
  "\x1b[19~": "next", // F8
  f: "finish",
  c: "continue",
  "\x1b[20~": "continue", // F9
  b: "break",
  "\x1bOQ": "break", // F2 (xterm)
  "\x1b[12~": "break", // F2 (rxvt)
  "\x1b[[B": "break", // F2 (linux console)
  r: "reverse",
  q: "quit",
  "\x03": "quit", // Ctrl-C
  "?": "help",
  h: "help",
  "\r": "repeat",
  "\n": "repeat",
  x: "xmm",
  "\x1b": "escape",
};

export function parseKey(input: string): Action | undefined {
  return KEYS[input];
}

/** The help screen's lines. */
export const HELP: [string, string][] = [
  ["s  F7", "step one instruction (into calls)"],
  ["n  F8", "next: step over a call (runs until it returns)"],
  ["f", "finish: run until the current function returns"],
  ["c  F9", "continue to a breakpoint, the exit or a fault"],
  ["b  F2", "toggle a breakpoint at rip"],
  ["r", "reverse step: undo one instruction (registers, memory, files, output)"],
  ["Enter", "repeat the last command"],
  ["x", "show XMM registers instead of the general-purpose ones"],
  ["?  h", "this help (any key closes it)"],
  ["q", "quit"],
];
