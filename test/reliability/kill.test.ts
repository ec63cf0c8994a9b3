import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, EpochMetricRow, RunSummary } from '../../contract/api';
import { createBackend, type Backend } from '../../core/api/backend';
import type { TrainingHost } from '../../core/host/training-host';
import { Rng } from '../../core/random';
import { openStore, type ExperimentStore } from '../../core/store';
import {
  epochRows,
  finalMetrics,
  PLANNED_EPOCHS,
  RUN_CONFIG,
  RUN_FLAGS,
  runCli,
  sleep,
  spawnCli,
  tempDir,
  tryOpenStore,
  waitFor,
} from './harness';

/**
 * Kill trials: real training (the CLI as a child process, and serve-mode workers forked by the
 * training host) is SIGKILLed at a moment drawn from a seeded Rng: once 0–7 of 20 epochs are
 * recorded, plus 0–150 ms (so kills land inside epochs and inside writes). After each kill:
 * the database passes PRAGMA integrity_check, every epoch recorded before the kill is still there
 * (whole: one row per student, numbered without gaps), the run reads as interrupted (CLI) or failed
 * (serve: the host records why its worker died), and resuming continues from the last checkpoint
 * to the planned 20 epochs with the same final metrics as an uninterrupted run of the same config.
 */

const CLI_SEEDS = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110];
const SERVE_SEEDS = [201, 202, 203, 204, 205, 206, 207, 208, 209, 210];

interface KillPlan {
  /** kill once this many epochs are recorded (0: once the run is running) */
  afterEpochs: number;
  /** ...and this many milliseconds later */
  delayMs: number;
}

function killPlan(seed: number): KillPlan {
  const rng = new Rng(seed);
  // Kills come early enough that a dozen epochs (tiny ones, ~20 ms each) remain: on a loaded
  // machine the poll that sees epoch k can lag, and a trainer that finished first tests nothing.
  return { afterEpochs: rng.int(PLANNED_EPOCHS - 12), delayMs: rng.int(150) };
}

const dir = tempDir('kill');
let reference: ReturnType<typeof finalMetrics>;
const trialsRun = { cli: 0, serve: 0 };

