import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUN_SORT_KEYS, type EpochMetricRow, type RunSortKey, type RunSummary } from '../../contract/api';
import { Rng } from '../random';
import { openStore, type ExperimentStore } from './store';

/**
 * The runs list done by the store (what the experiment manager pages through): the search
 * language, every sort key against a sort of the whole list in JavaScript, pages that never overlap,
 * the filter facets, and the finished-epoch count the store keeps.
 */

let store: ExperimentStore;
let clock: number;
beforeEach(() => {
  clock = Date.parse('2025-01-01T00:00:00Z');
  store = openStore(':memory:', { now: () => new Date((clock += 1000)) });
});
afterEach(() => store.close());

function rows(epoch: number, students: number, val: number | null): EpochMetricRow[] {
  return Array.from({ length: students }, (_, student) => ({
    epoch,
    student,
    taskLoss: 1,
    distillLoss: 0,
    trainMetric: 0.5,
    valMetric: val === null ? null : val + 0.01 * student,
    testMetric: null,
    epochMs: 10,
    elapsedMs: 10 * epoch,
  }));
}

/** A varied history: names, datasets, strategies, statuses, groups, tags, epochs and bests drawn from a seed. */
function fill(count: number): void {
  const rng = new Rng(5);
  const strategies = ['alignahead', 'oc', 'dml', 'independent'];
  const datasets = ['cora', 'csbm:200:800:3', 'citeseer'];
  for (let i = 0; i < count; i++) {
    const students = 2 + rng.int(2);
    const run = store.createRun({
      name: `run ${rng.int(40)}`,
      group: rng.next() < 0.5 ? `sweep ${rng.int(3)}` : null,
      config: {},
      dataset: datasets[rng.int(datasets.length)],
      model: rng.next() < 0.5 ? 'gcn' : 'gat',
      strategy: strategies[rng.int(strategies.length)],
      numStudents: students,
      numLayers: 1 + rng.int(3),
      seed: rng.int(5),
      plannedEpochs: rng.next() < 0.2 ? null : 2 + rng.int(4),
      tags: rng.next() < 0.3 ? ['final'] : [],
      notes: rng.next() < 0.1 ? 'ablation of tau' : '',
    });
    const fate = rng.int(4);
    if (fate === 0) continue; // queued
    store.setStatus(run.id, 'running');
    const epochs = rng.int(4);
    for (let epoch = 1; epoch <= epochs; epoch++) store.recordEpoch(run.id, rows(epoch, students, rng.next() < 0.2 ? null : rng.next()));
    if (fate >= 2) store.setStatus(run.id, fate === 2 ? 'completed' : 'failed', fate === 3 ? { error: 'x' } : {});
  }
}

const all = () => store.listRuns({ limit: 10_000 });

describe('search', () => {
  beforeEach(() => fill(60));

  const ids = (search: string) => store.listRuns({ search, limit: 10_000 }).map((r) => r.id);
  const naive = (keep: (run: RunSummary) => boolean) => all().filter(keep).map((r) => r.id);

  it('matches key:value terms on their field and bare terms on any text field, all terms together', () => {
    expect(ids('strategy:oc')).toEqual(naive((r) => r.strategy.includes('oc')));
    expect(ids('tag:final')).toEqual(naive((r) => r.tags.includes('final')));
    expect(ids('seed:3')).toEqual(naive((r) => r.seed === 3));
    expect(ids('status:completed model:gat')).toEqual(naive((r) => r.status === 'completed' && r.model === 'gat'));
    expect(ids('GAT')).toEqual(naive((r) => r.model === 'gat'));
    expect(ids('tau')).toEqual(naive((r) => store.getRun(r.id)!.notes.includes('tau')));
    expect(ids('sweep cora')).toEqual(naive((r) => (r.group ?? '').includes('sweep') && r.dataset === 'cora'));
    expect(ids('id:7')).toEqual([7]);
    store.updateRunInfo(9, { worker: 'gpu-box-1' });
    expect(ids('worker:gpu-box')).toEqual([9]);
    expect(ids('gpu-box-1')).toEqual([9]);
    expect(ids('7')).toEqual(naive((r) => r.id === 7 || r.seed === 7 || r.name.includes('7')));
  });

  it('takes a term whose key is no field (a generator spec) as a bare term, and LIKE wildcards literally', () => {
    expect(ids('csbm:200:800:3')).toEqual(naive((r) => r.dataset === 'csbm:200:800:3'));
    expect(ids('dataset:csbm:200')).toEqual(naive((r) => r.dataset === 'csbm:200:800:3'));
    expect(ids('%')).toEqual([]);
    expect(ids('run_')).toEqual([]);
  });
});

