import type { EpochMetricRow } from '../../../contract/api';
import { metricsCsv as runMetricsCsv } from '../../../contract/csv';

/** The metrics rows behind curve charts, in the export format of contract/csv.ts; `label` names the run. */
export function metricsCsv(entries: readonly { runId: number; label: string; metrics: readonly EpochMetricRow[] }[]): string {
  return runMetricsCsv(entries.map((entry) => ({ runId: entry.runId, runName: entry.label, metrics: entry.metrics })));
}
