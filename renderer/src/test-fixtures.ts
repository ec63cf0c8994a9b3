import type { RunSummary } from '../../contract/api';

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
    ...patch,
  };
}
