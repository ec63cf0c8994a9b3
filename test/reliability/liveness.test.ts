import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../contract/api';
import { createDesktopBackend } from '../../electron/main/desktop-backend';
import { HOST_ID_ENV_VAR, type ExperimentStore } from '../../core/store';
import { apiCall, startServe, type ServeHandle } from '../e2e/serve-harness';
import { runCli, spawnCli, tempDir, tryOpenStore, waitFor, type ChildResult } from './harness';
import type { ChildProcess } from 'node:child_process';

/**
 * Liveness with real processes: a CLI trainer and the app (serve mode, the desktop backend) on one
 * database. Opening the app never touches a live run; a trainer killed with SIGKILL shows as
 * interrupted (CLI list and app) within the sweep interval; an owner on another host is judged by
 * its heartbeat alone.
 */

// Long enough never to finish during a test; each trainer is stopped by the test.
const LONG_RUN = ['--data', 'csbm:200:800:3:8', '--hidden', '8', '--epochs', '100000', '--checkpoint-every', '50', '--heatmap-every', '0', '--backend', 'cpu', '--quiet'];

const dir = tempDir('liveness');
const children: ChildProcess[] = [];
let serve: ServeHandle | null = null;

afterEach(async () => {
  await serve?.stop();
  serve = null;
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startTrainer(dbPath: string, env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<ChildResult> } {
  const trainer = spawnCli(['train', ...LONG_RUN, '--db', dbPath], { env: { ...process.env, ...env } });
  children.push(trainer.child);
  return trainer;
}

/** Opens the database once the trainer created it, and waits for its run to record `epochs` epochs. */
async function whenEpochs(dbPath: string, epochs: number, store?: ExperimentStore): Promise<ExperimentStore> {
  const opened = store ?? (await waitFor(() => tryOpenStore(dbPath), 'the trainer to create its database'));
  await waitFor(() => opened.listRuns()[0]?.epochs >= epochs, `${epochs} recorded epochs`, 60_000);
  return opened;
}

describe('a live CLI trainer beside the app', () => {
  it('keeps running when serve mode and the desktop backend open its database, and ends as it should', async () => {
    const dbPath = join(dir, 'beside-app.sqlite');
    const trainer = startTrainer(dbPath);
    const store = await whenEpochs(dbPath, 3);
    const runId = store.listRuns()[0].id;

    serve = await startServe({ dbPath });
    const desktop = createDesktopBackend({
      databasePath: dbPath,
      dataDir: dir,
      cacheDir: join(dir, 'cache'),
      homeDir: dir,
      spawnWorker: () => {
        throw new Error('no worker is started in this test');
      },
      onEvent: () => {},
      log: () => {},
    });
    try {
      expect((await apiCall<RunDetail>(serve, 'runs.get', { id: runId })).status).toBe('running');
      const seen = store.finishedEpochs(runId);
      // Past the app's start-up and at least one liveness sweep (5 s), the trainer still records.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      await whenEpochs(dbPath, seen + 5, store);
      // A second trainer asked to resume the live run is refused before it changes anything.
      const kept = store.finishedEpochs(runId);
      const resumed = await runCli(['train', '--resume', String(runId), '--db', dbPath, '--quiet']);
      expect(resumed.code).not.toBe(0);
      expect(resumed.io.stderr.join('\n')).toMatch(new RegExp(`run ${runId} is already running \\(process ${trainer.child.pid} on `));
      expect(store.finishedEpochs(runId)).toBeGreaterThanOrEqual(kept);
      const viaDesktop = await desktop.dispatch('runs.get', { id: runId });
      expect(viaDesktop.ok && (viaDesktop.value as RunDetail).status).toBe('running');
      expect((await apiCall<RunDetail>(serve, 'runs.get', { id: runId })).status).toBe('running');
    } finally {
      await desktop.dispose();
    }

    // Ctrl-C: the trainer cancels after its epoch and records it, which it could not if anything
    // had marked its run interrupted.
    trainer.child.kill('SIGINT');
    const result = await trainer.done;
    expect(result.stderr).not.toMatch(/not recorded/);
    expect(store.getRun(runId)!.status).toBe('cancelled');
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  }, 120_000);
});

describe('a trainer killed with SIGKILL', () => {
  it('shows as interrupted in runs list and, within the sweep interval, in the app that was open', async () => {
    const dbPath = join(dir, 'killed.sqlite');
    const trainer = startTrainer(dbPath);
    const store = await whenEpochs(dbPath, 2);
    const runId = store.listRuns()[0].id;
    serve = await startServe({ dbPath });
    expect((await apiCall<RunDetail>(serve, 'runs.get', { id: runId })).status).toBe('running');

    trainer.child.kill('SIGKILL');
    await trainer.done;
    const opened = serve;
    const killedAt = Date.now();
    let shown = (await apiCall<RunDetail>(opened, 'runs.get', { id: runId })).status;
    while (shown === 'running' && Date.now() - killedAt < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      shown = (await apiCall<RunDetail>(opened, 'runs.get', { id: runId })).status;
    }
    expect(shown).toBe('interrupted');
    // the sweep runs every 5 s; allow for a loaded machine
    expect(Date.now() - killedAt).toBeLessThan(10_000);

    const listed = await runCli(['runs', 'list', '--db', dbPath, '--json']);
    expect(listed.code).toBe(0);
    const { runs } = listed.json as { runs: { id: number; status: string; error: string | null }[] };
    expect(runs.find((r) => r.id === runId)).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/ended without finishing the run/) });
    store.close();
  }, 120_000);

  it('is shown interrupted by runs list alone, without an app', async () => {
    const dbPath = join(dir, 'killed-cli.sqlite');
    const trainer = startTrainer(dbPath);
    const store = await whenEpochs(dbPath, 2);
    const runId = store.listRuns()[0].id;
    const before = await runCli(['runs', 'list', '--db', dbPath, '--json']);
    expect((before.json as { runs: { status: string }[] }).runs[0].status).toBe('running');
    trainer.child.kill('SIGKILL');
    await trainer.done;
    const after = await runCli(['runs', 'list', '--db', dbPath, '--json']);
    expect((after.json as { runs: { id: number; status: string }[] }).runs.find((r) => r.id === runId)?.status).toBe('interrupted');
    store.close();
  }, 120_000);
});

