import type { EpochMetricRow } from './api';
import { DISTILLATION_SIGNAL_COLUMNS, type DistillationSignalRow } from './distillation-signal';

/**
 * CSV text (RFC 4180) for every export, written here once so that a file reads the same whether the
 * server wrote it (`runs.export`, `alignahead runs export`) or the UI did (a chart's CSV button).
 * Text cells that start with = + - @ (or a tab or carriage return) get a leading ' so spreadsheets
 * show a run name as text instead of running it as a formula; numbers are written as they are.
 */

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One header line, then one line per row; empty cells for null, undefined and non-finite numbers. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\n') + '\n';
}

const METRIC_FIELDS = ['epoch', 'student', 'taskLoss', 'distillLoss', 'trainMetric', 'valMetric', 'testMetric', 'epochMs', 'elapsedMs'] as const;
const METRIC_HEADER = ['epoch', 'student', 'task_loss', 'distill_loss', 'train_metric', 'val_metric', 'test_metric', 'epoch_ms', 'elapsed_ms'];

/** Per-epoch metrics of runs: one line per run × epoch × student, students numbered as stored (from 0). */
export function metricsCsv(entries: readonly { runId: number; runName: string; metrics: readonly EpochMetricRow[] }[]): string {
  const rows = entries.flatMap(({ runId, runName, metrics }) => metrics.map((m) => [runId, runName, ...METRIC_FIELDS.map((field) => m[field])]));
  return toCsv(['run_id', 'run_name', ...METRIC_HEADER], rows);
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The distillation-signal rows of runs: one line per run × epoch × student pair × planned layer
 * pair, in DISTILLATION_SIGNAL_COLUMNS' order (headers in snake case, like the metrics'); students
 * and layers numbered as stored (from 0).
 */
export function signalCsv(entries: readonly { runId: number; runName: string; rows: readonly DistillationSignalRow[] }[]): string {
  const lines = entries.flatMap(({ runId, runName, rows }) => rows.map((r) => [runId, runName, ...DISTILLATION_SIGNAL_COLUMNS.map((column) => r[column])]));
  return toCsv(['run_id', 'run_name', ...DISTILLATION_SIGNAL_COLUMNS.map(snakeCase)], lines);
}
