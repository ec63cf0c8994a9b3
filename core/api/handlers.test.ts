import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvent, CallResult } from '../../contract/api';
import { openStore, type ExperimentStore, type RunRecord } from '../store';
import type { ApiHandlerDeps, ApiHandlers } from './handlers';
import { folderHandlers } from './testing/folder-handlers';
import { INTERNAL_ERROR_MESSAGE } from './errors';
import { SETTINGS_FILE } from './settings';

/** A training host that records what it is asked and trains nothing. */
function fakeHost(store: ExperimentStore) {
  const calls: string[] = [];
  return {
    calls,
    maxConcurrent: 1,
    failEnqueue: null as Error | null,
    enqueue(runId: number, options: { resume?: boolean } = {}) {
      if (this.failEnqueue) throw this.failEnqueue;
      calls.push(`enqueue ${runId}${options.resume ? ' resume' : ''}`);
    },
    cancel(runId: number): RunRecord {
      calls.push(`cancel ${runId}`);
      return store.requestCancel(runId);
    },
    async terminate(runId: number) {
      calls.push(`terminate ${runId}`);
    },
    setMaxConcurrent(count: number) {
      this.maxConcurrent = count;
      calls.push(`max ${count}`);
    },
    lastBackend: () => null,
  };
}

let dir: string;
let store: ExperimentStore;
let host: ReturnType<typeof fakeHost>;
let handlers: ApiHandlers;
let logged: string[];
let events: ApiEvent[];
let importRoot: string;

