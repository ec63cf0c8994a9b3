import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { currentOwner, STALE_HEARTBEAT_MS } from './run-owner';
import { openStore, type ExperimentStore, type StoreOptions } from './store';
import type { EpochMetricRow } from '../../contract/api';
import type { AlignmentMatrix, CreateRunInput } from './types';

let dir: string;
let path: string;
const opened: ExperimentStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-store-'));
  path = join(dir, 'store.sqlite');
});
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A clock that advances one second per reading, so timestamps are distinct and ordered. */
function tickingClock(start = Date.parse('2025-01-01T00:00:00Z')) {
  let t = start;
  return () => new Date((t += 1000));
}

function open(options: StoreOptions = {}): ExperimentStore {
  const store = openStore(path, { now: tickingClock(), ...options });
  opened.push(store);
  return store;
}

/** A second, raw connection: checks what is really in the file. */
function raw(): Database.Database {
  const db = new Database(path);
  db.pragma('foreign_keys = ON');
  return db;
}

const runInput = (over: Partial<CreateRunInput> = {}): CreateRunInput => ({
  config: { lr: 0.01, hidden: 64, students: [{ model: 'gcn' }, { model: 'gcn' }] },
  dataset: 'cora',
  model: 'gcn',
  strategy: 'alignahead',
  numStudents: 2,
  numLayers: 3,
  seed: 7,
  ...over,
});

function epochRows(epoch: number, numStudents: number, val: (student: number) => number | null = (s) => 0.5 + 0.01 * epoch + 0.001 * s): EpochMetricRow[] {
  return Array.from({ length: numStudents }, (_, student) => ({
    epoch,
    student,
    taskLoss: 1 / epoch,
    distillLoss: 0.1 / epoch,
    trainMetric: 0.9,
    valMetric: val(student),
    testMetric: epoch % 2 === 0 ? 0.6 : null,
    epochMs: 12.5,
    elapsedMs: 12.5 * epoch,
  }));
}

function runningRun(store: ExperimentStore, over: Partial<CreateRunInput> = {}) {
  const run = store.createRun(runInput(over));
  store.setStatus(run.id, 'running');
  return run.id;
}

