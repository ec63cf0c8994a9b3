import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors';

/** Where a command writes: stdout for results, stderr for progress and messages (tests pass their own). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** true when stderr is a terminal (progress bars redraw in place) */
  readonly interactive: boolean;
}

export interface Command {
  /** words that select it, e.g. ['datasets', 'inspect'] */
  readonly path: string[];
  readonly summary: string;
  /** usage line(s) shown by `--help` and after a usage error */
  readonly usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/**
 * Strict option parsing shared by every command: unknown options and missing values are UserErrors
 * naming the option, so the CLI prints one clear line.
 */
export function parseOptions<T extends OptionSpec>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UserError((error as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

/** Parses a numeric option value, naming the option on failure. */
export function numberOption(name: string, raw: string | undefined, fallback: number, check?: (v: number) => boolean): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (check && !check(value))) {
    throw new UserError(`--${name}: invalid value '${raw}'`);
  }
  return value;
}

/** With --json, the last stdout line is one JSON object. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value));
}
