import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, type ApiEvent, type RunSummary } from '../../contract/api';
import { createBackend, type Backend } from '../api/backend';
import type { TrainingHost } from '../host/training-host';
import type { ExperimentStore } from '../store';
import { startServer, type RunningServer } from './serve';
import { rawRequest, type RawRequestOptions } from './testing/raw-request';

/**
 * The serve-mode server end to end: a real HTTP server on 127.0.0.1, a real training host whose
 * workers are separate node processes training a small synthetic graph for a few epochs.
 */

const TOKEN = 'test-token-0123456789abcdef';
const TRAIN = { data: 'csbm:300:1500:3:16', hidden: 8, backend: 'cpu', heatmapEvery: 2 };

let dir: string;
let backend: Backend;
let store: ExperimentStore;
let host: TrainingHost;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-serve-'));
  const databasePath = join(dir, 'db.sqlite');
  const staticDir = join(dir, 'dist');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(staticDir, 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  mkdirSync(join(dir, 'imports'));
  backend = createBackend({ mode: 'serve', databasePath, dataDir: join(dir, 'data'), cacheDir: join(dir, 'cache'), importRoots: [join(dir, 'imports')] });
  ({ store, host } = backend);
  server = await startServer({ handlers: backend, events: backend.events, hostname: '127.0.0.1', port: 0, token: TOKEN, staticDir, heartbeatMs: 200 });
  base = server.origin;
});

afterAll(async () => {
  await server?.close();
  await host?.dispose({ graceMs: 2000 });
  await backend?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const send = (method: string, path: string, options?: RawRequestOptions) => rawRequest(base, method, path, options);

const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

async function call<T>(name: string, input: unknown): Promise<T> {
  const reply = await send('POST', `/api/call/${name}`, { headers: auth, body: JSON.stringify(input) });
  if (reply.status !== 200) throw new Error(`${name}: ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body) as T;
}

/** Listens to /api/events and keeps every event; `next` waits for one matching a predicate. */
function openEvents(token = TOKEN) {
  const received: ApiEvent[] = [];
  const waiters: { match: (e: ApiEvent) => boolean; resolve: (e: ApiEvent) => void }[] = [];
  let response: IncomingMessage | null = null;
  const ready = new Promise<number>((resolve, reject) => {
    const req = request(`${base}/api/events?token=${encodeURIComponent(token)}`, (res) => {
      response = res;
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
          if (!data) continue;
          const event = JSON.parse(data) as ApiEvent;
          received.push(event);
          for (const waiter of [...waiters]) {
            if (waiter.match(event)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(event);
            }
          }
        }
      });
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  return {
    ready,
    received,
    next(match: (e: ApiEvent) => boolean, timeoutMs = 45_000): Promise<ApiEvent> {
      const seen = received.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(received.map((e) => e.type))}`)), timeoutMs);
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    close: () => (response as IncomingMessage | null)?.destroy(),
  };
}

const isStatus = (runId: number, status: string) => (e: ApiEvent) => e.type === 'run.status' && e.runId === runId && e.status === status;