describe('runs', () => {
  it('creates a queued run with its students, config and JSON fields round-tripped', () => {
    const store = open();
    const run = store.createRun(runInput({ tags: [' baseline ', 'gcn', 'baseline'], notes: 'first try', plannedEpochs: 200 }));
    expect(run).toMatchObject({
      name: 'gcn-alignahead-seed7',
      status: 'queued',
      dataset: 'cora',
      numStudents: 2,
      numLayers: 3,
      seed: 7,
      tags: ['baseline', 'gcn'],
      notes: 'first try',
      plannedEpochs: 200,
      startedAt: null,
      finishedAt: null,
      cancelRequested: false,
    });
    expect(run.config).toEqual(runInput().config);
    expect(store.getRun(run.id)).toEqual(run);
    expect(store.getStudents(run.id).map((s) => [s.idx, s.bestVal])).toEqual([
      [0, null],
      [1, null],
    ]);
    expect(store.getEvents(run.id).map((e) => e.kind)).toEqual(['created']);
    expect(store.getRun(run.id + 100)).toBeNull();
  });

  it('rejects bad run input with a UserError naming the field', () => {
    const store = open();
    expect(() => store.createRun(runInput({ numStudents: 0 }))).toThrow(/numStudents: expected an integer in 1\.\.64, got 0/);
    expect(() => store.createRun(runInput({ seed: 1.5 }))).toThrow(/seed/);
    expect(() => store.createRun(runInput({ model: ' ' }))).toThrow(/model: expected a non-empty string/);
    expect(() => store.createRun({ ...runInput(), config: [] as unknown as object })).toThrow(/config: expected an object, got an array/);
    expect(() => store.createRun(runInput({ datasetId: 5 }))).toThrow(/datasetId: no registered dataset with id 5/);
    expect(() => store.createRun(runInput({ tags: ['ok', ''] }))).toThrow(/tags\[1\]/);
    expect(() => store.setTags(99, ['x'])).toThrow(UserError);
    expect(() => store.setTags(99, ['x'])).toThrow('run 99 not found');
    expect(store.listRuns()).toEqual([]);
  });

  it('renames, tags, annotates, groups and records run info', () => {
    const store = open();
    const { id } = store.createRun(runInput());
    store.renameRun(id, 'cora baseline');
    store.setTags(id, ['a', 'b']);
    store.setNotes(id, '');
    store.setGroup(id, 'sweep-1');
    const run = store.updateRunInfo(id, { backend: 'wasm', backendReport: { simd: true, threads: 2 }, versions: { tfjs: '4.22.0' }, plannedEpochs: 50 });
    expect(run).toMatchObject({ name: 'cora baseline', tags: ['a', 'b'], notes: '', group: 'sweep-1', backend: 'wasm', plannedEpochs: 50 });
    expect(run.backendReport).toEqual({ simd: true, threads: 2 });
    expect(run.versions).toEqual({ tfjs: '4.22.0' });
    expect(run.updatedAt > run.createdAt).toBe(true);
    expect(() => store.renameRun(id, '')).toThrow(/name/);
  });

  it('lists runs newest first with finished epochs, best metrics and filters', () => {
    const store = open();
    const a = runningRun(store, { name: 'alpha', tags: ['keep'] });
    const b = runningRun(store, { name: 'beta', numStudents: 3, model: 'gat' });
    const c = store.createRun(runInput({ name: '100%_sure' })).id;
    for (let epoch = 1; epoch <= 3; epoch++) store.recordEpoch(a, epochRows(epoch, 2));
    store.recordEpoch(b, epochRows(1, 3));
    store.setStatus(a, 'completed');

    const all = store.listRuns();
    expect(all.map((r) => r.id)).toEqual([c, b, a]);
    const alpha = all.find((r) => r.id === a)!;
    expect(alpha).toMatchObject({ name: 'alpha', status: 'completed', epochs: 3, tags: ['keep'] });
    // best of student s is the last epoch's value: 0.5 + 0.03 + 0.001 s
    expect(alpha.students.map((s) => [s.idx, s.bestEpoch])).toEqual([
      [0, 3],
      [1, 3],
    ]);
    expect(alpha.students[1].bestVal).toBeCloseTo(0.531, 12);
    expect(all.find((r) => r.id === b)).toMatchObject({ epochs: 1, numStudents: 3 });
    expect(all.find((r) => r.id === b)!.students).toHaveLength(3);
    expect(all.find((r) => r.id === c)).toMatchObject({ epochs: 0, status: 'queued' });

    expect(store.listRuns({ status: 'running' }).map((r) => r.id)).toEqual([b]);
    expect(store.listRuns({ status: ['running', 'queued'] }).map((r) => r.id)).toEqual([c, b]);
    expect(store.listRuns({ search: 'GAT' }).map((r) => r.id)).toEqual([b]);
    expect(store.listRuns({ search: 'keep' }).map((r) => r.id)).toEqual([a]);
    // LIKE wildcards in the search text are literal
    expect(store.listRuns({ search: '100%_' }).map((r) => r.id)).toEqual([c]);
    expect(store.listRuns({ search: '%' }).map((r) => r.id)).toEqual([c]);
    expect(store.listRuns({ search: String(a) }).map((r) => r.id)).toContain(a);
    expect(store.listRuns({ limit: 1, offset: 1 }).map((r) => r.id)).toEqual([b]);
    expect(store.countRuns({ status: 'running' })).toBe(1);
    expect(() => store.listRuns({ status: 'done' as never })).toThrow(/unknown status 'done'/);
  });

  it('gives one run the same list line that listRuns gives it, with only the best-metric student fields', () => {
    const store = open();
    const id = runningRun(store, { name: 'single', tags: ['x'] });
    for (let epoch = 1; epoch <= 2; epoch++) store.recordEpoch(id, epochRows(epoch, 2));
    store.setConvergence(id, 0, { epochsTo95: 2, secondsTo95: 1.5 });
    const [listed] = store.listRuns();
    const single = store.runSummary(store.getRun(id)!);
    expect(single).toEqual(listed);
    expect(Object.keys(single.students[0]).sort()).toEqual(['bestEpoch', 'bestVal', 'idx', 'testAtBest']);
    expect(single).toMatchObject({ id, name: 'single', epochs: 2, tags: ['x'] });
  });
});

