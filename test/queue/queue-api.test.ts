import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, CallResult, QueueStatus, RunDetail } from '../../contract/api';
import type { ApiHandlers } from '../../core/api/handlers';
import { folderHandlers } from '../../core/api/testing/folder-handlers';
import { datasetSha256 } from '../../core/datasets/canonical';
import { loadDataset } from '../../core/datasets/load';
import { datasetFromSpec } from '../../core/datasets/spec';
import { QUEUE_FILE } from '../../core/queue/queue-service';
import { openStore, type ExperimentStore } from '../../core/store';
import { runCli, tempDir, waitFor } from '../reliability/harness';
import { HAVE_REDIS, startRedis, startWorker, stopWorker, workerReady, type TestRedis, type TestWorker } from './redis-harness';

/**
 * The queue at the API level, the way serve mode and the app use it, against a real Redis that
 * wants a password and speaks TLS (when openssl can make a certificate), with one real worker:
 * configuration, the Workers list, live remote runs, a local file sent by content, cancellation,
 * and the password kept out of every answer, event, log line and database file.
 */

const PASSWORD = `pw-${randomBytes(9).toString('hex')}`;
const SMALL = { data: 'csbm:200:800:3:8', hidden: 8, epochs: 15, checkpointEvery: 5, heatmapEvery: 5, backend: 'cpu' as const };
const dir = tempDir('queue-api');
const opensslWorks = spawnSync('openssl', ['version']).status === 0;
let redis: TestRedis;
let worker: TestWorker;
let store: ExperimentStore;
let handlers: ApiHandlers;
const events: ApiEvent[] = [];
const logs: string[] = [];
const answers: string[] = [];
const importRoot = join(dir, 'imports');

async function call<T>(name: string, input: unknown): Promise<CallResult<T>> {
  const result = (await handlers.dispatch(name, input)) as CallResult<T>;
  answers.push(JSON.stringify(result));
  return result;
}

async function value<T>(name: string, input: unknown): Promise<T> {
  const result = await call<T>(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.error}`);
  return result.value;
}

/** A self-signed certificate for 127.0.0.1, its own CA. */
function makeCertificate(folder: string): { cert: string; key: string; ca: string } {
  mkdirSync(folder, { recursive: true });
  const cert = join(folder, 'cert.pem');
  const key = join(folder, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
  return { cert, key, ca: cert };
}

/** A CSV dataset folder written from a generated graph (a local file only this machine has). */
function writeCsvDataset(folder: string): void {
  const data = datasetFromSpec('csbm:200:800:3:8');
  const { graph, features, labels } = data.graphs[0];
  const edges = ['source,target'];
  for (let v = 0; v < graph.numNodes; v++) for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) if (graph.sources[e] !== v) edges.push(`${graph.sources[e]},${v}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'edges.csv'), edges.join('\n') + '\n');
  writeFileSync(join(folder, 'labels.csv'), ['id,label', ...Array.from(labels, (y, v) => `${v},${y}`)].join('\n') + '\n');
  const rows = [];
  for (let v = 0; v < graph.numNodes; v++) rows.push([v, ...features.subarray(v * data.numFeatures, (v + 1) * data.numFeatures)].join(','));
  writeFileSync(join(folder, 'features.csv'), rows.join('\n') + '\n');
}

