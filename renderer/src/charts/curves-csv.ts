import type { EpochMetricRow } from '../../../contract/api';
import { toCsv } from './csv';

/** The metrics rows behind curve charts, one line per (run, epoch, student). */
export function metricsCsv(entries: readonly { runId: number; label: string; metrics: readonly EpochMetricRow[] }[]): string {
  const rows: unknown[][] = [];
  for (const entry of entries) {
    for (const m of entry.metrics) {
      rows.push([entry.runId, entry.label, m.epoch, m.student + 1, m.taskLoss, m.distillLoss, m.trainMetric, m.valMetric, m.testMetric, m.epochMs, m.elapsedMs]);
    }
  }
  return toCsv(['run', 'label', 'epoch', 'student', 'task_loss', 'distill_loss', 'train_metric', 'val_metric', 'test_metric', 'epoch_ms', 'elapsed_ms'], rows);
}
