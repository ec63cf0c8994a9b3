import type { EpochMetricRow } from '../../../contract/api';

/** The per-epoch quantities a curve can show. */
export type MetricKey = 'taskLoss' | 'distillLoss' | 'trainMetric' | 'valMetric' | 'testMetric';
export type XMode = 'epoch' | 'time';

export const METRIC_LABELS: Record<MetricKey, string> = {
  taskLoss: 'task loss',
  distillLoss: 'distillation loss',
  trainMetric: 'train metric',
  valMetric: 'validation metric',
  testMetric: 'test metric',
};

export interface CurvePoint {
  epoch: number;
  elapsedMs: number;
  value: number;
}

/** One student's curve for one metric, epochs ascending, epochs without a value left out. */
export function studentCurves(metrics: readonly EpochMetricRow[], metric: MetricKey): Map<number, CurvePoint[]> {
  const curves = new Map<number, CurvePoint[]>();
  for (const row of metrics) {
    const value = row[metric];
    if (value === null || !Number.isFinite(value)) continue;
    let curve = curves.get(row.student);
    if (!curve) curves.set(row.student, (curve = []));
    curve.push({ epoch: row.epoch, elapsedMs: row.elapsedMs, value });
  }
  for (const curve of curves.values()) curve.sort((a, b) => a.epoch - b.epoch);
  return new Map([...curves.entries()].sort((a, b) => a[0] - b[0]));
}

export function xOf(point: CurvePoint, mode: XMode): number {
  return mode === 'epoch' ? point.epoch : point.elapsedMs / 1000;
}

/**
 * Exponential moving average as TensorBoard draws it: s_t = w·s_{t−1} + (1 − w)·x_t, divided by
 * 1 − w^t so the start is not pulled towards zero. weight 0 returns the values unchanged.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  if (!(weight > 0)) return values.slice();
  const w = Math.min(weight, 0.999);
  const out: number[] = [];
  let state = 0;
  let correction = 1;
  for (const v of values) {
    state = w * state + (1 - w) * v;
    correction *= w;
    out.push(state / (1 - correction));
  }
  return out;
}
