import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EpochMetricRow } from '../../contract/api';
import { loadMigrations } from './migrate';
import { openStore, type ExperimentStore } from './store';

/**
 * Backup and merge of whole histories: a backup is one self-contained, intact file with everything;
 * an import adds the other history's runs under new ids with everything recorded for them, skips
 * runs it has (by UUID), turns runs live elsewhere into resumable ones, and refuses newer schemas.
 */

let dir: string;
const opened: ExperimentStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-history-'));
});
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(name: string): ExperimentStore {
  const store = openStore(join(dir, name));
  opened.push(store);
  return store;
}

const rows = (epoch: number, val: number): EpochMetricRow[] =>
  [0, 1].map((student) => ({ epoch, student, taskLoss: 1 / epoch, distillLoss: 0.1, trainMetric: 0.9, valMetric: val + student / 100, testMetric: val - 0.05, epochMs: 5, elapsedMs: 5 * epoch }));

/** A history with a finished run (heatmaps, distillation signal, checkpoint, tags, a dataset), a running one and a queued one. */
function fill(store: ExperimentStore, label: string): { done: number; live: number; queued: number } {
  const dataset = store.upsertDataset({ name: `${label}-data`, source: '/data/x.npz', format: 'npz', nodes: 10 });
  const input = { config: { data: label }, dataset: `${label}-data`, datasetId: dataset.id, model: 'gcn', strategy: 'alignahead', numStudents: 2, numLayers: 2, seed: 1, plannedEpochs: 4 };
  const done = store.createRun({ ...input, name: `${label} done`, tags: ['final'], notes: 'kept' }).id;
  store.setStatus(done, 'running');
  for (let epoch = 1; epoch <= 4; epoch++) store.recordEpoch(done, rows(epoch, 0.5 + epoch / 10));
  store.recordAlignment(done, [{ epoch: 4, student: 0, peer: 1, rows: 2, cols: 2, data: Float32Array.of(0.1, 0.2, 0.3, 0.4) }]);
  store.recordSignal(done, [{ epoch: 4, student: 0, peer: 1, studentLayer: 1, peerLayer: 0, tau: 2, distanceOverTauQ1: 0.5, distanceOverTauMedian: 1, distanceOverTauQ3: 2, meanKl: 0.01, contrast: 0.03, studentContrast: 0.02, state: 'active' }]);
  store.saveCheckpoint(done, 4, Uint8Array.of(1, 2, 3, 4, 5));
  store.setConvergence(done, 0, { epochsTo95: 3 });
  store.setStatus(done, 'completed');
  const live = store.createRun({ ...input, name: `${label} live` }).id;
  store.setStatus(live, 'running');
  store.recordEpoch(live, rows(1, 0.4));
  const queued = store.createRun({ ...input, name: `${label} queued`, datasetId: null }).id;
  return { done, live, queued };
}

/** Everything recorded for a run, without the ids that change on import. */
function contentsOf(store: ExperimentStore, id: number) {
  const { id: _id, datasetId: _d, updatedAt: _u, status: _s, owner: _o, ...run } = store.getRun(id)!;
  return {
    run,
    students: store.getStudents(id),
    metrics: store.getMetrics(id),
    alignment: store.getAlignment(id, { epoch: 4 }).map((m) => ({ ...m, data: Array.from(m.data) })),
    signal: store.getSignal(id),
    checkpoints: store.listCheckpoints(id).map((c) => ({ ...c, data: Array.from(store.latestCheckpoint(id)!.data) })),
    events: store.getEvents(id).map(({ id: _e, runId: _r, ...event }) => event),
  };
}

