import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfigInput } from '../../contract/run-config';
import { startCoordinator, type Coordinator } from '../../core/queue/coordinator';
import { applyResult } from '../../core/queue/ingest';
import { queueKeys, RESULTS_GROUP, RUNS_QUEUE } from '../../core/queue/keys';
import { parseResultMessage } from '../../core/queue/messages';
import { parseQueueUrl } from '../../core/queue/redis-url';
import { openStore, type ExperimentStore } from '../../core/store';
import { newRunRecord } from '../../core/runs/new-run';
import { parseRunConfig } from '../../core/train/run-config';
import { epochRows, finalMetrics, runCli, sleep, spawnCli, tempDir, waitFor } from '../reliability/harness';
import { HAVE_REDIS, startRedis, startWorker, stopWorker, waitForAsync, workerReady, type TestRedis, type TestWorker } from './redis-harness';

/**
 * Remote runs end to end: a real redis-server (AOF on, fsync on every write) on a random loopback
 * port, three real `alignahead worker` processes that look like three machines (ALIGNAHEAD_HOST_ID),
 * and the coordinator in this process on its own database. Nothing lost, nothing twice: a killed
 * worker's run is taken over and ends with an uninterrupted run's numbers; results wait in Redis
 * while the coordinator is away; duplicates change nothing; Redis can be killed and restarted
 * mid-sweep; cancellation stops a run after its epoch; malformed messages are refused.
 */

const SMALL: RunConfigInput = { data: 'csbm:200:800:3:8', hidden: 8, epochs: 30, checkpointEvery: 5, heatmapEvery: 10, backend: 'cpu' };
const dir = tempDir('queue');
let redis: TestRedis;
const workers: TestWorker[] = [];
const references = new Map<string, ReturnType<typeof finalMetrics>>();

/** The numbers an uninterrupted local run of `config` reaches (trained once per config, here). */
async function reference(config: RunConfigInput): Promise<ReturnType<typeof finalMetrics>> {
  const key = JSON.stringify(config);
  const known = references.get(key);
  if (known) return known;
  const path = join(dir, `ref-${references.size}.sqlite`);
  const flags = ['--data', config.data, '--hidden', String(config.hidden), '--epochs', String(config.epochs), '--checkpoint-every', String(config.checkpointEvery), '--heatmap-every', String(config.heatmapEvery), '--seed', String(config.seed ?? 0), '--strategy', config.strategy ?? 'alignahead', '--backend', 'cpu'];
  const { code, io } = await runCli(['train', ...flags, '--db', path, '--quiet']);
  expect(code, io.stderr.join('\n')).toBe(0);
  const store = openStore(path, { mustExist: true });
  const metrics = finalMetrics(store, 1);
  store.close();
  references.set(key, metrics);
  return metrics;
}

function openCoordinatorStore(name: string, options: { staleHeartbeatMs?: number } = {}): { store: ExperimentStore; path: string } {
  const path = join(dir, `${name}.sqlite`);
  return { store: openStore(path, options), path };
}

async function coordinatorFor(store: ExperimentStore, path: string, log: string[] = []): Promise<Coordinator> {
  return startCoordinator({ address: parseQueueUrl(redis.url), store, databasePath: path, livenessMs: 500, log: (line) => log.push(line) });
}

async function submit(coordinator: Coordinator, store: ExperimentStore, config: RunConfigInput): Promise<number> {
  const run = store.createRun(newRunRecord(parseRunConfig(config)));
  await coordinator.submit(run.id);
  return run.id;
}

/** Epochs 1..n recorded whole (one row per student); returns n. */
function wholeEpochs(store: ExperimentStore, runId: number): number {
  const rows = epochRows(store, runId);
  const epochs = [...rows.keys()].sort((a, b) => a - b);
  expect(epochs).toEqual(epochs.map((_, i) => i + 1));
  for (const count of rows.values()) expect(count).toBe(2);
  return epochs.length;
}

