import type { ViewSizes } from "../view/view-model.js";

/** Where each panel goes: column widths and content heights (title lines not included). */
export interface Layout {
  cols: number;
  rows: number;
  leftWidth: number;
  rightWidth: number;
  source: number;
  disasm: number;
  call: number;
  registers: number;
  stack: number;
  output: number;
  syscalls: number;
  /** Full 16-digit register values fit. */
  wideRegisters: boolean;
}

export const MIN_COLS = 80;
export const MIN_ROWS = 24;

/** Two columns: code on the left (source, disassembly, call panel), state on the right. */
export function computeLayout(cols: number, rows: number): Layout {
  const c = Math.max(cols, MIN_COLS);
  const r = Math.max(rows, MIN_ROWS);
  const body = r - 2; // header and status lines
  // Below 100 columns the right side gets what compact registers need; above, 16-digit registers.
  const rightWidth = c < 100 ? c - Math.max(41, Math.floor(c * 0.52)) - 1 : 44 + Math.floor((c - 100) * 0.4);
  const leftWidth = c - rightWidth - 1;
  // Left: three titled panels.
  const leftContent = body - 3;
  const source = Math.max(4, Math.round(leftContent * 0.22));
  const call = Math.max(9, Math.round(leftContent * 0.38));
  const disasm = leftContent - source - call;
  // Right: registers (8 rows of two, rip and flags, old values), stack, output, syscalls.
  const registers = body >= 26 ? 11 : 10;
  const rest = body - 4 - registers;
  const output = Math.max(2, Math.floor(rest * 0.22));
  const syscalls = Math.max(1, Math.floor(rest * 0.14));
  const stack = rest - output - syscalls;
  return {
    cols: c,
    rows: r,
    leftWidth,
    rightWidth,
    source,
    disasm,
    call,
    registers,
    stack,
    output,
    syscalls,
    wideRegisters: rightWidth >= 2 * 21,
  };
}

export function viewSizes(l: Layout): ViewSizes {
  return { source: l.source, disasm: l.disasm, stack: l.stack, output: l.output, syscalls: l.syscalls };
}
