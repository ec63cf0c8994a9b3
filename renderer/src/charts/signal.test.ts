import { describe, expect, it } from 'vitest';
import { INERT_CONTRAST, SATURATED_DISTANCE_OVER_TAU, type DistillationSignalRow } from '../../../contract/distillation-signal';
import { buildSignalOption, signalLines } from './signal';
import { LIGHT_PALETTE } from './palette';

const row = (epoch: number, student: number, studentLayer: number, peerLayer: number, contrast: number | null, median: number | null): DistillationSignalRow => ({
  epoch,
  student,
  peer: 1 - student,
  studentLayer,
  peerLayer,
  tau: 100,
  distanceOverTauQ1: median === null ? null : median / 2,
  distanceOverTauMedian: median,
  distanceOverTauQ3: median === null ? null : median * 2,
  meanKl: 1e-6,
  contrast,
  studentContrast: contrast,
  state: 'near-uniform',
});

const ROWS = [
  row(0, 0, 1, 0, 1e-6, 0.001),
  row(0, 1, 1, 0, 3e-6, 0.003),
  row(0, 0, 0, 1, 2e-6, 0.002),
  row(0, 1, 0, 1, 2e-6, 0.002),
  row(5, 0, 1, 0, 0, 0.01),
  row(5, 1, 1, 0, null, 0.03),
];

describe('the distillation-signal chart', () => {
  it('draws one line per planned layer pair, averaged over the ordered student pairs, or one pair', () => {
    const lines = signalLines(ROWS);
    expect(lines.map((l) => l.label)).toEqual(['2←1', '1←2']);
    expect(lines[0].points).toEqual([
      { epoch: 0, contrast: 2e-6, median: 0.002, q1: 0.001, q3: 0.004 },
      // a missing figure is left out of the mean, not counted as 0
      { epoch: 5, contrast: 0, median: 0.02, q1: 0.01, q3: 0.04 },
    ]);
    const one = signalLines(ROWS, { student: 1, peer: 0 });
    expect(one[0].points.map((p) => p.contrast)).toEqual([3e-6, null]);
  });

  it('plots contrast and d/τ on log axes (values ≤ 0 left out), with the thresholds the warning uses and the shown epoch', () => {
    const option = buildSignalOption(signalLines(ROWS), { palette: LIGHT_PALETTE, markEpoch: 5 }) as {
      yAxis: { type: string; name: string }[];
      series: { name: string; yAxisIndex: number; data: [number, number][]; stack?: string; markLine?: { data: Record<string, number>[] } }[];
    };
    expect(option.yAxis.map((a) => [a.type, a.name])).toEqual([
      ['log', 'structure contrast'],
      ['log', 'd/τ: median, IQR'],
    ]);
    const contrast = option.series.filter((s) => s.yAxisIndex === 0);
    expect(contrast.map((s) => s.name)).toEqual(['2←1', '1←2']);
    expect(contrast[0].data).toEqual([[0, 2e-6]]);
    expect(contrast[0].markLine!.data).toEqual([{ yAxis: INERT_CONTRAST }, expect.objectContaining({ xAxis: 5 })]);
    const distances = option.series.filter((s) => s.yAxisIndex === 1);
    // per pair: q1 (stacked, invisible), q3 − q1 (stacked, filled), the median
    expect(distances.slice(0, 3).map((s) => s.data)).toEqual([
      [[0, 0.001], [5, 0.01]],
      [[0, 0.003], [5, 0.03]],
      [[0, 0.002], [5, 0.02]],
    ]);
    expect(distances[0].stack).toBe(distances[1].stack);
    expect(distances[2].markLine!.data[0]).toEqual({ yAxis: SATURATED_DISTANCE_OVER_TAU });
  });
});