async function whenEnded(coordinator: Coordinator, ids: number[], timeoutMs = 120_000): Promise<void> {
  await Promise.race([coordinator.whenEnded(ids), sleep(timeoutMs).then(() => Promise.reject(new Error(`runs ${ids.join(', ')} did not end in ${timeoutMs} ms`)))]);
}

describe.skipIf(!HAVE_REDIS)('remote runs through a real Redis and real workers', () => {
  beforeAll(async () => {
    redis = await startRedis({ dir: join(dir, 'redis'), aof: true });
    for (const name of ['w1', 'w2', 'w3']) workers.push(startWorker(redis.url, name, { dataDir: dir, env: { ALIGNAHEAD_HOST_ID: `box-${name}` } }));
    await Promise.all(workers.map((w) => workerReady(w)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("a remote sweep's table equals the local sweep's table for the same seeds (CPU backend)", async () => {
    const grid = ['--data', 'csbm:200:800:3:8', '--hidden', '8', '--epochs', '12', '--strategy', 'independent,alignahead', '--seeds', '0-1', '--backend', 'cpu', '--quiet'];
    const local = await runCli(['sweep', ...grid, '--db', join(dir, 'sweep-local.sqlite')]);
    expect(local.code, local.io.stderr.join('\n')).toBe(0);
    const remote = await runCli(['sweep', ...grid, '--db', join(dir, 'sweep-remote.sqlite'), '--queue', redis.url]);
    expect(remote.code, remote.io.stderr.join('\n')).toBe(0);
    // every column but the timing one
    const table = (lines: string[]) => lines.join('\n').split('\n').map((line) => line.replace(/\s+[\d.]+ ± [\d.]+$|\s+ms\/epoch$|\s+-+$/, ''));
    expect(table(remote.io.stdout)).toEqual(table(local.io.stdout));
    expect(table(remote.io.stdout)).toHaveLength(4);
    const store = openStore(join(dir, 'sweep-remote.sqlite'), { mustExist: true });
    const runs = store.listRuns().map((r) => store.getRun(r.id)!);
    expect(runs.every((r) => r.status === 'completed' && r.worker !== null && /^[0-9a-f]{64}$/.test(r.datasetSha256 ?? ''))).toBe(true);
    store.close();
  }, 180_000);

  it('a worker SIGKILLed mid-run: another takes the job over from the last checkpoint and ends with the same numbers', async () => {
    const config = { ...SMALL, epochs: 300, checkpointEvery: 10 };
    const expected = await reference(config);
    const { store, path } = openCoordinatorStore('takeover');
    const coordinator = await coordinatorFor(store, path);
    const runId = await submit(coordinator, store, config);
    await waitFor(() => store.finishedEpochs(runId) >= 25, 'epochs of the first worker', 60_000);
    const first = store.getRun(runId)!.worker!;
    const victim = workers.find((w) => w.name === first)!;
    victim.child.kill('SIGKILL');
    await victim.done;
    await whenEnded(coordinator, [runId]);
    const run = store.getRun(runId)!;
    expect(run.status).toBe('completed');
    expect(run.worker).not.toBe(first);
    expect(wholeEpochs(store, runId)).toBe(300);
    expect(finalMetrics(store, runId)).toEqual(expected);
    const statuses = store.getEvents(runId).filter((e) => e.kind === 'status').map((e) => e.message);
    expect(statuses).toContainEqual(expect.stringMatching(new RegExp(`running → interrupted: job taken over by worker (?!${first})`)));
    expect(statuses).toContainEqual(expect.stringMatching(/interrupted → running: on worker w\d, from the checkpoint of epoch \d+/));
    expect(store.integrityCheck()).toBe('ok');
    await coordinator.close();
    store.close();
    // the killed worker's place is taken by a new one for the tests after this
    const replacement = startWorker(redis.url, first, { dataDir: dir, env: { ALIGNAHEAD_HOST_ID: `box-${first}-2` } });
    workers.splice(workers.indexOf(victim), 1, replacement);
    await workerReady(replacement);
  }, 240_000);

  it('the coordinator is down while workers train: results wait in Redis and are applied when it returns', async () => {
    const { store, path } = openCoordinatorStore('outage', { staleHeartbeatMs: 1500 });
    let coordinator = await coordinatorFor(store, path);
    const ids: number[] = [];
    for (const seed of [0, 1, 2]) ids.push(await submit(coordinator, store, { ...SMALL, seed }));
    await waitFor(() => ids.some((id) => store.finishedEpochs(id) >= 1), 'a first epoch', 60_000);
    await coordinator.close();
    const atClose = ids.map((id) => store.finishedEpochs(id));
    // the workers finish while nobody applies their results
    const queue = new Queue(RUNS_QUEUE, { connection: redis.client(), prefix: 'alignahead' });
    await waitForAsync(async () => {
      const counts = await queue.getJobCounts('wait', 'active');
      return counts.wait === 0 && counts.active === 0;
    }, 'the workers to finish', 120_000, 200);
    await sleep(2000);
    expect(ids.map((id) => store.finishedEpochs(id))).toEqual(atClose);
    // its runs' owners (other hosts) have been silent past the limit: the store calls them interrupted
    const interrupted = store.markInterruptedRuns().map((r) => r.id);
    expect(interrupted.length).toBeGreaterThan(0);
    coordinator = await coordinatorFor(store, path);
    await whenEnded(coordinator, ids);
    for (const [i, id] of ids.entries()) {
      expect(store.getRun(id)!.status).toBe('completed');
      expect(wholeEpochs(store, id)).toBe(30);
      expect(finalMetrics(store, id)).toEqual(await reference({ ...SMALL, seed: i }));
    }
    const back = store.getEvents(interrupted[0]).filter((e) => e.kind === 'status').map((e) => e.message);
    expect(back).toContainEqual(expect.stringMatching(/interrupted → running: results of worker w\d arrived/));
    await coordinator.close();
    await queue.close();
    store.close();
  }, 240_000);

  it('redelivered and duplicated messages never create duplicate epochs or events', async () => {
    const { store, path } = openCoordinatorStore('duplicates');
    const client = redis.client();
    const first = await coordinatorFor(store, path);
    const stream = queueKeys().results(first.id);
    const runId = await submit(first, store, SMALL);
    await first.close();
    await waitForAsync(async () => (await client.xrange(stream, '-', '+')).some(([, fields]) => fields[1].includes('"kind":"status"')), 'the run to end', 120_000, 200);
    const entries = await client.xrange(stream, '-', '+');
    // a coordinator that applied 15 messages and died before acknowledging them...
    const read = (await client.xreadgroup('GROUP', RESULTS_GROUP, 'ingest', 'COUNT', 15, 'STREAMS', stream, '>')) as [string, [string, string[]][]][];
    for (const [, fields] of read[0][1]) {
      const parsed = parseResultMessage(fields[1]);
      if (parsed.ok) applyResult(store, parsed.value);
    }
    // ...and every message delivered a second time
    for (const [, fields] of entries) await client.xadd(stream, '*', ...fields);
    const second = await coordinatorFor(store, path);
    await whenEnded(second, [runId]);
    await waitForAsync(async () => (await client.xlen(stream)) === 0, 'the stream to be consumed', 30_000, 100);
    expect(store.getRun(runId)!.status).toBe('completed');
    expect(wholeEpochs(store, runId)).toBe(30);
    expect(second.stats()).toMatchObject({ applied: entries.length - 15, skipped: entries.length + 15, refused: 0 });
    // the same events as a run that saw each message once
    const clean = openCoordinatorStore('duplicates-clean');
    const third = await coordinatorFor(clean.store, clean.path);
    const cleanId = await submit(third, clean.store, SMALL);
    await whenEnded(third, [cleanId]);
    const kinds = (s: ExperimentStore, id: number) => s.getEvents(id).map((e) => `${e.kind}:${e.message.replace(/worker w\d|\d+(\.\d+)? ?ms|\d+ s/g, '')}`);
    expect(kinds(store, runId)).toEqual(kinds(clean.store, cleanId));
    expect(finalMetrics(store, runId)).toEqual(finalMetrics(clean.store, cleanId));
    await second.close();
    await third.close();
    clean.store.close();
    store.close();
    client.disconnect();
  }, 240_000);

  it('Redis killed and restarted with AOF mid-sweep: nothing finished is lost and the sweep completes', async () => {
    const { store, path } = openCoordinatorStore('aof');
    const log: string[] = [];
    const coordinator = await coordinatorFor(store, path, log);
    const seeds = [0, 1, 2, 3, 4, 5];
    const ids: number[] = [];
    for (const seed of seeds) ids.push(await submit(coordinator, store, { ...SMALL, seed }));
    await waitFor(() => ids.filter((id) => store.getRun(id)!.status === 'completed').length >= 2 && ids.some((id) => store.getRun(id)!.status === 'running'), 'two finished runs and one running', 120_000);
    const finishedBefore = ids.filter((id) => store.getRun(id)!.status === 'completed').map((id) => ({ id, metrics: finalMetrics(store, id) }));
    await redis.kill();
    await sleep(1500);
    await redis.restart();
    await whenEnded(coordinator, ids, 180_000);
    for (const { id, metrics } of finishedBefore) expect(finalMetrics(store, id)).toEqual(metrics);
    for (const [i, id] of ids.entries()) {
      expect(store.getRun(id)!.status).toBe('completed');
      expect(wholeEpochs(store, id)).toBe(30);
      expect(finalMetrics(store, id)).toEqual(await reference({ ...SMALL, seed: seeds[i] }));
    }
    expect(store.integrityCheck()).toBe('ok');
    await coordinator.close();
    store.close();
  }, 300_000);

  it('cancel stops a remote run after its current epoch, from the API side and from the CLI', async () => {
    const { store, path } = openCoordinatorStore('cancel');
    const coordinator = await coordinatorFor(store, path);
    const runId = await submit(coordinator, store, { ...SMALL, epochs: 5000 });
    await waitFor(() => store.finishedEpochs(runId) >= 3, 'a few epochs', 60_000);
    await coordinator.cancel(runId);
    await whenEnded(coordinator, [runId], 30_000);
    const run = store.getRun(runId)!;
    expect(run.status).toBe('cancelled');
    expect(store.finishedEpochs(runId)).toBeLessThan(5000);
    wholeEpochs(store, runId);
    await coordinator.close();
    store.close();

    // Ctrl-C on `train --queue`: the run is cancelled after its epoch, exit code 130
    const db = join(dir, 'cancel-cli.sqlite');
    const cli = spawnCli(['train', '--data', 'csbm:200:800:3:8', '--hidden', '8', '--epochs', '5000', '--backend', 'cpu', '--db', db, '--queue', redis.url]);
    let stderr = '';
    cli.child.stderr?.on('data', (d) => (stderr += d));
    await waitFor(() => stderr.includes('running on worker'), 'the CLI run to start', 60_000);
    await sleep(500);
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code, stderr).toBe(130);
    const cliStore = openStore(db, { mustExist: true });
    expect(cliStore.getRun(1)!.status).toBe('cancelled');
    cliStore.close();
  }, 180_000);

  it('a cancelled remote run resumes on the workers from its last checkpoint (train --resume ID --queue)', async () => {
    const config = { ...SMALL, epochs: 300, checkpointEvery: 10 };
    const expected = await reference(config);
    const { store, path } = openCoordinatorStore('resume');
    const coordinator = await coordinatorFor(store, path);
    const runId = await submit(coordinator, store, config);
    await waitFor(() => store.finishedEpochs(runId) >= 40, '40 epochs', 60_000);
    await coordinator.cancel(runId);
    await whenEnded(coordinator, [runId], 30_000);
    expect(store.getRun(runId)!.status).toBe('cancelled');
    const checkpoint = store.latestCheckpoint(runId)!.epoch;
    await coordinator.close();
    store.close();
    const resumed = await runCli(['train', '--resume', String(runId), '--db', path, '--queue', redis.url, '--json']);
    expect(resumed.code, resumed.io.stderr.join('\n')).toBe(0);
    expect(resumed.json).toMatchObject({ runId, status: 'completed', epochsDone: 300 });
    const after = openStore(path, { mustExist: true });
    expect(wholeEpochs(after, runId)).toBe(300);
    expect(finalMetrics(after, runId)).toEqual(expected);
    expect(after.getEvents(runId).map((e) => e.message)).toContainEqual(expect.stringMatching(new RegExp(`from the checkpoint of epoch ${checkpoint}`)));
    after.close();
  }, 180_000);

  it('a malformed job or result message is refused with a clear error; worker, coordinator and store carry on', async () => {
    const { store, path } = openCoordinatorStore('malformed');
    const log: string[] = [];
    const coordinator = await coordinatorFor(store, path, log);
    const client = redis.client();
    const queue = new Queue(RUNS_QUEUE, { connection: client, prefix: 'alignahead' });
    await queue.add('run', { v: 1, runId: 'seven', coordinator: coordinator.id }, { jobId: `${coordinator.id}-r7-bad1` });
    await queue.add('run', { v: 1, runId: 7, coordinator: coordinator.id, config: { data: 'demo', epochs: -3 }, dataset: { ref: 'demo', sha256: null, transported: false } }, { jobId: `${coordinator.id}-r7-bad2` });
    await queue.add('run', { hello: 'world' }, { jobId: 'somebody-elses-job' });
    const stream = queueKeys().results(coordinator.id);
    await client.xadd(stream, '*', 'm', '{not json');
    await client.xadd(stream, '*', 'm', JSON.stringify({ v: 1, job: 'x', run: 1 }));
    await client.xadd(stream, '*', 'other', 'field');
    await client.xadd(stream, '*', 'm', JSON.stringify({ v: 1, job: `${coordinator.id}-r999-abc`, run: 999, lease: 'leaseXXXX1', seq: 1, by: { worker: 'w9', host: 'h', pid: 1, start: null }, body: { kind: 'started', startEpoch: 0, datasetSha256: 'b'.repeat(64) } }));
    await waitFor(() => coordinator.stats().refused === 4, 'four refusals', 30_000);
    expect(log.join('\n')).toMatch(/refused: malformed result: not JSON/);
    expect(log.join('\n')).toMatch(/refused: malformed result: job: not a job id of this queue; lease: /);
    expect(log.join('\n')).toMatch(/refused: malformed result: the entry has no message text/);
    expect(log.join('\n')).toMatch(/refused: run 999 .*no such run/);
    const failed = async (id: string) => (await queue.getJob(id))?.failedReason ?? '';
    await waitForAsync(async () => (await failed(`${coordinator.id}-r7-bad2`)) !== '' && (await failed('somebody-elses-job')) !== '' && (await failed(`${coordinator.id}-r7-bad1`)) !== '', 'the bad jobs to fail', 30_000, 200);
    expect(await failed(`${coordinator.id}-r7-bad1`)).toMatch(/^malformed job: runId: /);
    expect(await failed(`${coordinator.id}-r7-bad2`)).toMatch(/^malformed job: invalid run config: epochs: /);
    expect(await failed('somebody-elses-job')).toMatch(/not a run job of this queue/);
    const output = workers.map((w) => w.output()).join('\n');
    expect(output).toMatch(/refused: malformed job: invalid run config: epochs/);
    expect(store.listRuns()).toEqual([]);
    // all three workers are still there, and the next run goes through
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
    const runId = await submit(coordinator, store, SMALL);
    await whenEnded(coordinator, [runId]);
    expect(store.getRun(runId)!.status).toBe('completed');
    expect(store.integrityCheck()).toBe('ok');
    await queue.close();
    await coordinator.close();
    client.disconnect();
    store.close();
  }, 120_000);
});
