import { describe, expect, it } from 'vitest';
import { applyTableQuery, DEFAULT_QUERY, runProgress, toggleSort, type TableQuery } from './runs-table';
import { makeRun } from './test-fixtures';

const runs = [
  makeRun({ id: 1, name: 'cora baseline', strategy: 'oc', seed: 2, tags: ['final'], createdAt: '2026-01-01T10:00:00Z', students: [{ idx: 0, bestVal: 0.8, bestEpoch: 10, testAtBest: 0.79 }] }),
  makeRun({ id: 2, name: 'Cora ahead', strategy: 'alignahead', seed: 10, dataset: 'cora', createdAt: '2026-01-03T10:00:00Z', students: [{ idx: 0, bestVal: 0.82, bestEpoch: 5, testAtBest: 0.81 }, { idx: 1, bestVal: 0.85, bestEpoch: 7, testAtBest: 0.83 }] }),
  makeRun({ id: 3, name: 'ppi ahead', strategy: 'alignahead', dataset: 'ppi', model: 'gat', seed: 1, status: 'running', epochs: 25, plannedEpochs: 100, finishedAt: null, createdAt: '2026-01-02T10:00:00Z', remote: true, worker: 'gpu-box-1' }),
  makeRun({ id: 4, name: 'queued one', dataset: 'pubmed', status: 'queued', epochs: 0, startedAt: null, finishedAt: null, group: 'sweep-a', createdAt: '2026-01-04T10:00:00Z' }),
];

const query = (patch: Partial<TableQuery>): TableQuery => ({ ...DEFAULT_QUERY, ...patch });
const ids = (q: Partial<TableQuery>) => applyTableQuery(runs, query(q), Date.parse('2026-01-05T00:00:00Z')).map((r) => r.id);

describe('filtering', () => {
  it('filters by status and strategy', () => {
    expect(ids({ statuses: ['running', 'queued'], sortKey: 'id', descending: false })).toEqual([3, 4]);
    expect(ids({ strategies: ['oc'] })).toEqual([1]);
    expect(ids({ statuses: ['completed'], strategies: ['alignahead'] })).toEqual([2]);
  });

  it('searches any field case-insensitively, all terms must match', () => {
    expect(ids({ search: 'CORA', sortKey: 'id', descending: false })).toEqual([1, 2]);
    expect(ids({ search: 'cora ahead' })).toEqual([2]);
    expect(ids({ search: 'tag:final' })).toEqual([1]);
    expect(ids({ search: 'model:gat' })).toEqual([3]);
    expect(ids({ search: 'group:sweep' })).toEqual([4]);
    expect(ids({ search: 'nothing-like-this' })).toEqual([]);
  });

  it('a key:value term looks only at its field', () => {
    // "ppi" appears in run 3's name and dataset, but no run has strategy ppi
    expect(ids({ search: 'strategy:ppi' })).toEqual([]);
    expect(ids({ search: 'dataset:ppi' })).toEqual([3]);
    expect(ids({ search: 'seed:10' })).toEqual([2]);
    expect(ids({ search: 'worker:gpu-box' })).toEqual([3]);
  });
});

describe('sorting', () => {
  it('sorts numbers numerically and strings naturally in both directions', () => {
    expect(ids({ sortKey: 'seed', descending: false })).toEqual([4, 3, 1, 2]);
    expect(ids({ sortKey: 'seed', descending: true })).toEqual([2, 1, 3, 4]);
    // case-insensitive: "Cora ahead" < "cora baseline"
    expect(ids({ sortKey: 'name', descending: false })).toEqual([2, 1, 3, 4]);
  });

  it('sorts by creation date, newest first by default', () => {
    expect(ids({})).toEqual([4, 2, 3, 1]);
  });

  it('puts runs without a best metric last in either direction', () => {
    expect(ids({ sortKey: 'best', descending: true })).toEqual([2, 1, 3, 4]);
    expect(ids({ sortKey: 'best', descending: false })).toEqual([1, 2, 3, 4]);
  });

  it('sorts by progress: completed full, running partial, queued empty', () => {
    expect(runProgress(runs[2])).toBe(0.25);
    expect(ids({ sortKey: 'progress', descending: true })).toEqual([1, 2, 3, 4]);
  });

  it('best validation is the maximum over students', () => {
    // run 2's students reach 0.82 and 0.85: it sorts by 0.85, above a run with 0.84
    const pair = [runs[1], { ...runs[0], students: [{ idx: 0, bestVal: 0.84, bestEpoch: 3, testAtBest: 0.8 }] }];
    expect(applyTableQuery(pair, query({ sortKey: 'best', descending: true })).map((r) => r.id)).toEqual([2, 1]);
  });

  it('toggles: the same column flips, a new metric column starts descending', () => {
    const byName = toggleSort(DEFAULT_QUERY, 'name');
    expect([byName.sortKey, byName.descending]).toEqual(['name', false]);
    expect(toggleSort(byName, 'name').descending).toBe(true);
    expect(toggleSort(byName, 'best').descending).toBe(true);
  });
});