beforeAll(async () => {
  // The uninterrupted run every resumed run must match, trained once in this process.
  const path = join(dir, 'reference.sqlite');
  const { code, io } = await runCli(['train', ...RUN_FLAGS, '--db', path, '--json', '--quiet']);
  expect(code, io.stderr.join('\n')).toBe(0);
  const store = openStore(path, { mustExist: true });
  reference = finalMetrics(store, 1);
  expect(store.finishedEpochs(1)).toBe(PLANNED_EPOCHS);
  store.close();
  expect(reference.every((s) => s.bestVal !== null && s.bestEpoch !== null)).toBe(true);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Whole epochs numbered 1..n, one row per student; returns n. */
function checkWholeEpochs(store: ExperimentStore, runId: number, students: number): number {
  const rows = epochRows(store, runId);
  const epochs = [...rows.keys()].sort((a, b) => a - b);
  expect(epochs).toEqual(epochs.map((_, i) => i + 1));
  for (const count of rows.values()) expect(count).toBe(students);
  return epochs.length;
}

/** The rows a resume must leave alone: those up to the last checkpoint. */
function rowsUpToCheckpoint(store: ExperimentStore, runId: number): { checkpoint: number; rows: EpochMetricRow[] } {
  const checkpoint = store.latestCheckpoint(runId)?.epoch ?? 0;
  return { checkpoint, rows: store.getMetrics(runId).filter((m) => m.epoch <= checkpoint) };
}

interface KilledTrainer {
  seed: number;
  db: string;
  store: ExperimentStore;
  /** epochs another connection saw committed just before the kill */
  recordedBeforeKill: number;
}

/**
 * Starts the CLI trainer and SIGKILLs it as planned. Only this part of a trial runs side by side
 * with another: the checks and the resume train in this process, whose event loop they block.
 */
async function startAndKill(seed: number): Promise<KilledTrainer> {
  const plan = killPlan(seed);
  const db = join(dir, `cli-${seed}.sqlite`);
  const { child, done } = spawnCli(['train', ...RUN_FLAGS, '--db', db, '--json', '--quiet']);
  let exited: string | null = null;
  void done.then((result) => (exited = result.stderr));
  let store: ExperimentStore | null = null;
  try {
    await waitFor(() => {
      if (exited !== null) throw new Error(`seed ${seed}: the trainer ended before it was killed: ${exited}`);
      // Opened only once the trainer has switched the new file to WAL (the -wal file exists), so
      // that this connection never races the trainer's own setup of the file.
      if (!existsSync(`${db}-wal`)) return false;
      store ??= tryOpenStore(db);
      const run = store?.getRun(1);
      return run?.status === 'running' && store!.finishedEpochs(1) >= plan.afterEpochs;
    }, `seed ${seed}: ${plan.afterEpochs} recorded epochs`);
    await sleep(plan.delayMs);
    // Committed (visible to another connection) before the kill: these must survive it.
    const recordedBeforeKill = store!.finishedEpochs(1);
    child.kill('SIGKILL');
    const result = await done;
    expect(result.signal, `seed ${seed}: ${result.stderr}`).toBe('SIGKILL');
    return { seed, db, store: store!, recordedBeforeKill };
  } catch (error) {
    (store as ExperimentStore | null)?.close();
    throw error;
  } finally {
    if (exited === null) child.kill('SIGKILL');
  }
}

async function checkAndResume({ db, store: s, recordedBeforeKill }: KilledTrainer): Promise<void> {
  try {
    expect(s.integrityCheck()).toBe('ok');
    const survived = checkWholeEpochs(s, 1, 2);
    expect(survived).toBeGreaterThanOrEqual(recordedBeforeKill);
    expect(survived).toBeLessThan(PLANNED_EPOCHS);
    const kept = rowsUpToCheckpoint(s, 1);
    expect(kept.checkpoint).toBeLessThanOrEqual(survived);

    const listed = await runCli(['runs', 'list', '--db', db, '--json']);
    expect(listed.code).toBe(0);
    expect((listed.json as { runs: RunSummary[] }).runs[0]).toMatchObject({ id: 1, status: 'interrupted', epochs: survived });

    const resumed = await runCli(['train', '--resume', '1', '--db', db, '--json', '--quiet']);
    expect(resumed.code, resumed.io.stderr.join('\n')).toBe(0);
    expect(resumed.json).toMatchObject({ runId: 1, status: 'completed', epochs: PLANNED_EPOCHS });

    expect(s.integrityCheck()).toBe('ok');
    expect(s.getRun(1)!.status).toBe('completed');
    expect(checkWholeEpochs(s, 1, 2)).toBe(PLANNED_EPOCHS);
    // Continued from the checkpoint: the epochs up to it were not trained (or written) again.
    expect(s.getMetrics(1).filter((m) => m.epoch <= kept.checkpoint)).toEqual(kept.rows);
    expect(finalMetrics(s, 1)).toEqual(reference);
    trialsRun.cli++;
  } finally {
    s.close();
  }
}

describe('CLI trainer killed with SIGKILL', () => {
  for (let pair = 0; pair < CLI_SEEDS.length; pair += 2) {
    const seeds = CLI_SEEDS.slice(pair, pair + 2);
    it(`seeds ${seeds.join(', ')}: nothing recorded is lost, resume matches an uninterrupted run`, async () => {
      const killed = await Promise.allSettled(seeds.map((seed) => startAndKill(seed)));
      for (const outcome of killed) if (outcome.status === 'fulfilled') await checkAndResume(outcome.value);
      for (const outcome of killed) if (outcome.status === 'rejected') throw outcome.reason;
    }, 120_000);
  }
});

describe('serve-mode worker killed with SIGKILL', () => {
  let store: ExperimentStore;
  let host: TrainingHost;
  let backend: Backend;
  const events: ApiEvent[] = [];
  const waiters = new Set<() => void>();
  const serveDir = join(dir, 'serve');

  beforeAll(async () => {
    const databasePath = join(serveDir, 'db.sqlite');
    const onEvent = (event: ApiEvent) => {
      events.push(event);
      for (const wake of [...waiters]) wake();
    };
    backend = createBackend({ mode: 'serve', databasePath, dataDir: join(serveDir, 'data'), cacheDir: join(serveDir, 'cache'), importRoots: [], onEvent, log: () => {} });
    ({ store, host } = backend);
    // Trials run in pairs, as two workers side by side.
    expect((await backend.dispatch('settings.set', { maxConcurrentRuns: 2 })).ok).toBe(true);
  });

  afterAll(async () => {
    await host?.dispose({ graceMs: 1000 });
    await backend?.dispose();
  });

  /** The first event from `from` on that matches. */
  function nextEvent(match: (e: ApiEvent) => boolean, from: number, what: string, timeoutMs = 60_000): Promise<ApiEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = events.slice(from).find(match);
        if (!found) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  }

  async function call<T>(name: string, input: unknown): Promise<T> {
    const result = await backend.dispatch(name, input);
    if (!result.ok) throw new Error(`${name}: ${result.error.status} ${result.error.error}`);
    return result.value as T;
  }

  const isStatus = (runId: number, status: string) => (e: ApiEvent) => e.type === 'run.status' && e.runId === runId && e.status === status;

  async function serveTrial(seed: number): Promise<void> {
    const plan = killPlan(seed);
    const from = events.length;
    const { ids } = await call<{ ids: number[] }>('runs.create', { configs: [RUN_CONFIG] });
    const [id] = ids;
    await nextEvent(
      (e) => (plan.afterEpochs === 0 ? isStatus(id, 'running')(e) : e.type === 'run.epoch' && e.runId === id && e.epoch >= plan.afterEpochs),
      from,
      `seed ${seed}: ${plan.afterEpochs} reported epochs`,
    );
    await sleep(plan.delayMs);
    const pid = host.activeRuns().find((r) => r.runId === id)?.pid;
    expect(pid, `seed ${seed}: the worker ended before it was killed`).toBeGreaterThan(0);
    // Reported over IPC before the kill, i.e. recorded by the worker: these must survive it.
    const reported = events.slice(from).filter((e) => e.type === 'run.epoch' && e.runId === id).length;
    process.kill(pid!, 'SIGKILL');
    const failedAt = events.length;
    const failed = await nextEvent(isStatus(id, 'failed'), from, `seed ${seed}: run ${id} failed`);
    expect(failed).toMatchObject({ error: 'training process exited with signal SIGKILL' });

    expect(store.integrityCheck()).toBe('ok');
    const survived = checkWholeEpochs(store, id, 2);
    expect(survived).toBeGreaterThanOrEqual(reported);
    expect(survived).toBeLessThan(PLANNED_EPOCHS);
    expect(store.getRun(id)!.status).toBe('failed');
    const kept = rowsUpToCheckpoint(store, id);

    await call('runs.resume', { id });
    await nextEvent(isStatus(id, 'completed'), failedAt, `seed ${seed}: resumed run ${id} completed`);
    expect(store.integrityCheck()).toBe('ok');
    expect(checkWholeEpochs(store, id, 2)).toBe(PLANNED_EPOCHS);
    expect(store.getMetrics(id).filter((m) => m.epoch <= kept.checkpoint)).toEqual(kept.rows);
    expect(finalMetrics(store, id)).toEqual(reference);
    trialsRun.serve++;
  }

  for (let pair = 0; pair < SERVE_SEEDS.length; pair += 2) {
    const seeds = SERVE_SEEDS.slice(pair, pair + 2);
    it(`seeds ${seeds.join(', ')}: nothing reported is lost, resume matches an uninterrupted run`, async () => {
      await Promise.all(seeds.map((seed) => serveTrial(seed)));
    }, 120_000);
  }
});

describe('trial count', () => {
  it('ran at least 20 kill trials, every one of them passing', () => {
    expect(trialsRun.cli + trialsRun.serve).toBe(CLI_SEEDS.length + SERVE_SEEDS.length);
    expect(trialsRun.cli + trialsRun.serve).toBeGreaterThanOrEqual(20);
  });
});