describe('an owner on another host', () => {
  it('is judged by its heartbeat only: running while it beats, interrupted once silent past the limit', async () => {
    const dbPath = join(dir, 'other-host.sqlite');
    const trainer = startTrainer(dbPath, { [HOST_ID_ENV_VAR]: 'lab-box-2' });
    const store = await whenEpochs(dbPath, 2);
    const runId = store.listRuns()[0].id;
    expect(store.getRun(runId)!.owner).toMatchObject({ host: 'lab-box-2', pid: trainer.child.pid });
    const limitEnv = { ALIGNAHEAD_STALE_AFTER_S: '12' };
    const list = async () => {
      const saved = process.env.ALIGNAHEAD_STALE_AFTER_S;
      process.env.ALIGNAHEAD_STALE_AFTER_S = limitEnv.ALIGNAHEAD_STALE_AFTER_S;
      try {
        const listed = await runCli(['runs', 'list', '--db', dbPath, '--json']);
        return (listed.json as { runs: { id: number; status: string; error: string | null }[] }).runs.find((r) => r.id === runId)!;
      } finally {
        if (saved === undefined) delete process.env.ALIGNAHEAD_STALE_AFTER_S;
        else process.env.ALIGNAHEAD_STALE_AFTER_S = saved;
      }
    };
    // Beating: running, although from here its pid cannot be checked (it "lives" on another host).
    await new Promise((resolve) => setTimeout(resolve, 13_000));
    expect((await list()).status).toBe('running');

    // Frozen (a host that vanished from the network): the heartbeat goes stale.
    trainer.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    let seen = await list();
    while (seen.status === 'running' && Date.now() - stoppedAt < 25_000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      seen = await list();
    }
    expect(seen).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/on host lab-box-2 sent no heartbeat for \d+ s \(limit 12 s\)/) });
    // Not before the limit: the last beat was at most 5 s before the stop.
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(12_000 - 5_000);
    trainer.child.kill('SIGKILL');
    store.close();
  }, 120_000);
});
