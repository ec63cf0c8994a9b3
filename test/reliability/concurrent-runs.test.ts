import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../../core/store';
import { CLI_ENTRY, REPO_ROOT, sleep, tempDir, waitFor } from './harness';

/**
 * Serve mode training 4 runs at once (4 worker processes writing to one database) while a client
 * polls what the UI polls (runs.list, runs.compare, runs.alignment of every run) as fast as it can:
 * no call fails, no SQLITE_BUSY or "database is locked" surfaces in any answer, run event or log
 * line, every run completes with every epoch of every student, and the WAL file stays under its
 * bound (the store limits it and the host checkpoints it while runs train).
 */

const RUNS = 4;
const EPOCHS = 24;
/** The WAL's bound: the store's journal_size_limit (8 MiB) plus what the epochs of one checkpoint interval add. */
const WAL_BOUND_BYTES = 12 * 1024 * 1024;
// Checkpoints every epoch and a wide hidden layer: each run writes ~270 KiB per epoch, 25 MB in all,
// six times what SQLite's automatic checkpoint (1000 pages, 4 MiB) lets the WAL reach when it can reset it.
const CONFIG = { data: 'csbm:300:1500:3:16', hidden: 96, epochs: EPOCHS, checkpointEvery: 1, heatmapEvery: 2, backend: 'cpu' } as const;
const LOCK_PROBLEM = /SQLITE_BUSY|SQLITE_LOCKED|database is locked|locked by another process/i;

const dir = tempDir('concurrent');
let server: ChildProcess | null = null;
afterAll(() => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('trains 4 runs at once under a polling UI with no lock errors, every epoch stored and a bounded WAL', async () => {
  const dbPath = join(dir, 'runs.sqlite');
  const token = randomBytes(16).toString('hex');
  server = spawn(process.execPath, [CLI_ENTRY, 'serve', '--db', dbPath, '--port', '0', '--token', token], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout!.on('data', (chunk) => (log += chunk));
  server.stderr!.on('data', (chunk) => (log += chunk));
  const origin = await waitFor(() => /(http:\/\/[^\s/]+)\/\?token=/.exec(log)?.[1], 'serve mode to print its URL', 60_000);

  const failures: string[] = [];
  async function call<T>(name: string, input: unknown): Promise<T> {
    const reply = await fetch(`${origin}/api/call/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(input) });
    const text = await reply.text();
    if (!reply.ok) failures.push(`${name}: ${reply.status} ${text.slice(0, 300)}`);
    else if (LOCK_PROBLEM.test(text)) failures.push(`${name}: an answer mentions a lock: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  await call('settings.set', { maxConcurrentRuns: RUNS });
  const { ids } = await call<{ ids: number[] }>('runs.create', { configs: Array.from({ length: RUNS }, (_, seed) => ({ ...CONFIG, seed })) });
  expect(ids).toHaveLength(RUNS);

  let walMax = 0;
  let polls = 0;
  let running = 0;
  const walPath = `${dbPath}-wal`;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      if (existsSync(walPath)) walMax = Math.max(walMax, statSync(walPath).size);
      await sleep(50);
    }
  })();
  const deadline = Date.now() + 240_000;
  for (;;) {
    const { runs } = await call<{ runs: { id: number; status: string }[] }>('runs.list', { limit: 10 });
    running = Math.max(running, runs.filter((r) => r.status === 'running').length);
    await call('runs.compare', { ids });
    for (const id of ids) await call('runs.alignment', { id });
    polls++;
    await sleep(10);
    if (runs.every((r) => !['queued', 'running'].includes(r.status))) break;
    if (Date.now() > deadline) throw new Error(`the runs did not finish in time: ${JSON.stringify(runs)}`);
  }
  done = true;
  await sampler;

  expect(failures).toEqual([]);
  expect(polls).toBeGreaterThan(10);
  // all four were training at once at some point
  expect(running).toBe(RUNS);
  expect(walMax).toBeLessThan(WAL_BOUND_BYTES);

  const store = openStore(dbPath, { mustExist: true });
  try {
    for (const id of ids) {
      const run = store.getRun(id)!;
      expect(run.status, `run ${id}: ${run.error}`).toBe('completed');
      const metrics = store.getMetrics(id);
      expect(metrics).toHaveLength(EPOCHS * 2);
      expect(new Set(metrics.map((m) => `${m.epoch}/${m.student}`)).size).toBe(EPOCHS * 2);
      for (const event of store.getEvents(id)) expect(event.message).not.toMatch(LOCK_PROBLEM);
    }
    expect(store.integrityCheck()).toBe('ok');
  } finally {
    store.close();
  }
  expect(log).not.toMatch(LOCK_PROBLEM);
  server.kill('SIGTERM');
  await new Promise((resolve) => server!.once('exit', resolve));
  console.log(`concurrent runs: ${polls} poll rounds, largest WAL ${(walMax / 1048576).toFixed(1)} MiB (bound ${WAL_BOUND_BYTES / 1048576} MiB)`);
}, 300_000);
