import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallName, QueueStatus, RunDetail, WorkerInfo } from '../../contract/api';
import { QUEUE_FILE } from '../../core/queue/queue-service';
import { desktopDataPaths } from '../../electron/main/data-paths';
import { createDesktopBackend, type DesktopBackend } from '../../electron/main/desktop-backend';
import { tempDir } from '../reliability/harness';
import { HAVE_REDIS, startRedis, startWorker, stopWorker, waitForAsync, workerReady, type TestRedis, type TestWorker } from './redis-harness';

vi.mock('electron', () => ({}));

/**
 * The desktop app's settings hold the queue URL: set through the API, it is kept in queue.json in
 * the app's data folder (owner-only: it holds the Redis password), and the app started again on
 * the same folder connects to the same queue by itself and sends runs to its workers. Removing the
 * queue is remembered too. Built as the app builds its backend (electron/main/desktop-backend.ts),
 * against a real Redis with a password and one real worker.
 */

const PASSWORD = `pw-${randomBytes(9).toString('hex')}`;
const dir = tempDir('desktop-queue-setting');
const paths = desktopDataPaths(join(dir, 'user-data'));
const logs: string[] = [];
let redis: TestRedis;
let worker: TestWorker | null = null;
let app: DesktopBackend | null = null;

/** Starts the app's backend on the data folder, as each launch of the desktop app does. */
function launchApp(): DesktopBackend {
  return createDesktopBackend({
    ...paths,
    homeDir: dir,
    // remote runs never train here; a local run would be a bug in this test
    spawnWorker: () => {
      throw new Error('no local training expected');
    },
    onEvent: () => undefined,
    log: (line) => logs.push(line),
  });
}

async function value<T>(name: CallName, input: unknown): Promise<T> {
  const result = await app!.dispatch(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.error}`);
  return result.value as T;
}

async function quitApp(): Promise<void> {
  await app?.dispose();
  app = null;
}

describe.skipIf(!HAVE_REDIS)("the desktop app's queue setting survives a restart", () => {
  beforeAll(async () => {
    redis = await startRedis({ dir: join(dir, 'redis'), password: PASSWORD });
  }, 60_000);

  afterAll(async () => {
    await quitApp();
    if (worker) await stopWorker(worker);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('saves the URL in queue.json of the data folder, readable by its owner only', async () => {
    app = launchApp();
    expect(await value<QueueStatus>('queue.status', {})).toMatchObject({ state: 'off', url: null });
    const status = await value<QueueStatus>('queue.configure', { url: redis.url });
    expect(status).toMatchObject({ state: 'connected', url: redis.url.replace(PASSWORD, '***'), error: null });
    const saved = join(paths.dataDir, QUEUE_FILE);
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual({ url: redis.url });
    await quitApp();
  }, 60_000);

  it('started again, the app connects to the saved queue by itself and trains remote runs on its workers', async () => {
    app = launchApp();
    await waitForAsync(async () => (await value<QueueStatus>('queue.status', {})).state === 'connected', 'the saved queue to connect', 30_000);
    expect(await value<QueueStatus>('queue.status', {})).toMatchObject({ url: redis.url.replace(PASSWORD, '***'), error: null });

    worker = startWorker(redis.url, 'desk-worker', { dataDir: dir, env: { ALIGNAHEAD_HOST_ID: 'box-desk' } });
    await workerReady(worker);
    await waitForAsync(async () => (await value<{ workers: WorkerInfo[] }>('workers.list', {})).workers.some((w) => w.name === 'desk-worker'), 'the worker in workers.list', 30_000);

    const { ids } = await value<{ ids: number[] }>('runs.create', { configs: [{ data: 'csbm:200:800:3:8', hidden: 8, epochs: 5, backend: 'cpu' }], runOn: 'remote' });
    await waitForAsync(async () => (await value<RunDetail>('runs.get', { id: ids[0] })).status === 'completed', 'the remote run', 120_000, 200);
    const run = await value<RunDetail>('runs.get', { id: ids[0] });
    expect(run).toMatchObject({ remote: true, worker: 'desk-worker', epochs: 5, datasetSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const listed = await value<{ runs: { id: number; remote: boolean; worker: string | null }[] }>('runs.list', {});
    expect(listed.runs.find((r) => r.id === ids[0])).toMatchObject({ remote: true, worker: 'desk-worker' });
    await quitApp();
  }, 180_000);

  it('a removed queue stays removed after a restart; the password is in no database file or log line', async () => {
    app = launchApp();
    await waitForAsync(async () => (await value<QueueStatus>('queue.status', {})).state === 'connected', 'the saved queue to connect', 30_000);
    expect(await value<QueueStatus>('queue.configure', { url: null })).toMatchObject({ state: 'off', url: null });
    await quitApp();

    app = launchApp();
    expect(await value<QueueStatus>('queue.status', {})).toMatchObject({ state: 'off', url: null });
    const refused = await app.dispatch('runs.create', { configs: [{ data: 'csbm:200:800:3:8', epochs: 5 }], runOn: 'remote' });
    expect(refused).toMatchObject({ ok: false, error: { status: 400, error: expect.stringMatching(/no queue is configured/) } });
    await quitApp();

    expect(JSON.parse(readFileSync(join(paths.dataDir, QUEUE_FILE), 'utf8'))).toEqual({ url: null });
    expect(logs.join('\n')).not.toContain(PASSWORD);
    const databaseFiles = readdirSync(paths.dataDir).filter((f) => /\.sqlite(-wal|-shm)?$/.test(f));
    expect(databaseFiles.length).toBeGreaterThan(0);
    for (const file of databaseFiles) expect(readFileSync(join(paths.dataDir, file)).includes(Buffer.from(PASSWORD)), file).toBe(false);
    expect(existsSync(paths.databasePath)).toBe(true);
  }, 60_000);
});
