import { describe, expect, it } from 'vitest';
import type { EpochMetricRow } from '../../../contract/api';
import { meanStdBand } from './bands';
import { buildCurvesOption } from './curves';
import { LIGHT_PALETTE } from './palette';
import { emaSmooth, studentCurves } from './series';

const row = (epoch: number, student: number, valMetric: number | null, elapsedMs = epoch * 100): EpochMetricRow => ({
  epoch,
  student,
  taskLoss: 1 / epoch,
  distillLoss: null,
  trainMetric: null,
  valMetric,
  testMetric: null,
  epochMs: 100,
  elapsedMs,
});

describe('curves from metric rows', () => {
  it('splits rows per student, sorted by epoch, skipping missing values', () => {
    const curves = studentCurves([row(2, 1, 0.5), row(1, 0, 0.3), row(2, 0, null), row(1, 1, 0.4), row(3, 0, 0.6)], 'valMetric');
    expect([...curves.keys()]).toEqual([0, 1]);
    expect(curves.get(0)!.map((p) => [p.epoch, p.value])).toEqual([
      [1, 0.3],
      [3, 0.6],
    ]);
    expect(curves.get(1)!.map((p) => p.epoch)).toEqual([1, 2]);
  });

  it('uses seconds on the wall-time axis and drops non-positive values on a log axis', () => {
    const points = [
      { epoch: 1, elapsedMs: 250, value: 0 },
      { epoch: 2, elapsedMs: 500, value: 2 },
    ];
    const plotted = (xMode: 'epoch' | 'time', logY: boolean) =>
      (buildCurvesOption([{ name: 'student 1', points }], { xMode, logY, smoothing: 0, yName: 'loss', palette: LIGHT_PALETTE }) as { series: { data: number[][] }[] }).series[0].data;
    expect(plotted('time', false)).toEqual([
      [0.25, 0],
      [0.5, 2],
    ]);
    expect(plotted('epoch', true)).toEqual([[2, 2]]);
  });
});

describe('EMA smoothing', () => {
  it('is the identity at weight 0 and keeps a constant series constant (debiased)', () => {
    expect(emaSmooth([3, 1, 4], 0)).toEqual([3, 1, 4]);
    for (const v of emaSmooth([5, 5, 5, 5], 0.9)) expect(v).toBeCloseTo(5, 12);
  });

  it('matches the recurrence computed by hand', () => {
    // w = 0.5: s1 = 0.5·2 = 1 → 1/(1−0.5) = 2; s2 = 0.5·1 + 0.5·4 = 2.5 → 2.5/(1−0.25) = 3.333…
    const [a, b] = emaSmooth([2, 4], 0.5);
    expect(a).toBeCloseTo(2, 12);
    expect(b).toBeCloseTo(10 / 3, 12);
  });
});

describe('mean ± std bands', () => {
  it('aggregates curves epoch by epoch with the sample std', () => {
    const band = meanStdBand([
      [
        { epoch: 1, elapsedMs: 100, value: 0.5 },
        { epoch: 2, elapsedMs: 200, value: 0.7 },
      ],
      [
        { epoch: 1, elapsedMs: 300, value: 0.7 },
        { epoch: 2, elapsedMs: 400, value: 0.9 },
      ],
      [{ epoch: 1, elapsedMs: 200, value: 0.9 }],
    ]);
    expect(band.map((p) => p.epoch)).toEqual([1, 2]);
    expect(band[0].mean).toBeCloseTo(0.7, 12);
    expect(band[0].std).toBeCloseTo(0.2, 12); // deviations ±0.2, 0 → sqrt(0.08 / 2)
    expect(band[0].seconds).toBeCloseTo(0.2, 12);
    expect(band[0].n).toBe(3);
    expect(band[1].n).toBe(2);
    expect(band[1].std).toBeCloseTo(Math.sqrt(0.02), 12);
  });

  it('has zero width where a single curve remains', () => {
    expect(meanStdBand([[{ epoch: 4, elapsedMs: 0, value: 1 }]])[0].std).toBe(0);
  });
});
