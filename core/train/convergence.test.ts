import { describe, expect, it } from 'vitest';
import { convergenceSummary } from './convergence';

describe('convergenceSummary', () => {
  it('finds the first epochs reaching 95% and 99% of the best validation metric', () => {
    const vals = [0.1, 0.5, 0.7, 0.78, 0.795, 0.8, 0.79];
    const points = vals.map((valMetric, i) => ({ epoch: i + 1, elapsedSeconds: (i + 1) * 0.5, valMetric }));
    // 95% of 0.8 = 0.76 → epoch 4 (0.78); 99% = 0.792 → epoch 5 (0.795)
    expect(convergenceSummary(points)).toEqual({ epochsTo95: 4, secondsTo95: 2, epochsTo99: 5, secondsTo99: 2.5 });
  });

  it('returns nulls when there is nothing to measure', () => {
    expect(convergenceSummary([])).toEqual({ epochsTo95: null, secondsTo95: null, epochsTo99: null, secondsTo99: null });
    const flatZero = [{ epoch: 1, elapsedSeconds: 1, valMetric: 0 }];
    expect(convergenceSummary(flatZero).epochsTo95).toBeNull();
  });

  it('ignores NaN metrics', () => {
    const points = [
      { epoch: 1, elapsedSeconds: 1, valMetric: Number.NaN },
      { epoch: 2, elapsedSeconds: 2, valMetric: 0.5 },
    ];
    expect(convergenceSummary(points)).toMatchObject({ epochsTo95: 2, epochsTo99: 2 });
  });
});
