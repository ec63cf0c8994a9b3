import type { EpochMetricRow, RunDetail, RunSummary } from '../../contract/api';
import { UserError } from '../errors';
import type { EpochMetric, ExperimentStore, RunRecord } from '../store';
import { parseRunConfig } from '../train/run-config';
import { planOf } from '../train/run-config';

/** Store records → the API's run views (RunSummary, RunDetail) and the export formats. */

export function requireRun(store: ExperimentStore, id: number): RunRecord {
  const run = store.getRun(id);
  if (!run) throw new UserError(`run ${id} not found`);
  return run;
}

/** The same line the runs list shows; the store owns that mapping. */
export function runSummaryOf(store: ExperimentStore, run: RunRecord): RunSummary {
  return store.runListItem(run);
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
    ...runSummaryOf(store, run),
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

export function metricRowOf(m: EpochMetric): EpochMetricRow {
  return {
    epoch: m.epoch,
    student: m.student,
    taskLoss: m.taskLoss,
    distillLoss: m.distillLoss,
    trainMetric: m.trainMetric,
    valMetric: m.valMetric,
    testMetric: m.testMetric,
    epochMs: m.epochMs,
    elapsedMs: m.elapsedMs,
  };
}

const CSV_COLUMNS: [string, (m: EpochMetric) => number | null][] = [
  ['epoch', (m) => m.epoch],
  ['student', (m) => m.student],
  ['task_loss', (m) => m.taskLoss],
  ['distill_loss', (m) => m.distillLoss],
  ['train_metric', (m) => m.trainMetric],
  ['val_metric', (m) => m.valMetric],
  ['test_metric', (m) => m.testMetric],
  ['epoch_ms', (m) => m.epochMs],
  ['elapsed_ms', (m) => m.elapsedMs],
];

/** RFC 4180 quoting; a leading = + - @ is defused so spreadsheets do not run a run name as a formula. */
function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One header line, then one line per run × epoch × student; empty fields for missing values. */
export function metricsCsv(entries: { run: RunRecord; metrics: EpochMetric[] }[]): string {
  const header = ['run_id', 'run_name', ...CSV_COLUMNS.map(([name]) => name)].join(',');
  const lines = [header];
  for (const { run, metrics } of entries) {
    for (const m of metrics) lines.push([String(run.id), csvText(run.name), ...CSV_COLUMNS.map(([, get]) => String(get(m) ?? ''))].join(','));
  }
  return lines.join('\n') + '\n';
}
