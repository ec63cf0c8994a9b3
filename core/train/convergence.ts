/**
 * Convergence summary of one student: how many epochs and seconds it took for the validation metric
 * to first reach 95% and 99% of its best value. Only evaluated epochs count; a student whose best
 * is not positive has no meaningful threshold, so its figures are null.
 */
export interface ConvergencePoint {
  epoch: number;
  /** wall seconds since the run started, at the end of this epoch */
  elapsedSeconds: number;
  valMetric: number;
}

export interface ConvergenceSummary {
  bestVal: number | null;
  epochsTo95: number | null;
  secondsTo95: number | null;
  epochsTo99: number | null;
  secondsTo99: number | null;
}

export function convergenceSummary(points: readonly ConvergencePoint[]): ConvergenceSummary {
  let best = -Infinity;
  for (const p of points) if (Number.isFinite(p.valMetric) && p.valMetric > best) best = p.valMetric;
  if (!(best > 0)) return { bestVal: points.length ? best : null, epochsTo95: null, secondsTo95: null, epochsTo99: null, secondsTo99: null };
  const firstReaching = (fraction: number) => points.find((p) => p.valMetric >= fraction * best) ?? null;
  const at95 = firstReaching(0.95);
  const at99 = firstReaching(0.99);
  return {
    bestVal: best,
    epochsTo95: at95?.epoch ?? null,
    secondsTo95: at95?.elapsedSeconds ?? null,
    epochsTo99: at99?.epoch ?? null,
    secondsTo99: at99?.elapsedSeconds ?? null,
  };
}