describe('access', () => {
  it('answers health without a token and nothing else', async () => {
    const health = await send('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ ok: true, version: expect.any(String) });
    const noToken = await send('POST', '/api/call/app.info', { headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.body)).toEqual({ error: expect.stringMatching(/token/), status: 401 });
    const wrong = await send('POST', '/api/call/app.info', { headers: { ...auth, Authorization: `Bearer ${TOKEN}x` }, body: '{}' });
    expect(wrong.status).toBe(401);
    // the query form is for the event stream only
    const inQuery = await send('POST', `/api/call/app.info?token=${TOKEN}`, { headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(inQuery.status).toBe(401);
    expect((await send('GET', '/api/events?token=nope')).status).toBe(401);
    const info = await call<{ mode: string }>('app.info', {});
    expect(info.mode).toBe('serve');
  });

  it('refuses other origins and foreign Host names, and sends no CORS headers', async () => {
    const foreign = await send('POST', '/api/call/app.info', { headers: { ...auth, Origin: 'http://evil.example' }, body: '{}' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const rebound = await send('GET', '/api/health', { headers: { Host: `evil.example:${server.port}` } });
    expect(rebound.status).toBe(403);
    const same = await send('POST', '/api/call/app.info', { headers: { ...auth, Origin: base }, body: '{}' });
    expect(same.status).toBe(200);
    expect(same.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves the built UI with a strict CSP, falls back to index.html for app routes, and stays in its folder', async () => {
    const index = await send('GET', '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>app</title>');
    expect(index.headers['content-security-policy']).toMatch(/default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'/);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await send('GET', '/app.js')).headers['content-type']).toMatch(/javascript/);
    expect((await send('GET', '/runs/12')).body).toContain('<title>app</title>');
    expect((await send('GET', '/missing.js')).status).toBe(404);
    const escape = await send('GET', '/..%2fsecret.txt');
    expect(escape.body).not.toContain('do not serve');
    expect((await send('GET', '/%2e%2e/secret.txt')).body).not.toContain('do not serve');
  });
});

describe('bad requests change nothing', () => {
  it('rejects unknown calls, unknown fields, wrong types, bad JSON, wrong content types and oversize bodies', async () => {
    const before = { runs: store.countRuns(), datasets: store.listDatasets().length };
    const cases: [string, Record<string, string>, string | Buffer, number][] = [
      ['runs.explode', auth, '{}', 404],
      ['runs.create', auth, JSON.stringify({ configs: [{ ...TRAIN, epochs: 2 }], extra: 1 }), 400],
      ['runs.create', auth, JSON.stringify({ configs: [{ ...TRAIN, epochs: 'two' }] }), 400],
      ['runs.create', auth, JSON.stringify({ configs: [] }), 400],
      ['runs.create', auth, '{"configs": [', 400],
      ['runs.create', { ...auth, 'Content-Type': 'text/plain' }, JSON.stringify({ configs: [TRAIN] }), 415],
      ['runs.create', auth, JSON.stringify({ configs: [{ ...TRAIN, name: 'x'.repeat(MAX_REQUEST_BYTES) }] }), 413],
      ['runs.get', auth, JSON.stringify({ id: 4242 }), 404],
      ['datasets.import', auth, JSON.stringify({ path: join(dir, 'secret.txt'), name: 'stolen' }), 400],
      ['datasets.import', auth, JSON.stringify({ path: '../secret.txt', name: 'stolen' }), 400],
    ];
    for (const [name, headers, body, status] of cases) {
      const reply = await send('POST', `/api/call/${name}`, { headers, body });
      expect({ name, status: reply.status }).toEqual({ name, status });
      const error = JSON.parse(reply.body) as { error: string; status: number };
      expect(error.status).toBe(status);
      expect(error.error.length).toBeGreaterThan(5);
    }
    expect((await send('GET', '/api/call/app.info', { headers: auth })).status).toBe(405);
    expect({ runs: store.countRuns(), datasets: store.listDatasets().length }).toEqual(before);
  });
});

describe('training through the API', () => {
  it('streams live epochs of a run, and the stored metrics match them', async () => {
    const stream = openEvents();
    expect(await stream.ready).toBe(200);
    const { ids } = await call<{ ids: number[] }>('runs.create', { configs: [{ ...TRAIN, epochs: 3 }] });
    const [id] = ids;
    await stream.next(isStatus(id, 'completed'));
    const epochs = stream.received.filter((e): e is Extract<ApiEvent, { type: 'run.epoch' }> => e.type === 'run.epoch' && e.runId === id);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(epochs.every((e) => e.plannedEpochs === 3 && e.metrics.length === 2)).toBe(true);
    const stored = await call<unknown[]>('runs.metrics', { id });
    expect(stored).toEqual(epochs.flatMap((e) => e.metrics));
    expect(stream.received.some((e) => e.type === 'run.alignment' && e.runId === id)).toBe(true);
    expect(stream.received.findIndex(isStatus(id, 'running'))).toBeLessThan(stream.received.findIndex((e) => e.type === 'run.epoch'));
    stream.close();
    await waitUntil(() => server.eventStreams() === 0);
  });

  it('cancels a long run, which ends cancelled', async () => {
    const stream = openEvents();
    await stream.ready;
    const { ids } = await call<{ ids: number[] }>('runs.create', { configs: [{ ...TRAIN, epochs: 100_000 }] });
    const [id] = ids;
    await stream.next((e) => e.type === 'run.epoch' && e.runId === id);
    await call('runs.cancel', { id });
    await stream.next(isStatus(id, 'cancelled'));
    const { runs } = await call<{ runs: RunSummary[] }>('runs.list', { status: ['cancelled'] });
    expect(runs.map((r) => r.id)).toContain(id);
    stream.close();
  });

  it('survives a training process killed with SIGKILL: the run fails, the database is intact, the server answers', async () => {
    const stream = openEvents();
    await stream.ready;
    const { ids } = await call<{ ids: number[] }>('runs.create', { configs: [{ ...TRAIN, epochs: 100_000 }] });
    const [id] = ids;
    await stream.next((e) => e.type === 'run.epoch' && e.runId === id && e.epoch >= 2);
    const pid = host.activeRuns().find((r) => r.runId === id)?.pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const failed = await stream.next(isStatus(id, 'failed'));
    expect(failed).toMatchObject({ error: 'training process exited with signal SIGKILL' });
    expect(store.integrityCheck()).toBe('ok');
    const detail = await call<{ status: string; epochs: number; error: string }>('runs.get', { id });
    expect(detail.status).toBe('failed');
    expect(detail.epochs).toBeGreaterThanOrEqual(2);
    expect((await send('GET', '/api/health')).status).toBe(200);
    // the host keeps serving: the run can be resumed from its checkpoint
    await call('runs.resume', { id });
    await stream.next((e) => isStatus(id, 'running')(e) && stream.received.indexOf(e) > stream.received.indexOf(failed));
    await call('runs.cancel', { id });
    await stream.next(isStatus(id, 'cancelled'));
    stream.close();
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
