import type { CliIo } from '../command';

export interface CapturedIo extends CliIo {
  stdout: string[];
  stderr: string[];
}

/** Test helper: a non-interactive CLI io that keeps every line written to stdout and stderr. */
export function captureIo(): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), interactive: false };
}
