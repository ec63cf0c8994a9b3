import type { StudentConvergence } from '../../contract/api';

/**
 * Convergence summary of one student: how many epochs and seconds it took for the validation metric
 * to first reach 95% and 99% of its highest value. Only evaluated epochs count; a student whose
 * highest value is not positive has no meaningful threshold, so its figures are null.
 */
export interface ConvergencePoint {
  epoch: number;
  /** wall seconds since the run started, at the end of this epoch */
  elapsedSeconds: number;
  valMetric: number;
}

export type ConvergenceSummary = Pick<StudentConvergence, 'epochsTo95' | 'secondsTo95' | 'epochsTo99' | 'secondsTo99'>;

export function convergenceSummary(points: readonly ConvergencePoint[]): ConvergenceSummary {
  let highest = -Infinity;
  for (const p of points) if (Number.isFinite(p.valMetric) && p.valMetric > highest) highest = p.valMetric;
  if (!(highest > 0)) return { epochsTo95: null, secondsTo95: null, epochsTo99: null, secondsTo99: null };
  const firstReaching = (fraction: number) => points.find((p) => p.valMetric >= fraction * highest) ?? null;
  const at95 = firstReaching(0.95);
  const at99 = firstReaching(0.99);
  return {
    epochsTo95: at95?.epoch ?? null,
    secondsTo95: at95?.elapsedSeconds ?? null,
    epochsTo99: at99?.epoch ?? null,
    secondsTo99: at99?.elapsedSeconds ?? null,
  };
}
