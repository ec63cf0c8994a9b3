import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY, listInput, PAGE_SIZE, runProgress, toggleSort, type TableQuery } from './runs-table';
import { makeRun } from './test-fixtures';

const runs = [
  makeRun({ id: 1, name: 'cora baseline', strategy: 'oc', seed: 2, tags: ['final'], createdAt: '2026-01-01T10:00:00Z', students: [{ idx: 0, bestVal: 0.8, bestEpoch: 10, testAtBest: 0.79 }] }),
  makeRun({ id: 2, name: 'Cora ahead', strategy: 'alignahead', seed: 10, dataset: 'cora', createdAt: '2026-01-03T10:00:00Z', students: [{ idx: 0, bestVal: 0.82, bestEpoch: 5, testAtBest: 0.81 }, { idx: 1, bestVal: 0.85, bestEpoch: 7, testAtBest: 0.83 }] }),
  makeRun({ id: 3, name: 'ppi ahead', strategy: 'alignahead', dataset: 'ppi', model: 'gat', seed: 1, status: 'running', epochs: 25, plannedEpochs: 100, finishedAt: null, createdAt: '2026-01-02T10:00:00Z', remote: true, worker: 'gpu-box-1' }),
  makeRun({ id: 4, name: 'queued one', dataset: 'pubmed', status: 'queued', epochs: 0, startedAt: null, finishedAt: null, group: 'sweep-a', createdAt: '2026-01-04T10:00:00Z' }),
];

describe('the query sent to the store', () => {
  it('sends the filters, the sort and one page, leaving out what is not set', () => {
    expect(listInput(DEFAULT_QUERY, 0)).toEqual({ search: undefined, status: undefined, strategies: undefined, sort: 'createdAt', descending: true, limit: PAGE_SIZE, offset: 0, facets: true });
    const query: TableQuery = { search: '  cora tag:final ', statuses: ['running'], strategies: ['oc'], sortKey: 'best', descending: false };
    expect(listInput(query, 3)).toEqual({ search: 'cora tag:final', status: ['running'], strategies: ['oc'], sort: 'best', descending: false, limit: PAGE_SIZE, offset: 3 * PAGE_SIZE, facets: true });
  });
});

describe('rows', () => {
  it('shows progress: completed full, running partial, queued empty', () => {
    expect(runProgress(runs[0])).toBe(1);
    expect(runProgress(runs[2])).toBe(0.25);
    expect(runProgress(runs[3])).toBe(0);
  });

  it('toggles: the same column flips, a new metric column starts descending', () => {
    const byName = toggleSort(DEFAULT_QUERY, 'name');
    expect([byName.sortKey, byName.descending]).toEqual(['name', false]);
    expect(toggleSort(byName, 'name').descending).toBe(true);
    expect(toggleSort(byName, 'best').descending).toBe(true);
  });
});