describe('status transitions', () => {
  it('follows the lifecycle and stamps times, owner and error', () => {
    const store = open();
    const { id } = store.createRun(runInput());
    const owner = { host: 'lab-box', pid: 4242, startToken: 'linux:b:77' };
    const running = store.setStatus(id, 'running', { owner });
    expect(running).toMatchObject({ status: 'running', owner, finishedAt: null });
    expect(running.startedAt).not.toBeNull();
    expect(running.heartbeatAt).not.toBeNull();

    const failed = store.setStatus(id, 'failed', { error: 'out of memory' });
    expect(failed).toMatchObject({ status: 'failed', error: 'out of memory', owner: null });
    expect(failed.finishedAt).not.toBeNull();

    const resumed = store.setStatus(id, 'running');
    expect(resumed).toMatchObject({ status: 'running', error: null, finishedAt: null, owner: currentOwner() });
    expect(resumed.startedAt).toBe(running.startedAt);

    const done = store.setStatus(id, 'completed');
    expect(done.status).toBe('completed');
    const events = store.getEvents(id).filter((e) => e.kind === 'status');
    expect(events.map((e) => e.data)).toEqual([
      { from: 'queued', to: 'running' },
      { from: 'running', to: 'failed' },
      { from: 'failed', to: 'running' },
      { from: 'running', to: 'completed' },
    ]);
    expect(events[1]).toMatchObject({ level: 'error', message: expect.stringContaining('out of memory') });
  });

  it('refuses invalid transitions, naming them', () => {
    const store = open();
    const { id } = store.createRun(runInput());
    expect(() => store.setStatus(id, 'completed')).toThrow('run 1: cannot change status from queued to completed');
    store.setStatus(id, 'running');
    expect(() => store.setStatus(id, 'queued')).toThrow(/from running to queued/);
    expect(() => store.setStatus(id, 'running')).toThrow(/run 1 is already running \(process \d+ on .*\); cancel it first/);
    store.setStatus(id, 'completed');
    for (const to of ['running', 'queued', 'failed', 'interrupted'] as const) {
      expect(() => store.setStatus(id, to)).toThrow(new RegExp(`from completed to ${to} \\(a completed run is final\\)`));
    }
    expect(store.getRun(id)!.status).toBe('completed');
  });

  it('resumes interrupted and cancelled runs through queued', () => {
    const store = open();
    const id = runningRun(store);
    store.setStatus(id, 'interrupted');
    expect(store.setStatus(id, 'queued')).toMatchObject({ status: 'queued', finishedAt: null, owner: null });
    store.setStatus(id, 'running');
    store.setStatus(id, 'cancelled');
    expect(store.setStatus(id, 'queued').status).toBe('queued');
  });

  it('heartbeat stamps a running run and reports a cancel request', () => {
    const store = open();
    const id = runningRun(store);
    const before = store.getRun(id)!.heartbeatAt!;
    expect(store.heartbeat(id)).toEqual({ status: 'running', cancelRequested: false });
    expect(store.getRun(id)!.heartbeatAt! > before).toBe(true);

    store.requestCancel(id);
    expect(store.heartbeat(id)).toEqual({ status: 'running', cancelRequested: true });
    store.setStatus(id, 'cancelled');
    expect(store.getRun(id)!.cancelRequested).toBe(false);
    const stamped = store.getRun(id)!.heartbeatAt;
    expect(store.heartbeat(id)).toEqual({ status: 'cancelled', cancelRequested: false });
    expect(store.getRun(id)!.heartbeatAt).toBe(stamped);

    const queued = store.createRun(runInput()).id;
    expect(store.requestCancel(queued).status).toBe('cancelled');
    expect(() => store.requestCancel(queued)).toThrow(/run \d+ is cancelled: only queued or running runs can be cancelled/);
  });
});