function makeHandlers(overrides: Partial<ApiHandlerDeps> = {}): ApiHandlers {
  return folderHandlers(dir, {
    store,
    host,
    importRoots: [importRoot],
    publish: (event) => events.push(event),
    log: (line) => logged.push(line),
    ...overrides,
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-api-'));
  importRoot = join(dir, 'imports');
  mkdirSync(importRoot);
  store = openStore(join(dir, 'db.sqlite'));
  host = fakeHost(store);
  logged = [];
  events = [];
  handlers = makeHandlers();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectError(result: CallResult<unknown>, status: number, message?: RegExp): string {
  if (result.ok) throw new Error(`expected an error ${status}, got ${JSON.stringify(result.value).slice(0, 200)}`);
  expect(result.error.status).toBe(status);
  if (message) expect(result.error.error).toMatch(message);
  return result.error.error;
}

function value<T>(result: CallResult<unknown>): T {
  if (!result.ok) throw new Error(`call failed: ${result.error.status} ${result.error.error}`);
  return result.value as T;
}

const smallConfig = { data: 'csbm:60:200:3:4', epochs: 3, hidden: 4 };

/** A run with `epochs` recorded epochs, left `running` (as a trainer would leave it mid-run). */
function runningRunWithEpochs(epochs: number): RunRecord {
  const run = store.createRun({ config: smallConfig, dataset: smallConfig.data, model: 'gcn', strategy: 'alignahead', numStudents: 2, numLayers: 2, seed: 0 });
  store.setStatus(run.id, 'running');
  for (let epoch = 1; epoch <= epochs; epoch++) {
    store.recordEpoch(
      run.id,
      [0, 1].map((student) => ({ epoch, student, taskLoss: 1 / epoch, distillLoss: 0.5, trainMetric: 0.5, valMetric: 0.1 * epoch + student, testMetric: null, epochMs: 10, elapsedMs: 10 * epoch })),
    );
  }
  return store.getRun(run.id)!;
}

describe('dispatch error mapping', () => {
  it('answers an unknown call with 404 naming it, whatever the name is', async () => {
    expectError(await handlers.dispatch('runs.explode', {}), 404, /unknown call 'runs\.explode'/);
    expectError(await handlers.dispatch(42, {}), 404, /unknown call of type number/);
    expectError(await handlers.dispatch('__proto__', {}), 404);
    expectError(await handlers.dispatch('toString', {}), 404);
  });

  it('rejects unknown fields and wrong types with 400 naming the field, creating nothing', async () => {
    expectError(await handlers.dispatch('runs.create', { configs: [smallConfig], colour: 'red' }), 400, /colour/);
    expectError(await handlers.dispatch('runs.create', { configs: [{ ...smallConfig, epochs: 'many' }] }), 400, /configs\.0\.epochs/);
    expectError(await handlers.dispatch('runs.create', { configs: [{ ...smallConfig, lr: -1 }] }), 400, /lr/);
    expectError(await handlers.dispatch('runs.get', { id: '1' }), 400, /id/);
    expectError(await handlers.dispatch('runs.list', []), 400);
    expect(store.countRuns()).toBe(0);
    expect(host.calls).toEqual(['max 1']);
  });

  it('maps missing runs to 404 and refused state changes to 409', async () => {
    expectError(await handlers.dispatch('runs.get', { id: 99 }), 404, /run 99 not found/);
    const run = runningRunWithEpochs(1);
    expectError(await handlers.dispatch('runs.resume', { id: run.id }), 409, /cannot change status from running to queued/);
    store.setStatus(run.id, 'completed');
    expectError(await handlers.dispatch('runs.resume', { id: run.id }), 409);
    expectError(await handlers.dispatch('runs.cancel', { id: run.id }), 409, /only queued or running/);
  });

  it('hides internal errors behind a generic 500 and logs the details', async () => {
    host.failEnqueue = new Error('secret detail at /home/someone/.alignahead');
    const message = expectError(await handlers.dispatch('runs.create', { configs: [smallConfig] }), 500);
    expect(message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(message).not.toMatch(/secret|home/);
    expect(logged.join('\n')).toMatch(/secret detail/);
  });
});

describe('runs', () => {
  it('creates one queued run per config in one group and enqueues them in order', async () => {
    const { ids } = value<{ ids: number[] }>(await handlers.dispatch('runs.create', { configs: [smallConfig, { ...smallConfig, seed: 1 }, { ...smallConfig, seed: 2 }] }));
    expect(ids).toHaveLength(3);
    expect(host.calls.slice(1)).toEqual(ids.map((id) => `enqueue ${id}`));
    const runs = ids.map((id) => store.getRun(id)!);
    expect(runs.map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
    expect(new Set(runs.map((r) => r.group)).size).toBe(1);
    expect(runs[0].group).not.toBeNull();
    expect(runs.map((r) => r.seed)).toEqual([0, 1, 2]);
  });

  it('validates every config before creating any run', async () => {
    const bad = { ...smallConfig, strategy: 'custom', plan: '9<-1' };
    expectError(await handlers.dispatch('runs.create', { configs: [smallConfig, bad] }), 400, /configs\[1\]/);
    expectError(await handlers.dispatch('runs.create', { configs: [{ ...smallConfig, data: 'no-such-dataset' }] }), 400, /unknown dataset 'no-such-dataset'/);
    expectError(await handlers.dispatch('runs.create', { configs: [{ ...smallConfig, data: 'cora' }] }), 400, /not downloaded/);
    expect(store.countRuns()).toBe(0);
  });

  it('applies the backend setting to configs that leave the backend on auto', async () => {
    value(await handlers.dispatch('settings.set', { backend: 'cpu' }));
    const { ids } = value<{ ids: number[] }>(await handlers.dispatch('runs.create', { configs: [smallConfig, { ...smallConfig, backend: 'wasm' }] }));
    expect(ids.map((id) => store.getRun(id)!.config.backend)).toEqual(['cpu', 'wasm']);
  });

  it('resumes a failed run from its checkpoint and reruns a run as a new one', async () => {
    const run = runningRunWithEpochs(2);
    store.setStatus(run.id, 'failed', { error: 'boom' });
    const resumed = value<{ status: string; epochs: number }>(await handlers.dispatch('runs.resume', { id: run.id }));
    expect(resumed.status).toBe('queued');
    expect(resumed.epochs).toBe(2);
    expect(host.calls).toContain(`enqueue ${run.id} resume`);
    const { id } = value<{ id: number }>(await handlers.dispatch('runs.rerun', { id: run.id }));
    expect(id).not.toBe(run.id);
    expect(store.getRun(id)!.config.data).toBe(smallConfig.data);
    expect(store.getRun(id)!.status).toBe('queued');
    expect(host.calls).toContain(`enqueue ${id}`);
  });

  it('answers a single-run change with the same summary the runs list shows', async () => {
    const run = runningRunWithEpochs(2);
    const renamed = value<{ name: string }>(await handlers.dispatch('runs.rename', { id: run.id, name: 'renamed' }));
    const { runs } = value<{ runs: { id: number }[] }>(await handlers.dispatch('runs.list', {}));
    expect(renamed.name).toBe('renamed');
    expect(renamed).toEqual(runs.find((r) => r.id === run.id));
  });

  it('refuses to delete a running run unless forced, then stops its worker first', async () => {
    const running = runningRunWithEpochs(1);
    const other = store.createRun({ config: smallConfig, dataset: 'x', model: 'gcn', strategy: 'oc', numStudents: 1, numLayers: 2, seed: 0 });
    expectError(await handlers.dispatch('runs.delete', { ids: [other.id, running.id] }), 409, /is running/);
    expect(store.getRun(other.id)).not.toBeNull();
    expectError(await handlers.dispatch('runs.delete', { ids: [other.id, 12345] }), 404);
    expect(store.getRun(other.id)).not.toBeNull();
    const { deleted } = value<{ deleted: number[] }>(await handlers.dispatch('runs.delete', { ids: [running.id, other.id], force: true }));
    expect(deleted).toEqual([running.id, other.id]);
    expect(host.calls).toContain(`terminate ${running.id}`);
    expect(store.countRuns()).toBe(0);
  });

  it('exports CSV with a header and one line per epoch and student, and JSON with the run detail', async () => {
    const run = runningRunWithEpochs(3);
    store.renameRun(run.id, 'a "quoted", name');
    const csv = value<{ content: string; mimeType: string }>(await handlers.dispatch('runs.export', { ids: [run.id], format: 'csv' }));
    const lines = csv.content.trim().split('\n');
    expect(lines[0]).toBe('run_id,run_name,epoch,student,task_loss,distill_loss,train_metric,val_metric,test_metric,epoch_ms,elapsed_ms');
    expect(lines).toHaveLength(1 + 3 * 2);
    expect(lines[1]).toBe(`${run.id},"a ""quoted"", name",1,0,1,0.5,0.5,0.1,,10,10`);
    const json = value<{ content: string }>(await handlers.dispatch('runs.export', { ids: [run.id], format: 'json' }));
    const parsed = JSON.parse(json.content) as { runs: { run: { id: number; planPairs: unknown[] }; metrics: unknown[] }[] };
    expect(parsed.runs[0].run.id).toBe(run.id);
    expect(parsed.runs[0].metrics).toHaveLength(6);
  });

  it('returns run detail with the planned layer pairs and alignment matrices as plain numbers', async () => {
    const run = runningRunWithEpochs(1);
    const data = new Float32Array([0.25, 0.5, 0.125, 1]);
    store.recordAlignment(run.id, [{ epoch: 1, student: 0, peer: 1, rows: 2, cols: 2, data }]);
    const detail = value<{ planPairs: { student: number; peer: number }[]; epochs: number }>(await handlers.dispatch('runs.get', { id: run.id }));
    // align-ahead with 2 layers: layer 2 learns from peer layer 1, layer 1 from peer layer 2
    expect(detail.planPairs).toEqual(expect.arrayContaining([{ student: 1, peer: 0 }, { student: 0, peer: 1 }]));
    expect(detail.planPairs).toHaveLength(2);
    expect(detail.epochs).toBe(1);
    const alignment = value<{ epochs: number[]; epoch: number; matrices: { data: unknown }[] }>(await handlers.dispatch('runs.alignment', { id: run.id }));
    expect(alignment.epochs).toEqual([1]);
    expect(alignment.epoch).toBe(1);
    expect(Array.isArray(alignment.matrices[0].data)).toBe(true);
    expect(alignment.matrices[0].data).toEqual([0.25, 0.5, 0.125, 1]);
  });
  it('serves the distillation signal, pages it by epoch, and exports it as CSV', async () => {
    const run = runningRunWithEpochs(1);
    const figures = { tau: 0.5, distanceOverTauQ1: 0.6, distanceOverTauMedian: 1, distanceOverTauQ3: 1.7, meanKl: 0.002, contrast: 0.035, studentContrast: 0.031, state: 'active' } as const;
    for (const epoch of [0, 1]) store.recordSignal(run.id, [{ epoch, student: 0, peer: 1, studentLayer: 1, peerLayer: 0, ...figures }]);
    const rows = value<{ epoch: number; contrast: number }[]>(await handlers.dispatch('runs.signal', { id: run.id }));
    expect(rows.map((r) => [r.epoch, r.contrast])).toEqual([[0, 0.035], [1, 0.035]]);
    expect(value<unknown[]>(await handlers.dispatch('runs.signal', { id: run.id, afterEpoch: 0 }))).toHaveLength(1);
    expectError(await handlers.dispatch('runs.signal', { id: 999 }), 404, /run 999 not found/);
    expectError(await handlers.dispatch('runs.signal', { id: run.id, afterEpoch: -1 }), 400);
    const csv = value<{ filename: string; content: string }>(await handlers.dispatch('runs.export', { ids: [run.id], format: 'csv', table: 'signal' }));
    expect(csv.filename).toBe(`run-${run.id}-signal.csv`);
    expect(csv.content.split('\n')[1]).toBe(`${run.id},${run.name},0,0,1,1,0,0.5,0.6,1,1.7,0.002,0.035,0.031,active`);
    const json = JSON.parse(value<{ content: string }>(await handlers.dispatch('runs.export', { ids: [run.id], format: 'json' })).content);
    expect(json.runs[0].signal).toHaveLength(2);
  });
});

describe('settings', () => {
  it('persists settings in the data folder and applies the concurrency to the host', async () => {
    expect(value(await handlers.dispatch('settings.get', {}))).toEqual({ backend: 'auto', maxConcurrentRuns: 1 });
    value(await handlers.dispatch('settings.set', { maxConcurrentRuns: 3 }));
    expect(host.maxConcurrent).toBe(3);
    expect(JSON.parse(readFileSync(join(dir, 'data', SETTINGS_FILE), 'utf8'))).toEqual({ backend: 'auto', maxConcurrentRuns: 3 });
    expectError(await handlers.dispatch('settings.set', { maxConcurrentRuns: 99 }), 400);
    const again = makeHandlers();
    expect(value(await again.dispatch('settings.get', {}))).toEqual({ backend: 'auto', maxConcurrentRuns: 3 });
  });
});

describe('datasets', () => {
  function csvFolder(parent: string, name: string): string {
    const folder = join(parent, name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'edges.csv'), 'source,target\n0,1\n1,2\n2,3\n3,0\n4,5\n5,0\n');
    writeFileSync(join(folder, 'labels.csv'), 'id,label\n0,0\n1,0\n2,1\n3,1\n4,0\n5,1\n');
    return folder;
  }

  it('imports a folder inside the import root, registers it and caches it', async () => {
    csvFolder(importRoot, 'mine');
    const view = value<{ nodes: number; ref: string }>(await handlers.dispatch('datasets.import', { path: 'mine', name: 'my-graph' }));
    expect(view.nodes).toBe(6);
    expect(view.ref).toBe('my-graph');
    expect(store.getDataset('my-graph')?.nodes).toBe(6);
    expect(existsSync(join(dir, 'cache', 'my-graph', 'edges.csv'))).toBe(true);
    expectError(await handlers.dispatch('datasets.import', { path: 'mine', name: 'my-graph' }), 409, /already exists/);
    const catalog = value<{ name: string }[]>(await handlers.dispatch('datasets.catalog', {}));
    expect(catalog.map((c) => c.name)).toContain('my-graph');
  });

  it('refuses paths outside the import roots: absolute, traversal and symbolic links', async () => {
    const outside = csvFolder(dir, 'outside');
    expectError(await handlers.dispatch('datasets.import', { path: outside, name: 'a' }), 400, /outside the folders/);
    expectError(await handlers.dispatch('datasets.import', { path: '../outside', name: 'a' }), 400, /outside the folders/);
    symlinkSync(outside, join(importRoot, 'link'));
    expectError(await handlers.dispatch('datasets.import', { path: 'link', name: 'a' }), 400, /outside the folders/);
    // a folder inside the root whose files link elsewhere
    const sneaky = join(importRoot, 'sneaky');
    mkdirSync(sneaky);
    symlinkSync(join(outside, 'edges.csv'), join(sneaky, 'edges.csv'));
    symlinkSync(join(outside, 'labels.csv'), join(sneaky, 'labels.csv'));
    expectError(await handlers.dispatch('datasets.import', { path: 'sneaky', name: 'a' }), 400, /links outside/);
    expectError(await handlers.dispatch('datasets.inspect', { ref: join(outside, 'edges.csv') }), 400, /outside the folders/);
    expectError(await handlers.dispatch('runs.create', { configs: [{ ...smallConfig, data: outside }] }), 400, /outside the folders/);
    expect(store.listDatasets()).toEqual([]);
    expect(store.countRuns()).toBe(0);
  });

  it('builds a generator spec from form fields and inspects it', async () => {
    const view = value<{ spec: string; nodes: number; classes: number; features: number }>(
      await handlers.dispatch('datasets.generate', { kind: 'csbm', nodes: 80, edges: 300, classes: 4, features: 6, noise: 3, homophily: 0.7 }),
    );
    expect(view.spec).toBe('csbm:80:300:4:6:noise=3:homophily=0.7');
    expect([view.nodes, view.classes, view.features]).toEqual([80, 4, 6]);
    expectError(await handlers.dispatch('datasets.generate', { kind: 'csbm', nodes: 3, edges: 3, classes: 5, features: 2 }), 400, /CLASSES \(5\) cannot exceed NODES \(3\)/);
  });

  it('the catalog gives exact sizes and published SHA-256s, and the hash a first download recorded', async () => {
    type Item = { name: string; bytes: number | null; sha256: string | null; sha256Source: string | null; url: string | null };
    const byName = (items: Item[]) => new Map(items.map((item) => [item.name, item]));
    const catalog = byName(value<Item[]>(await handlers.dispatch('datasets.catalog', {})));
    expect(catalog.get('cora')).toMatchObject({ bytes: 540_580, sha256: '068e22d90c3849b4057dfb05851741428992af058efcd4e7ebb4186f3d581de2', sha256Source: 'published' });
    expect(catalog.get('pubmed')).toMatchObject({ bytes: null, sha256: null, sha256Source: null });
    expect(catalog.get('demo')).toMatchObject({ url: null, bytes: null });
    mkdirSync(join(dir, 'cache'), { recursive: true });
    writeFileSync(join(dir, 'cache', 'hashes.json'), JSON.stringify({ pubmed: { sha256: 'ab'.repeat(32), url: 'x', recordedAt: '2026-01-01' } }));
    const after = byName(value<Item[]>(await handlers.dispatch('datasets.catalog', {})));
    expect(after.get('pubmed')).toMatchObject({ sha256: 'ab'.repeat(32), sha256Source: 'first-download' });
  });

  it('checks before any click whether each download is possible, asking only for headers, and reuses the answers for a minute', async () => {
    const asked: string[] = [];
    const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
      asked.push(`${init?.method ?? 'GET'} ${String(url)}`);
      if (String(url).includes('data.dgl.ai')) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
      return new Response(null, { status: 200 });
    }) as typeof fetch;
    const withFetch = makeHandlers({ fetchImpl });
    const checks = value<{ name: string; possible: boolean; reason: string }[]>(await withFetch.dispatch('datasets.checkDownloads', {}));
    expect(checks.map((c) => c.name)).toEqual(['cora', 'citeseer', 'pubmed', 'amazon-computers', 'amazon-photo', 'coauthor-cs', 'coauthor-physics', 'ppi']);
    expect(checks.find((c) => c.name === 'cora')).toMatchObject({ possible: true, reason: 'github.com answers' });
    expect(checks.find((c) => c.name === 'ppi')).toMatchObject({ possible: false, reason: 'offline or blocked: cannot reach data.dgl.ai (ENOTFOUND)' });
    expect(asked.every((line) => line.startsWith('HEAD '))).toBe(true);
    const count = asked.length;
    await withFetch.dispatch('datasets.checkDownloads', {});
    expect(asked.length).toBe(count);
    await withFetch.dispatch('datasets.checkDownloads', { refresh: true });
    expect(asked.length).toBe(2 * count);
    expectError(await withFetch.dispatch('datasets.checkDownloads', { refresh: 'yes' }), 400);
  });

  it('downloads in the background and reports progress events, ending with done', async () => {
    const body = new Uint8Array(10);
    const fetchImpl = (async () => new Response(body, { status: 200, headers: { 'content-length': '10' } })) as typeof fetch;
    const withFetch = makeHandlers({ fetchImpl });
    expect(value(await withFetch.dispatch('datasets.download', { name: 'citeseer' }))).toEqual({ started: true });
    await withFetch.settle();
    const last = events.filter((e) => e.type === 'dataset.progress').at(-1);
    // ten zero bytes are no .npz: the download ends with the validation message
    expect(last).toMatchObject({ type: 'dataset.progress', name: 'citeseer', done: true });
    expect(last && last.type === 'dataset.progress' && last.error).toMatch(/not a valid dataset|citeseer/);
    expectError(await withFetch.dispatch('datasets.download', { name: 'demo' }), 400, /nothing to download/);
  });
});

describe('history backup and import', () => {
  it('backs up into an allowed folder only, never overwriting, and imports from there once', async () => {
    const run = runningRunWithEpochs(3);
    const backup = value<{ path: string; runs: number; epochRows: number }>(await handlers.dispatch('history.backup', { path: 'backup.sqlite' }));
    expect(backup).toMatchObject({ path: join(realpathSync(importRoot), 'backup.sqlite'), runs: 1, epochRows: 6 });
    expectError(await handlers.dispatch('history.backup', { path: 'backup.sqlite' }), 409, /already exists; a backup never overwrites/);
    for (const path of [join(dir, 'elsewhere.sqlite'), '../elsewhere.sqlite', 'missing/b.sqlite']) {
      expectError(await handlers.dispatch('history.backup', { path }), path.startsWith('missing') ? 404 : 400, path.startsWith('missing') ? /no such file or folder/ : /outside the folders history backups may be written to/);
    }
    symlinkSync(dir, join(importRoot, 'up'));
    expectError(await handlers.dispatch('history.backup', { path: 'up/escaped.sqlite' }), 400, /outside the folders/);
    expect(existsSync(join(dir, 'elsewhere.sqlite')) || existsSync(join(dir, 'escaped.sqlite'))).toBe(false);

    // the backup is another machine's history to a second store: its run arrives once
    const second = openStore(join(dir, 'second.sqlite'));
    const secondEvents: ApiEvent[] = [];
    const other = makeHandlers({ store: second, databasePath: join(dir, 'second.sqlite'), publish: (event) => secondEvents.push(event) });
    try {
      const first = value<{ imported: number; skipped: number; runIds: number[] }>(await other.dispatch('history.import', { path: 'backup.sqlite' }));
      expect(first).toMatchObject({ imported: 1, skipped: 0, runIds: [1] });
      expect(second.getRun(1)).toMatchObject({ uuid: run.uuid, status: 'interrupted' });
      expect(secondEvents).toContainEqual({ type: 'history.imported', runs: 1 });
      expect(value(await other.dispatch('history.import', { path: 'backup.sqlite' }))).toMatchObject({ imported: 0, skipped: 1 });
      expectError(await other.dispatch('history.import', { path: join(dir, 'db.sqlite') }), 400, /outside the folders history files may be imported from/);
      expect(second.countRuns()).toBe(1);
    } finally {
      second.close();
    }
  });
});