describe.skipIf(!HAVE_REDIS)('the queue through the API (password, TLS, one worker)', () => {
  beforeAll(async () => {
    const tls = opensslWorks ? makeCertificate(join(dir, 'tls')) : undefined;
    redis = await startRedis({ dir: join(dir, 'redis'), password: PASSWORD, tls });
    if (tls) process.env.ALIGNAHEAD_REDIS_CA = tls.ca;
    // The worker gets its password from the environment, so it is not in its command line either.
    const urlWithoutPassword = redis.url.replace(`:${PASSWORD}@`, '');
    worker = startWorker(urlWithoutPassword, 'gpu-box-1', { dataDir: dir, env: { ALIGNAHEAD_HOST_ID: 'box-api', ALIGNAHEAD_REDIS_PASSWORD: PASSWORD, ...(tls ? { ALIGNAHEAD_REDIS_CA: tls.ca } : {}) } });
    store = openStore(join(dir, 'db.sqlite'));
    mkdirSync(importRoot, { recursive: true });
    const host = { enqueue() {}, cancel: (id: number) => store.requestCancel(id), async terminate() {}, setMaxConcurrent() {}, lastBackend: () => null };
    handlers = folderHandlers(dir, { store, host, importRoots: [importRoot], publish: (event) => events.push(event), log: (line) => logs.push(line) });
    await workerReady(worker);
  }, 120_000);

  afterAll(async () => {
    await handlers?.dispose();
    store?.close();
    if (worker) await stopWorker(worker);
    await redis?.stop();
    delete process.env.ALIGNAHEAD_REDIS_CA;
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('is off until configured; refuses a bad URL and remote runs without a queue, creating nothing', async () => {
    expect(await value<QueueStatus>('queue.status', {})).toMatchObject({ url: null, state: 'off' });
    expect(await value('workers.list', {})).toEqual({ queue: expect.objectContaining({ state: 'off' }), workers: [] });
    const refused = await call('runs.create', { configs: [SMALL], runOn: 'remote' });
    expect(refused).toMatchObject({ ok: false, error: { status: 400, error: expect.stringMatching(/no queue is configured/) } });
    expect(await call('queue.configure', { url: `http://u:${PASSWORD}@127.0.0.1:1` })).toMatchObject({ ok: false, error: { status: 400, error: expect.stringMatching(/unsupported scheme 'http:'/) } });
    expect(store.listRuns()).toEqual([]);
  });

  it('with a wrong password: one clear line, without the password', async () => {
    const wrong = redis.url.replace(PASSWORD, `${PASSWORD}x`);
    const current = await value<QueueStatus>('queue.configure', { url: wrong });
    expect(current).toMatchObject({ state: 'unreachable', error: expect.stringMatching(/WRONGPASS|invalid username-password|NOAUTH/) });
    expect(JSON.stringify(current)).not.toContain(PASSWORD);
  }, 60_000);

  it('configured with a password: trains a remote run with live events, and lists the worker', async () => {
    const status = await value<QueueStatus>('queue.configure', { url: redis.url });
    expect(status).toMatchObject({ state: 'connected', url: redis.url.replace(PASSWORD, '***') });
    const saved = join(dir, 'data', QUEUE_FILE);
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    const listed = await value<{ workers: { name: string; backend: string; host: string }[] }>('workers.list', {});
    expect(listed.workers).toEqual([expect.objectContaining({ name: 'gpu-box-1', host: 'box-api', backend: 'cpu' })]);
    const { ids } = await value<{ ids: number[] }>('runs.create', { configs: [SMALL], runOn: 'remote' });
    const [id] = ids;
    await waitFor(() => store.getRun(id)?.status === 'completed', 'the remote run', 120_000);
    const epochs = events.filter((e): e is Extract<ApiEvent, { type: 'run.epoch' }> => e.type === 'run.epoch' && e.runId === id).map((e) => e.epoch);
    expect(epochs).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(events.some((e) => e.type === 'run.alignment' && e.runId === id)).toBe(true);
    expect(events.filter((e) => e.type === 'run.status' && e.runId === id).map((e) => (e as { status: string }).status)).toEqual(['queued', 'running', 'completed']);
    const detail = await value<RunDetail>('runs.get', { id });
    expect(detail).toMatchObject({ status: 'completed', worker: 'gpu-box-1', backend: 'cpu', datasetSha256: datasetSha256(datasetFromSpec('csbm:200:800:3:8')) });
    expect(await value<unknown[]>('runs.metrics', { id })).toHaveLength(30);
    expect((await value<QueueStatus>('queue.status', {})).ingest!.applied).toBeGreaterThan(15);
  }, 180_000);

  it('sends a local file dataset by content; one over the size limit is refused before any run is created', async () => {
    const folder = join(importRoot, 'my-graph');
    writeCsvDataset(folder);
    const localHash = datasetSha256(await loadDataset(folder));
    const { ids } = await value<{ ids: number[] }>('runs.create', { configs: [{ ...SMALL, data: folder }], runOn: 'remote' });
    await waitFor(() => store.getRun(ids[0])?.status === 'completed' || store.getRun(ids[0])?.status === 'failed', 'the run on sent data', 120_000);
    expect(store.getRun(ids[0])).toMatchObject({ status: 'completed', datasetSha256: localHash, worker: 'gpu-box-1' });
    // the worker keeps the bytes by hash, not the coordinator's path
    expect(existsSync(join(dir, 'cache-gpu-box-1', 'queue', `${localHash}.bin`))).toBe(true);
    const runsBefore = store.countRuns();
    process.env.ALIGNAHEAD_QUEUE_MAX_DATASET_MB = '0.01';
    try {
      const refused = await call('runs.create', { configs: [{ ...SMALL, data: folder }], runOn: 'remote' });
      expect(refused).toMatchObject({ ok: false, error: { status: 400, error: expect.stringMatching(/MiB of arrays is over the 0 MiB limit for sending data through the queue; import it on each worker/) } });
    } finally {
      delete process.env.ALIGNAHEAD_QUEUE_MAX_DATASET_MB;
    }
    expect(store.countRuns()).toBe(runsBefore);
  }, 180_000);

  it('cancels a remote run through runs.cancel after its current epoch', async () => {
    const { ids } = await value<{ ids: number[] }>('runs.create', { configs: [{ ...SMALL, epochs: 5000 }], runOn: 'remote' });
    await waitFor(() => store.getRun(ids[0])?.status === 'running' && store.finishedEpochs(ids[0]) >= 2, 'the long run to train', 60_000);
    await value('runs.cancel', { id: ids[0] });
    await waitFor(() => store.getRun(ids[0])?.status === 'cancelled', 'the cancellation', 30_000);
    expect(store.finishedEpochs(ids[0])).toBeLessThan(5000);
  }, 120_000);

  it('never shows the password: API answers, events, logs, worker output, the CLI, the database files', async () => {
    // the CLI as coordinator, with the password in its URL
    const cli = await runCli(['train', '--data', 'csbm:200:800:3:8', '--hidden', '8', '--epochs', '5', '--backend', 'cpu', '--db', join(dir, 'cli.sqlite'), '--queue', redis.url]);
    expect(cli.code, cli.io.stderr.join('\n')).toBe(0);
    expect(cli.io.stderr.join('\n')).toContain(redis.url.replace(PASSWORD, '***'));
    const texts = [...answers, JSON.stringify(events), logs.join('\n'), worker.output(), cli.io.stdout.join('\n'), cli.io.stderr.join('\n')];
    for (const text of texts) expect(text).not.toContain(PASSWORD);
    for (const file of readdirSync(dir).filter((f) => /\.sqlite(-wal|-shm)?$/.test(f))) {
      expect(readFileSync(join(dir, file)).includes(Buffer.from(PASSWORD)), file).toBe(false);
    }
  }, 120_000);
});