describe('epoch metrics', () => {
  it('records whole epochs and reads them back in order, NaN as null', () => {
    const store = open();
    const id = runningRun(store);
    store.recordEpoch(id, epochRows(1, 2));
    const second = epochRows(2, 2);
    second[1] = { ...second[1], taskLoss: Number.NaN, distillLoss: Number.POSITIVE_INFINITY };
    store.recordEpoch(id, second.reverse());

    const metrics = store.getMetrics(id);
    expect(metrics.map((m) => [m.epoch, m.student])).toEqual([
      [1, 0],
      [1, 1],
      [2, 0],
      [2, 1],
    ]);
    expect(metrics[0]).toEqual({ epoch: 1, student: 0, taskLoss: 1, distillLoss: 0.1, trainMetric: 0.9, valMetric: 0.51, testMetric: null, epochMs: 12.5, elapsedMs: 12.5 });
    expect(metrics[3]).toMatchObject({ taskLoss: null, distillLoss: null, testMetric: 0.6 });
    expect(store.getMetrics(id, { afterEpoch: 1 }).map((m) => m.epoch)).toEqual([2, 2]);
    expect(store.finishedEpochs(id)).toBe(2);
  });

  it('returns the rows as stored and every student\'s best after them', () => {
    const store = open();
    const id = runningRun(store);
    store.recordEpoch(id, epochRows(1, 2, () => 0.6));
    const rows = epochRows(2, 2, (s) => (s === 0 ? 0.5 : 0.8));
    rows[0] = { ...rows[0], taskLoss: Number.NaN };
    const recorded = store.recordEpoch(id, [rows[1], rows[0]]);
    expect(recorded.epoch).toBe(2);
    expect(recorded.metrics).toEqual(store.getMetrics(id, { afterEpoch: 1 }));
    expect(recorded.metrics[0].taskLoss).toBeNull();
    expect(recorded.best).toEqual([
      { idx: 0, bestVal: 0.6, bestEpoch: 1, testAtBest: null },
      { idx: 1, bestVal: 0.8, bestEpoch: 2, testAtBest: 0.6 },
    ]);
    expect(recorded.best).toEqual(store.getStudents(id).map(({ idx, bestVal, bestEpoch, testAtBest }) => ({ idx, bestVal, bestEpoch, testAtBest })));
  });

  it('rejects partial, duplicate, foreign and late epochs', () => {
    const store = open();
    const id = runningRun(store);
    expect(() => store.recordEpoch(id, epochRows(1, 1))).toThrow(/expected one row for each student 0\.\.1, got students \[0\]/);
    expect(() => store.recordEpoch(id, [epochRows(1, 2)[0], epochRows(1, 2)[0]])).toThrow(/got students \[0, 0\]/);
    expect(() => store.recordEpoch(id, epochRows(1, 3).slice(1))).toThrow(/got students \[1, 2\]/);
    expect(() => store.recordEpoch(id, epochRows(0, 2))).toThrow(/rows\[0\]\.epoch: expected an integer >= 1/);
    expect(() => store.recordEpoch(id, [epochRows(1, 2)[0], epochRows(2, 2)[1]])).toThrow(/rows\[1\]\.epoch: 2, but rows\[0\] is of epoch 1/);
    expect(() => store.recordEpoch(id, [])).toThrow(/expected one row per student/);
    expect(() => store.recordEpoch(id, [{ ...epochRows(1, 2)[0], epochMs: -1 }, epochRows(1, 2)[1]])).toThrow(/rows\[0\]\.epochMs/);
    store.recordEpoch(id, epochRows(1, 2));
    expect(() => store.recordEpoch(id, epochRows(1, 2))).toThrow(/epoch 1 is already recorded/);
    store.setStatus(id, 'completed');
    expect(() => store.recordEpoch(id, epochRows(2, 2))).toThrow(/run \d+ is completed, not running: metrics not recorded/);
    expect(store.getMetrics(id)).toHaveLength(2);
  });

  it('a failure in the middle of an epoch leaves nothing of it', () => {
    const store = open();
    const id = runningRun(store);
    store.recordEpoch(id, epochRows(1, 2));
    const heartbeat = store.getRun(id)!.heartbeatAt;
    const bestBefore = store.getStudents(id);

    // Make the second student's insert fail inside the transaction, after the first row went in.
    const db = raw();
    db.exec("CREATE TRIGGER fail_second BEFORE INSERT ON epoch_metrics WHEN NEW.student = 1 BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    expect(() => store.recordEpoch(id, epochRows(2, 2))).toThrow(/injected failure/);
    expect(store.getMetrics(id).map((m) => m.epoch)).toEqual([1, 1]);
    expect(store.getStudents(id)).toEqual(bestBefore); // student 0's better val was rolled back too
    expect(store.getRun(id)!.heartbeatAt).toBe(heartbeat);

    db.exec('DROP TRIGGER fail_second');
    db.close();
    store.recordEpoch(id, epochRows(2, 2));
    expect(store.finishedEpochs(id)).toBe(2);
  });

  it('keeps each student\'s best validation metric (first epoch reaching it) and its test value', () => {
    const store = open();
    const id = runningRun(store);
    const vals = [0.5, 0.7, 0.7, 0.6, null];
    vals.forEach((v, i) => store.recordEpoch(id, epochRows(i + 1, 2, (s) => (s === 0 ? v : 0.1 * (i + 1)))));
    const [first, second] = store.getStudents(id);
    expect(first).toMatchObject({ bestVal: 0.7, bestEpoch: 2, testAtBest: 0.6 });
    expect(second.bestEpoch).toBe(5);
    expect(second.bestVal).toBeCloseTo(0.5, 12);
    expect(second.testAtBest).toBeNull(); // epoch 5 was not evaluated on test

    const summary = store.setConvergence(id, 0, { epochsTo95: 2, secondsTo95: 0.025, epochsTo99: 2, secondsTo99: 0.025 });
    expect(summary).toMatchObject({ idx: 0, bestVal: 0.7, epochsTo95: 2, secondsTo99: 0.025 });
    expect(() => store.setConvergence(id, 2, { epochsTo95: 1 })).toThrow(/student: expected an integer in 0\.\.1/);
    // the best is the store's own decision, from the recorded epochs
    expect(() => store.setConvergence(id, 0, { bestVal: 1 } as never)).toThrow(/unknown field 'bestVal'/);
    expect(() => store.setConvergence(id, 0, { epochsTo95: 1.5 })).toThrow(/epochsTo95/);
    expect(() => store.setConvergence(id, 0, { bogus: 1 } as never)).toThrow(/unknown field 'bogus'/);
  });

  it('discardAfterEpoch forgets later records and recomputes the best from what remains', () => {
    const store = open();
    const id = runningRun(store);
    const vals = [0.5, 0.6, 0.9, 0.8];
    vals.forEach((v, i) => store.recordEpoch(id, epochRows(i + 1, 2, () => v)));
    for (const epoch of [2, 4]) store.recordAlignment(id, [{ epoch, student: 0, peer: 1, rows: 1, cols: 1, data: new Float32Array([epoch]) }]);
    store.saveCheckpoint(id, 2, new Uint8Array([2]));
    store.saveCheckpoint(id, 4, new Uint8Array([4]));
    store.setConvergence(id, 0, { epochsTo95: 3 });
    store.setStatus(id, 'interrupted');

    expect(store.discardAfterEpoch(id, 2)).toBe(2);
    expect(store.getMetrics(id).map((m) => m.epoch)).toEqual([1, 1, 2, 2]);
    expect(store.alignmentEpochs(id)).toEqual([2]);
    expect(store.listCheckpoints(id).map((c) => c.epoch)).toEqual([2]);
    expect(store.getStudents(id)[0]).toMatchObject({ bestVal: 0.6, bestEpoch: 2, testAtBest: 0.6, epochsTo95: null });
    store.setStatus(id, 'running');
    store.recordEpoch(id, epochRows(3, 2, () => 0.65));
    expect(store.getStudents(id)[0]).toMatchObject({ bestVal: 0.65, bestEpoch: 3 });
  });
});

describe('alignment matrices', () => {
  it('round-trips float32 data bit for bit, stored little-endian', () => {
    const store = open();
    const id = runningRun(store, { numStudents: 3 });
    const rng = new Rng(11);
    const special = [Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.4e-45, 3.4028234663852886e38, -1e-40];
    const matrices: AlignmentMatrix[] = [];
    for (let student = 0; student < 3; student++) {
      for (let peer = 0; peer < 3; peer++) {
        if (peer === student) continue;
        const data = Float32Array.from({ length: 12 }, () => rng.normal());
        if (student === 0 && peer === 1) data.set(special);
        matrices.push({ epoch: 0, student, peer, rows: 3, cols: 4, data });
      }
    }
    store.recordAlignment(id, matrices.slice(0, 6));
    store.recordAlignment(id, matrices.slice(0, 2).map((m) => ({ ...m, epoch: 5 })));

    const back = store.getAlignment(id, { epoch: 0 });
    expect(back.map((m) => [m.student, m.peer])).toEqual(matrices.map((m) => [m.student, m.peer]));
    back.forEach((m, i) => {
      expect(m).toMatchObject({ epoch: 0, rows: 3, cols: 4 });
      expect(Array.from(new Uint32Array(m.data.buffer))).toEqual(Array.from(new Uint32Array(matrices[i].data.buffer)));
    });

    const db = raw();
    const blob = (db.prepare('SELECT data FROM alignment_matrices WHERE run_id = ? AND epoch = 0 AND student = 0 AND peer = 1').get(id) as { data: Buffer }).data;
    db.close();
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    for (let i = 0; i < 12; i++) expect(Object.is(view.getFloat32(i * 4, true), matrices[0].data[i])).toBe(true);

    expect(store.alignmentEpochs(id)).toEqual([0, 5]);
    expect(store.getAlignment(id, { epoch: 'latest' }).map((m) => m.epoch)).toEqual([5, 5]);
    expect(store.getAlignment(id)).toHaveLength(8);
    expect(store.getAlignment(id, { epoch: 3 })).toEqual([]);
  });

  it('rejects malformed matrices and a second write of an epoch', () => {
    const store = open();
    const id = runningRun(store);
    const ok = { epoch: 1, student: 0, peer: 1, rows: 2, cols: 2, data: new Float32Array(4) };
    expect(() => store.recordAlignment(id, [{ ...ok, data: new Float32Array(3) }])).toThrow(/matrices\[0\]\.data: 3 values for a 2×2 matrix/);
    expect(() => store.recordAlignment(id, [{ ...ok, peer: 2 }])).toThrow(/matrices\[0\]\.peer: expected an integer in 0\.\.1/);
    expect(() => store.recordAlignment(id, [{ ...ok, data: [0, 0, 0, 0] as unknown as Float32Array }])).toThrow(/Float32Array/);
    expect(() => store.recordAlignment(id, [ok, ok])).toThrow(/pair 0→1 given twice/);
    expect(() => store.recordAlignment(id, [ok, { ...ok, epoch: 2, student: 1, peer: 0 }])).toThrow(/matrices\[1\]\.epoch: 2, but matrices\[0\] is of epoch 1/);
    store.recordAlignment(id, [ok]);
    expect(() => store.recordAlignment(id, [{ ...ok, student: 1, peer: 0 }])).toThrow(/epoch 1 are already recorded/);
  });
});

describe('checkpoints', () => {
  it('keeps only the newest N and returns the latest bytes', () => {
    const store = open();
    const id = runningRun(store);
    expect(store.latestCheckpoint(id)).toBeNull();
    for (let epoch = 1; epoch <= 5; epoch++) {
      // a view into a larger buffer: only the viewed bytes must be stored
      const backing = new Uint8Array(16).fill(255);
      const bytes = backing.subarray(4, 4 + epoch);
      bytes.fill(epoch);
      store.saveCheckpoint(id, epoch, bytes);
    }
    expect(store.listCheckpoints(id).map((c) => [c.epoch, c.bytes])).toEqual([
      [5, 5],
      [4, 4],
    ]);
    const latest = store.latestCheckpoint(id)!;
    expect(latest.epoch).toBe(5);
    expect(Array.from(latest.data)).toEqual([5, 5, 5, 5, 5]);

    store.saveCheckpoint(id, 5, new Uint8Array([9]));
    expect(Array.from(store.latestCheckpoint(id)!.data)).toEqual([9]);
    expect(store.listCheckpoints(id).map((c) => c.epoch)).toEqual([5, 4]);
  });

  it('honours a configured retention', () => {
    const store = open({ keepCheckpoints: 3 });
    const id = runningRun(store);
    for (let epoch = 1; epoch <= 6; epoch++) store.saveCheckpoint(id, epoch, new Uint8Array([epoch]));
    expect(store.listCheckpoints(id).map((c) => c.epoch)).toEqual([6, 5, 4]);
    expect(() => open({ keepCheckpoints: 0 })).toThrow(/keepCheckpoints/);
  });
});

describe('events', () => {
  it('appends and pages forward by id', () => {
    const store = open();
    const { id } = store.createRun(runInput());
    const first = store.logEvent(id, 'info', 'backend', 'using wasm', { simd: true });
    const second = store.logEvent(id, 'warn', 'data', 'isolated nodes');
    expect(second).toBeGreaterThan(first);
    const after = store.getEvents(id, { afterId: first });
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: second, runId: id, level: 'warn', kind: 'data', message: 'isolated nodes', data: null });
    expect(store.getEvents(id).find((e) => e.id === first)!.data).toEqual({ simd: true });
    expect(() => store.logEvent(id, 'fatal' as never, 'x', 'y')).toThrow(/unknown level 'fatal'/);
    expect(() => store.logEvent(id, 'info', 'x', 'y', { big: BigInt(1) })).toThrow(/event data: cannot be stored as JSON/);
  });
});

