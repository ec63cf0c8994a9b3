import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureIo, type CapturedIo } from '../../core/cli/testing/capture-io';
import { main } from '../../core/cli/main';
import { openStore, type ExperimentStore } from '../../core/store';

/** Shared helpers of the reliability tests: the CLI in-process and as a child, store polling, timing. */

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_ENTRY = join(REPO_ROOT, 'bin', 'alignahead.js');

/**
 * The small run every kill and fault trial trains: 200 nodes, 20 epochs of two GCN students,
 * a checkpoint every 2 epochs. The same run as CLI flags and as an API config.
 */
export const PLANNED_EPOCHS = 20;
export const RUN_FLAGS = ['--data', 'csbm:200:800:3:8', '--hidden', '8', '--epochs', String(PLANNED_EPOCHS), '--checkpoint-every', '2', '--heatmap-every', '4', '--backend', 'cpu'];
export const RUN_CONFIG = { data: 'csbm:200:800:3:8', hidden: 8, epochs: PLANNED_EPOCHS, checkpointEvery: 2, heatmapEvery: 4, backend: 'cpu' } as const;

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `alignahead-${label}-`));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { captureIo, type CapturedIo };

/** Runs the CLI in this process; `json` is the last stdout line parsed, when it is JSON. */
export async function runCli(argv: string[]): Promise<{ code: number; io: CapturedIo; json: unknown }> {
  const io = captureIo();
  const code = await main(argv, io);
  let json: unknown = null;
  const last = io.stdout[io.stdout.length - 1];
  if (last !== undefined) {
    try {
      json = JSON.parse(last);
    } catch {
      json = null;
    }
  }
  return { code, io, json };
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node bin/alignahead.js ARGS` as a separate process, its output collected. */
export function spawnCli(args: string[], options: SpawnOptions = {}): { child: ChildProcess; done: Promise<ChildResult> } {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Waits until `condition` holds, checking every `intervalMs`; throws after `timeoutMs`. */
export async function waitFor<T>(condition: () => T | null | undefined | false, what: string, timeoutMs = 60_000, intervalMs = 20): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** A read connection to a database another process is creating; null until it exists and is migrated. */
export function tryOpenStore(path: string): ExperimentStore | null {
  if (!existsSync(path)) return null;
  try {
    return openStore(path, { mustExist: true });
  } catch {
    return null;
  }
}

/** What a finished run's students reached: the numbers an interrupted-then-resumed run must match. */
export function finalMetrics(store: ExperimentStore, runId: number) {
  return store.getStudents(runId).map((s) => ({ bestVal: s.bestVal, bestEpoch: s.bestEpoch, testAtBest: s.testAtBest }));
}

/** Epoch numbers recorded for a run, each with how many student rows it has. */
export function epochRows(store: ExperimentStore, runId: number): Map<number, number> {
  const rows = new Map<number, number>();
  for (const m of store.getMetrics(runId)) rows.set(m.epoch, (rows.get(m.epoch) ?? 0) + 1);
  return rows;
}
