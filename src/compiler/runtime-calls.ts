/**
 * Primitives implemented by runtime-rs: the System V function each one calls, and the
 * default for each optional argument (another primitive call, e.g. the current output port).
 */

export interface RuntimePrimitive {
  symbol: string;
  /** Number of arguments the runtime function takes. */
  arity: number;
  /** For missing trailing arguments: the zero-argument primitive whose value to pass. */
  defaults?: string[];
  /** The function never returns (errors, exit). */
  noReturn?: boolean;
}

export const RUNTIME_PRIMITIVES: Record<string, RuntimePrimitive> = {
  writeln: { symbol: "writeln", arity: 2, defaults: ["current-output-port"] },
  display: { symbol: "rt_display", arity: 2, defaults: ["current-output-port"] },
  write: { symbol: "rt_write", arity: 2, defaults: ["current-output-port"] },
  newline: { symbol: "rt_newline", arity: 1, defaults: ["current-output-port"] },
  "write-char": { symbol: "rt_write_char", arity: 2, defaults: ["current-output-port"] },
  "open-output-file": { symbol: "rt_open_output_file", arity: 1 },
  "open-input-file": { symbol: "rt_open_input_file", arity: 1 },
  "close-port": { symbol: "rt_close_port", arity: 1 },
  "read-char": { symbol: "rt_read_char", arity: 1, defaults: ["current-input-port"] },
  "peek-char": { symbol: "rt_peek_char", arity: 1, defaults: ["current-input-port"] },
  "current-output-port": { symbol: "rt_current_output_port", arity: 0 },
  "current-input-port": { symbol: "rt_current_input_port", arity: 0 },
  "current-error-port": { symbol: "rt_current_error_port", arity: 0 },
  "flush-output-port": { symbol: "rt_flush_output_port", arity: 1, defaults: ["current-output-port"] },
  exit: { symbol: "rt_exit", arity: 1, noReturn: true },
  "equal?": { symbol: "rt_equal", arity: 2 },
  "string->symbol": { symbol: "rt_string_to_symbol", arity: 1 },
  "symbol->string": { symbol: "rt_symbol_to_string", arity: 1 },
  "make-string": { symbol: "rt_make_string", arity: 2 },
  substring: { symbol: "rt_substring", arity: 3 },
};

/** System V integer argument registers, in order. */
export const ARG_REGISTERS = ["rdi", "rsi", "rdx", "rcx", "r8", "r9"] as const;