describe('deletion', () => {
  it('cascades to every child table and refuses a running run without force', () => {
    const store = open();
    const keep = runningRun(store);
    const id = runningRun(store);
    for (const run of [keep, id]) {
      store.recordEpoch(run, epochRows(1, 2));
      store.recordAlignment(run, [{ epoch: 1, student: 0, peer: 1, rows: 1, cols: 1, data: new Float32Array([1]) }]);
      store.saveCheckpoint(run, 1, new Uint8Array([1]));
      store.logEvent(run, 'info', 'note', 'hello');
    }
    expect(() => store.deleteRun(id)).toThrow(/run \d+ is running: cancel it first/);
    store.deleteRun(id, { force: true });
    expect(store.getRun(id)).toBeNull();
    expect(() => store.deleteRun(id)).toThrow(`run ${id} not found`);

    const db = raw();
    for (const table of ['students', 'epoch_metrics', 'alignment_matrices', 'checkpoints', 'run_events']) {
      const counts = db.prepare(`SELECT run_id, COUNT(*) AS n FROM ${table} GROUP BY run_id`).all() as { run_id: number; n: number }[];
      expect(counts.map((c) => c.run_id), table).toEqual([keep]);
    }
    db.close();
  });
});

describe('markInterruptedRuns', () => {
  it('marks only runs whose owner on this host is provably gone, never a live one', () => {
    const store = open();
    const child = spawnSync(process.execPath, ['-e', '']);
    const deadPid = child.pid!;
    expect(child.status).toBe(0);

    const orphan = store.createRun(runInput()).id;
    store.setStatus(orphan, 'running', { owner: { ...currentOwner(), pid: deadPid } });
    const ours = runningRun(store); // owned by this (live) process
    const queued = store.createRun(runInput()).id;

    expect(store.markInterruptedRuns().map((r) => r.id)).toEqual([orphan]);
    expect(store.getRun(orphan)).toMatchObject({ status: 'interrupted', owner: null, error: `process ${deadPid} ended without finishing the run` });
    expect(store.getRun(orphan)!.finishedAt).not.toBeNull();
    expect(store.getRun(ours)!.status).toBe('running');
    expect(store.getRun(queued)!.status).toBe('queued');
    expect(store.getEvents(orphan).at(-1)).toMatchObject({ level: 'warn', kind: 'status' });
    expect(store.markInterruptedRuns()).toEqual([]);
  });

  it('takes a live pid that started at another time for a reused pid: the owner is gone', () => {
    const store = open();
    const reused = store.createRun(runInput()).id;
    store.setStatus(reused, 'running', { owner: { ...currentOwner(), startToken: 'linux:another-boot:1' } });
    expect(store.markInterruptedRuns().map((r) => r.id)).toEqual([reused]);
    expect(store.getRun(reused)!.error).toMatch(/its pid now belongs to another process/);
  });

  it('judges owners on another host by their heartbeat: stale past the limit is gone, fresh is left alone', () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const store = open({ now: () => new Date(now), staleHeartbeatMs: 60_000 });
    const elsewhere = { host: 'other-machine', pid: process.pid, startToken: null };
    const id = store.createRun(runInput()).id;
    store.setStatus(id, 'running', { owner: elsewhere });
    now += 59_000;
    // the pid exists here, but pids of another host say nothing: only the heartbeat counts
    expect(store.markInterruptedRuns()).toEqual([]);
    store.heartbeat(id);
    now += 59_000;
    expect(store.markInterruptedRuns()).toEqual([]);
    now += 2_000;
    const [marked] = store.markInterruptedRuns();
    expect(marked).toMatchObject({ id, status: 'interrupted' });
    expect(marked.error).toBe(`process ${process.pid} on host other-machine sent no heartbeat for 61 s (limit 60 s)`);
  });

  it('treats a run recorded before owners had hosts by its heartbeat too', () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const store = open({ now: () => new Date(now) });
    const id = runningRun(store);
    const db = raw();
    db.prepare('UPDATE runs SET owner_host = NULL, owner_start = NULL WHERE id = ?').run(id);
    db.close();
    expect(store.getRun(id)!.owner).toEqual({ host: '', pid: process.pid, startToken: null });
    expect(store.markInterruptedRuns()).toEqual([]);
    now += STALE_HEARTBEAT_MS + 1000;
    expect(store.markInterruptedRuns().map((r) => r.id)).toEqual([id]);
  });
});

