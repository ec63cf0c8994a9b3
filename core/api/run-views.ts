import type { RunDetail } from '../../contract/api';
import { UserError } from '../errors';
import type { ExperimentStore, RunRecord } from '../store';
import { parseRunConfig, planOf } from '../train/run-config';

/** Store records → the run detail the run view shows. */

export function requireRun(store: ExperimentStore, id: number): RunRecord {
  const run = store.getRun(id);
  if (!run) throw new UserError(`run ${id} not found`);
  return run;
}

/** The planned layer pairs of a stored config; none when the config no longer parses (older versions). */
function planPairsOf(config: Record<string, unknown>): { student: number; peer: number }[] {
  try {
    return planOf(parseRunConfig(config)).pairs.map((p) => ({ student: p.student, peer: p.peer }));
  } catch {
    return [];
  }
}

export function runDetailOf(store: ExperimentStore, id: number): RunDetail {
  const run = requireRun(store, id);
  return {
    ...store.runSummary(run),
    config: run.config,
    notes: run.notes,
    backend: run.backend,
    backendReport: run.backendReport,
    versions: run.versions,
    worker: run.worker,
    datasetSha256: run.datasetSha256,
    cancelRequested: run.cancelRequested,
    students: store.getStudents(run.id),
    planPairs: planPairsOf(run.config),
  };
}
