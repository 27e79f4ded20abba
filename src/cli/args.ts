import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserInputError } from "../diagnostics.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, unknown>;
  positionals: string[];
  /** Everything after a literal `--`. */
  rest: string[];
}

/** Parse a command's arguments; mistakes become one-line user errors, not stack traces. */
export function parseCommand(command: string, argv: string[], options: Options): Parsed {
  const dash = argv.indexOf("--");
  const head = dash >= 0 ? argv.slice(0, dash) : argv;
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  try {
    const { values, positionals } = parseArgs({ args: head, options, allowPositionals: true, strict: true });
    return { values, positionals, rest };
  } catch (e) {
    const message = e instanceof Error ? e.message.replace(/\. To specify a positional.*$/s, "") : String(e);
    throw new UserInputError(`abi-lab ${command}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`);
  }
}

export function integerOption(command: string, name: string, value: unknown, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
    throw new UserInputError(
      `abi-lab ${command}: --${name} expects a whole number ≥ ${min}, not ${JSON.stringify(value)}`,
    );
  return n;
}

export function envOption(command: string, value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of (value as string[] | undefined) ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UserInputError(`abi-lab ${command}: --env expects NAME=VALUE, not '${pair}'`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

export function oneFile(command: string, positionals: string[]): string {
  if (positionals.length === 0)
    throw new UserInputError(`abi-lab ${command}: which file? (abi-lab ${command} FILE)`);
  if (positionals.length > 1)
    throw new UserInputError(
      `abi-lab ${command}: one file at a time (got ${positionals.join(", ")}); program arguments go after --`,
    );
  return positionals[0];
}

const SIZE_UNITS: Record<string, number> = { "": 0, k: 10, m: 20, g: 30, t: 40 };

/**
 * A size such as `512M`, `2G`, `64k` or `1048576B` (binary units); a plain number is in
 * `plainUnit` (e.g. "M" for --max-memory).
 */
export function sizeOption(
  command: string,
  name: string,
  value: unknown,
  plainUnit: "B" | "M",
): number | undefined {
  if (value === undefined) return undefined;
  const m = typeof value === "string" ? /^(\d+)\s*([kmgt]?)(i?b)?$/i.exec(value.trim()) : null;
  const unit = m ? (m[2] === "" && !m[3] ? (plainUnit === "M" ? 20 : 0) : SIZE_UNITS[m[2].toLowerCase()]) : 0;
  const n = m ? Number(m[1]) * 2 ** unit : NaN;
  if (!m || !Number.isSafeInteger(n) || n < 1)
    throw new UserInputError(
      `abi-lab ${command}: --${name} expects a size such as 64M, 512M or 2G` +
        `${plainUnit === "M" ? " (a plain number is MiB)" : ""}, not ${JSON.stringify(value)}`,
    );
  return n;
}

/** Seconds, e.g. `10` or `0.5`. */
export function secondsOption(command: string, name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n > 0))
    throw new UserInputError(
      `abi-lab ${command}: --${name} expects seconds (e.g. 10 or 0.5), not ${JSON.stringify(value)}`,
    );
  return n;
}