describe('heartbeat thread', () => {
  it('keeps beating while the main thread is blocked, and stops once the run has ended', async () => {
    const store = open({ now: () => new Date(), heartbeatIntervalMs: 50 });
    const id = runningRun(store);
    const before = store.getRun(id)!.heartbeatAt!;
    const heartbeat = store.startHeartbeat(id);
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // a long synchronous epoch: no timer of this thread could fire now. It lasts until three
      // beats were seen (a loaded machine may starve the thread for a while), at most 20 s.
      const giveUpAt = Date.now() + 20_000;
      const seen = new Set<string>();
      while (seen.size < 3 && Date.now() < giveUpAt) {
        const beat = store.getRun(id)!.heartbeatAt!;
        if (beat > before) seen.add(beat);
      }
      expect(seen.size).toBe(3);
      store.setStatus(id, 'completed');
      const ended = store.getRun(id)!.heartbeatAt;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(store.getRun(id)!.heartbeatAt).toBe(ended);
    } finally {
      await heartbeat.stop();
    }
  });

  it('a run another process owns keeps its records: discarding them is refused', () => {
    const store = open();
    const id = store.createRun(runInput()).id;
    store.setStatus(id, 'running', { owner: { host: 'elsewhere', pid: 7, startToken: null } });
    store.recordEpoch(id, epochRows(1, 2));
    expect(() => store.discardAfterEpoch(id, 0)).toThrow(/run 1 is running \(process 7 on elsewhere\): its records cannot be discarded/);
    expect(() => store.setStatus(id, 'running')).toThrow(/run 1 is already running \(process 7 on elsewhere\); cancel it first/);
    expect(store.finishedEpochs(id)).toBe(1);
  });

  it('is refused for a run this process does not own', () => {
    const store = open();
    const id = store.createRun(runInput()).id;
    store.setStatus(id, 'running', { owner: { host: 'elsewhere', pid: 7, startToken: null } });
    expect(() => store.startHeartbeat(id)).toThrow(/owned by process 7 on elsewhere, not by this process/);
  });
});