describe('sorting and paging', () => {
  beforeEach(() => fill(80));

  /** The order a sort key means, written plainly: missing values last, ties in id order. */
  function naiveOrder(list: RunSummary[], key: RunSortKey, descending: boolean): number[] {
    const value = (r: RunSummary): string | number | null => {
      switch (key) {
        case 'progress':
          return r.status === 'completed' ? 1 : r.plannedEpochs ? Math.min(1, r.epochs / r.plannedEpochs) : 0;
        case 'best': {
          const vals = r.students.map((s) => s.bestVal).filter((v): v is number => v !== null);
          return vals.length ? Math.max(...vals) : null;
        }
        case 'duration':
          return r.startedAt === null ? null : Date.parse(r.finishedAt ?? new Date(clock + 1000).toISOString()) - Date.parse(r.startedAt);
        case 'name':
        case 'dataset':
          return r[key].toLowerCase();
        default:
          return r[key];
      }
    };
    const sign = descending ? -1 : 1;
    return [...list]
      .sort((a, b) => {
        const [x, y] = [value(a), value(b)];
        if (x === null || y === null) return x === y ? sign * (a.id - b.id) : x === null ? 1 : -1;
        if (x !== y) return sign * (x < y ? -1 : 1);
        return sign * (a.id - b.id);
      })
      .map((r) => r.id);
  }

  it.each(RUN_SORT_KEYS.flatMap((key) => [[key, true] as const, [key, false] as const]))('sorts by %s (descending: %s) as a plain sort does', (key, descending) => {
    const sorted = store.listRuns({ sort: key, descending, limit: 10_000 }).map((r) => r.id);
    // the duration of a running run is measured against the store's clock, which moves on each read
    if (key === 'duration') {
      const finishedOrNot = (ids: number[]) => ids.filter((id) => store.getRun(id)!.status !== 'running');
      expect(finishedOrNot(sorted)).toEqual(finishedOrNot(naiveOrder(all(), key, descending)));
    } else {
      expect(sorted).toEqual(naiveOrder(all(), key, descending));
    }
  });

  it('pages through a sorted, filtered list without gaps or overlaps, counting the same runs', () => {
    const filter = { status: ['completed', 'failed'] as const, sort: 'best' as const };
    const whole = store.listRuns({ ...filter, status: [...filter.status], limit: 10_000 }).map((r) => r.id);
    const paged: number[] = [];
    for (let offset = 0; offset < whole.length; offset += 7) paged.push(...store.listRuns({ ...filter, status: [...filter.status], limit: 7, offset }).map((r) => r.id));
    expect(paged).toEqual(whole);
    expect(store.countRuns({ status: [...filter.status] })).toBe(whole.length);
  });
});

it('counts runs per status under the other filters, and lists every strategy and group', () => {
  fill(50);
  const facets = store.runFacets({ strategies: ['oc'], status: ['completed'] });
  const oc = all().filter((r) => r.strategy === 'oc');
  for (const status of ['queued', 'running', 'completed', 'failed'] as const) expect(facets.statuses[status]).toBe(oc.filter((r) => r.status === status).length);
  expect(facets.strategies).toEqual(['alignahead', 'dml', 'independent', 'oc']);
  expect([...facets.groups].sort()).toEqual([...new Set(all().map((r) => r.group).filter((g) => g !== null))].sort());
});

it('keeps the finished-epoch count exact as epochs are recorded and discarded', () => {
  const run = store.createRun({ config: {}, dataset: 'd', model: 'gcn', strategy: 'oc', numStudents: 2, numLayers: 2, seed: 0, plannedEpochs: 9 });
  store.setStatus(run.id, 'running');
  for (let epoch = 1; epoch <= 5; epoch++) store.recordEpoch(run.id, rows(epoch, 2, 0.5));
  expect(store.finishedEpochs(run.id)).toBe(5);
  expect(store.discardAfterEpoch(run.id, 3)).toBe(2);
  expect(store.finishedEpochs(run.id)).toBe(3);
  expect(store.listRuns()[0].epochs).toBe(3);
  expect(() => store.recordEpoch(run.id, rows(3, 2, 0.5))).toThrow(/already recorded/);
  expect(store.finishedEpochs(run.id)).toBe(3);
});