describe('backup', () => {
  it('writes one intact, self-contained file with every run, and never overwrites', async () => {
    const store = open('main.sqlite');
    const { done, live } = fill(store, 'a');
    const destination = join(dir, 'backup.sqlite');
    const result = await store.backup(destination);
    expect(result).toMatchObject({ path: destination, runs: 3, epochRows: 10 });
    expect(readdirSync(dir).filter((f) => f.startsWith('backup') || f.startsWith('.backup'))).toEqual(['backup.sqlite']);

    const raw = new Database(destination, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(raw.pragma('journal_mode', { simple: true })).toBe('delete');
    raw.close();
    const copy = openStore(destination, { mustExist: true });
    opened.push(copy);
    expect(contentsOf(copy, done)).toEqual(contentsOf(store, done));
    expect(copy.getRun(live)!.status).toBe('running');

    await expect(store.backup(destination)).rejects.toThrow(/already exists; a backup never overwrites a file/);
    await expect(store.backup(join(dir, 'missing', 'b.sqlite'))).rejects.toThrow(/the folder .*missing does not exist/);
  });
});

describe('import', () => {
  it('adds the other history under new ids with everything recorded, and nothing the second time', async () => {
    const other = open('other.sqlite');
    const theirs = fill(other, 'b');
    const store = open('main.sqlite');
    const ours = fill(store, 'a');

    const first = await store.importHistory(join(dir, 'other.sqlite'));
    expect(first.skipped).toBe(0);
    expect(first.imported.map((r) => r.from)).toEqual([theirs.done, theirs.live, theirs.queued]);
    expect(first.imported.map((r) => r.to)).toEqual([4, 5, 6]);
    expect(first.datasets).toBe(1);

    const doneHere = first.imported[0].to;
    const { events: importedEvents, ...importedRest } = contentsOf(store, doneHere);
    const { events: originalEvents, ...originalRest } = contentsOf(other, theirs.done);
    expect(importedRest).toEqual(originalRest);
    expect(importedEvents.slice(0, -1)).toEqual(originalEvents);
    expect(importedEvents.at(-1)).toMatchObject({ kind: 'import', message: `imported from ${join(dir, 'other.sqlite')} (run ${theirs.done} there)` });
    expect(store.getRun(doneHere)).toMatchObject({ status: 'completed', datasetId: store.getDataset('b-data')!.id });
    // live elsewhere: resumable here, owned by no process of this machine
    for (const { to } of first.imported.slice(1)) expect(store.getRun(to)).toMatchObject({ status: 'interrupted', owner: null, cancelRequested: false });
    expect(store.getEvents(first.imported[1].to).at(-1)!.message).toMatch(/where it was running: interrupted here, resumable/);
    expect(store.getRun(ours.live)!.status).toBe('running');

    const second = await store.importHistory(join(dir, 'other.sqlite'));
    expect(second).toMatchObject({ imported: [], skipped: 3, datasets: 0 });
    expect(store.countRuns()).toBe(6);
    expect(store.integrityCheck()).toBe('ok');
    // the other file was only read
    expect(other.countRuns()).toBe(3);
    expect(readdirSync(dir).filter((f) => f.includes('.import-'))).toEqual([]);
  });

  it('gives the runs of an old-schema history the same identities in every copy, so it merges once', async () => {
    const fixture = fileURLToPath(new URL('../../test/fixtures/schema-v1.sqlite', import.meta.url));
    copyFileSync(fixture, join(dir, 'old-a.sqlite'));
    copyFileSync(fixture, join(dir, 'old-b.sqlite'));
    // one copy upgraded in place (opened by a new program), the other only imported
    const upgraded = open('old-a.sqlite');
    const store = open('main.sqlite');
    const first = await store.importHistory(join(dir, 'old-b.sqlite'));
    expect(first.imported).toHaveLength(4);
    expect(first.imported.map((r) => r.uuid).sort()).toEqual(upgraded.listRuns().map((r) => upgraded.getRun(r.id)!.uuid).sort());
    expect((await store.importHistory(join(dir, 'old-a.sqlite'))).skipped).toBe(4);
    expect(store.getMetrics(first.imported[0].to)).toEqual(upgraded.getMetrics(1));
  });

  it('refuses a newer schema, and files that are no history, before importing anything', async () => {
    const store = open('main.sqlite');
    const newer = open('newer.sqlite');
    fill(newer, 'n');
    newer.close();
    const raw = new Database(join(dir, 'newer.sqlite'));
    raw.pragma(`user_version = ${loadMigrations().length + 1}`);
    raw.close();
    await expect(store.importHistory(join(dir, 'newer.sqlite'))).rejects.toThrow(
      `${join(dir, 'newer.sqlite')}: its schema version is ${loadMigrations().length + 1}, newer than this program's ${loadMigrations().length}; update Alignahead to import it (nothing was imported)`,
    );
    writeFileSync(join(dir, 'notes.txt'), 'not a database at all, just some text that is long enough to have a header');
    await expect(store.importHistory(join(dir, 'notes.txt'))).rejects.toThrow(/notes.txt: not a usable SQLite database/);
    new Database(join(dir, 'empty.sqlite')).close();
    await expect(store.importHistory(join(dir, 'empty.sqlite'))).rejects.toThrow(/not an Alignahead experiment history/);
    await expect(store.importHistory(join(dir, 'nowhere.sqlite'))).rejects.toThrow(/nowhere.sqlite: no such file/);
    expect(store.countRuns()).toBe(0);
    expect(existsSync(join(dir, 'nowhere.sqlite'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