describe('dataset registry', () => {
  it('upserts by name, keeps id and creation time, and unlinks runs on delete', () => {
    const store = open();
    const cora = store.upsertDataset({ name: 'cora', source: '/data/cora.npz', format: 'npz', task: 'multiclass', nodes: 2708, edges: 13264, features: 1433, classes: 7, graphs: 1, stats: { homophily: 0.81 } });
    expect(cora).toMatchObject({ name: 'cora', nodes: 2708, stats: { homophily: 0.81 }, sha256: null });
    const again = store.upsertDataset({ name: 'cora', source: '/elsewhere/cora.npz', nodes: 2708, sha256: 'ab'.repeat(32) });
    expect(again.id).toBe(cora.id);
    expect(again.createdAt).toBe(cora.createdAt);
    expect(again.updatedAt > cora.updatedAt).toBe(true);
    expect(again).toMatchObject({ source: '/elsewhere/cora.npz', format: null, stats: null });
    store.upsertDataset({ name: 'amazon-photo', source: 'catalog' });
    expect(store.listDatasets().map((d) => d.name)).toEqual(['amazon-photo', 'cora']);
    expect(store.getDataset('cora')!.id).toBe(cora.id);
    expect(store.getDataset(cora.id)!.name).toBe('cora');
    expect(store.getDataset('citeseer')).toBeNull();
    expect(() => store.upsertDataset({ name: 'x', source: 's', task: 'regression' as never })).toThrow(/dataset task/);
    expect(() => store.upsertDataset({ name: 'x', source: 's', nodes: -1 })).toThrow(/dataset nodes/);

    const run = store.createRun(runInput({ datasetId: cora.id }));
    expect(run.datasetId).toBe(cora.id);
    expect(store.deleteDataset(cora.id)).toBe(true);
    expect(store.getRun(run.id)).toMatchObject({ datasetId: null, dataset: 'cora' });
  });
});

describe('several connections', () => {
  it('a second store on the same file sees committed writes', () => {
    const writer = open();
    const reader = open();
    const id = runningRun(writer);
    writer.recordEpoch(id, epochRows(1, 2));
    expect(reader.listRuns()[0]).toMatchObject({ id, epochs: 1, status: 'running' });
    expect(reader.integrityCheck()).toBe('ok');
  });
});

describe('in-memory store', () => {
  it('works without a file (tests, previews)', () => {
    const store = openStore(':memory:');
    opened.push(store);
    const { id } = store.createRun(runInput());
    expect(store.getRun(id)!.status).toBe('queued');
    expect(store.migration.from).toBe(0);
  });
});
