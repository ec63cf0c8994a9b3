import type { CompareEntry, RunDetail, RunSummary } from '../../contract/api';

/** A run summary with sensible defaults, for tests of the table and views. */
export function makeRun(patch: Partial<RunSummary> & { id: number }): RunSummary {
  return {
    name: `run ${patch.id}`,
    group: null,
    status: 'completed',
    dataset: 'cora',
    model: 'gcn',
    strategy: 'alignahead',
    numStudents: 2,
    numLayers: 2,
    seed: 0,
    tags: [],
    plannedEpochs: 100,
    epochs: 100,
    error: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    startedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: '2026-01-01T10:01:00.000Z',
    students: [],
    remote: false,
    worker: null,
    ...patch,
  };
}

/** A compared run whose students reach the given test (and validation) metrics at epoch 1. */
export function makeCompareEntry(id: number, strategy: string, tests: number[], vals = tests, patch: Partial<RunSummary> = {}): CompareEntry {
  const run = {
    ...makeRun({ id, strategy, ...patch }),
    config: {},
    notes: '',
    backend: null,
    backendReport: null,
    versions: null,
    datasetSha256: null,
    cancelRequested: false,
    planPairs: [],
    students: tests.map((t, idx) => ({ idx, bestVal: vals[idx], bestEpoch: 1, testAtBest: t, epochsTo95: null, secondsTo95: null, epochsTo99: null, secondsTo99: null })),
  } as RunDetail;
  const metrics = tests.map((t, student) => ({ epoch: 1, student, taskLoss: 1, distillLoss: 0, trainMetric: t, valMetric: vals[student], testMetric: t, epochMs: 1, elapsedMs: 1 }));
  return { run, metrics };
}
