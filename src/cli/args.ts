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
