import { INERT_CONTRAST, SATURATED_DISTANCE_OVER_TAU, type DistillationSignalRow } from '../../../contract/distillation-signal';
import { mean } from '../../../contract/stats';
import type { ChartOption } from './echarts-setup';
import { bandSeries } from './bands';
import { axisStyle } from './line-chart-frame';
import { colorAt, type ChartPalette } from './palette';

/**
 * The distillation-signal chart: per planned layer pair, the structure contrast over epochs (top,
 * with the near-uniform line) and the median d/τ with its interquartile band (bottom, with the
 * saturated line). Both on log axes: the figures span many decades (contrast 1e-8 at τ = 100 on
 * Cora, 0.03 under τ auto).
 */

export interface SignalPoint {
  epoch: number;
  contrast: number | null;
  median: number | null;
  q1: number | null;
  q3: number | null;
}

export interface SignalLine {
  /** "2←1": student layer ← peer layer, 1-based */
  label: string;
  points: SignalPoint[];
}

const meanOrNull = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? mean(known) : null;
};

/**
 * One line per planned layer pair, in the order the rows first name them. Rows of several ordered
 * student pairs are averaged per epoch (the run view); pass `pair` to keep one (the heatmaps view).
 */
export function signalLines(rows: readonly DistillationSignalRow[], pair?: { student: number; peer: number }): SignalLine[] {
  const kept = pair ? rows.filter((r) => r.student === pair.student && r.peer === pair.peer) : rows;
  const byPair = new Map<string, Map<number, DistillationSignalRow[]>>();
  for (const row of kept) {
    const label = `${row.studentLayer + 1}←${row.peerLayer + 1}`;
    let epochs = byPair.get(label);
    if (!epochs) byPair.set(label, (epochs = new Map()));
    let list = epochs.get(row.epoch);
    if (!list) epochs.set(row.epoch, (list = []));
    list.push(row);
  }
  return [...byPair.entries()].map(([label, epochs]) => ({
    label,
    points: [...epochs.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([epoch, list]) => ({
        epoch,
        contrast: meanOrNull(list.map((r) => r.contrast)),
        median: meanOrNull(list.map((r) => r.distanceOverTauMedian)),
        q1: meanOrNull(list.map((r) => r.distanceOverTauQ1)),
        q3: meanOrNull(list.map((r) => r.distanceOverTauQ3)),
      })),
  }));
}

/** [epoch, value] pairs a log axis can draw (values > 0). */
const positive = (points: readonly SignalPoint[], value: (p: SignalPoint) => number | null): [number, number][] =>
  points.flatMap((p) => {
    const v = value(p);
    return v !== null && v > 0 ? [[p.epoch, v] as [number, number]] : [];
  });

/** A log axis label: plain for 0.01–1000, "1e-7" beyond. */
function decade(value: number): string {
  return value >= 0.01 && value < 1000 ? String(+value.toPrecision(3)) : value.toExponential(0);
}

/** The threshold's dashed line, and a plain one at the epoch shown elsewhere (the heatmap's). */
function markLines(value: number, label: string, palette: ChartPalette, markEpoch: number | null | undefined) {
  const epoch = markEpoch === null || markEpoch === undefined ? [] : [{ xAxis: markEpoch, lineStyle: { color: palette.muted, type: 'solid' }, label: { show: false } }];
  return {
    silent: true,
    symbol: 'none',
    // ECharts rounds mark values to `precision` decimals: 2 would turn 1e-4 into 0, off a log axis
    precision: 12,
    lineStyle: { color: palette.outline, type: 'dashed', width: 1 },
    label: { formatter: label, color: palette.muted, fontSize: 10, position: 'insideEndTop' },
    data: [{ yAxis: value }, ...epoch],
  };
}

export function buildSignalOption(lines: readonly SignalLine[], options: { palette: ChartPalette; markEpoch?: number | null }): ChartOption {
  const { palette } = options;
  const series: Record<string, unknown>[] = [];
  lines.forEach((line, index) => {
    const color = colorAt(palette, index);
    // grid 0: the contrast; grid 1: the distances. The first pair's lines carry the thresholds.
    const figure = (grid: number, value: (p: SignalPoint) => number | null, threshold: number, label: string) => ({
      name: line.label,
      type: 'line',
      xAxisIndex: grid,
      yAxisIndex: grid,
      data: positive(line.points, value),
      showSymbol: line.points.length < 3,
      lineStyle: { color, width: 1.5, type: grid === 0 ? 'solid' : 'dashed' },
      itemStyle: { color },
      ...(index === 0 ? { markLine: markLines(threshold, label, palette, options.markEpoch) } : {}),
    });
    series.push(figure(0, (p) => p.contrast, INERT_CONTRAST, 'near-uniform below'));
    // the interquartile band (log axis: only where q1 > 0)
    const banded = line.points.filter((p) => p.q1 !== null && p.q3 !== null && p.q1 > 0);
    const lower = banded.map((p): [number, number] => [p.epoch, p.q1!]);
    const width = banded.map((p): [number, number] => [p.epoch, p.q3! - p.q1!]);
    series.push(...bandSeries(line.label, color, `iqr-${index}`, lower, width, { xAxisIndex: 1, yAxisIndex: 1 }));
    series.push(figure(1, (p) => p.median, SATURATED_DISTANCE_OVER_TAU, 'saturated above'));
  });
  const axes = axisStyle(palette);
  const xAxis = (gridIndex: number, name: string) => ({ type: 'value', gridIndex, name, nameLocation: 'middle', nameGap: 22, min: 'dataMin', max: 'dataMax', ...axes });
  // each log axis reaches a decade past its threshold, so the line (and how far the run is from it) always shows
  const yAxis = (gridIndex: number, name: string, threshold: number) => ({
    type: 'log',
    gridIndex,
    name,
    nameLocation: 'end',
    ...axes,
    axisLabel: { ...axes.axisLabel, formatter: decade },
    min: (extent: { min: number }) => 10 ** Math.floor(Math.log10(Math.min(extent.min, threshold / 10))),
    max: (extent: { max: number }) => 10 ** Math.ceil(Math.log10(Math.max(extent.max, threshold * 10))),
  });
  return {
    animation: false,
    backgroundColor: 'transparent',
    legend: { type: 'scroll', top: 2, right: 8, textStyle: { color: palette.muted, fontSize: 11 }, itemHeight: 8 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toPrecision(3) : String(v)) },
    grid: [
      { left: 56, right: 16, top: 34, height: '33%' },
      { left: 56, right: 16, top: '62%', bottom: 36 },
    ],
    xAxis: [xAxis(0, ''), xAxis(1, 'epoch')],
    yAxis: [yAxis(0, 'structure contrast', INERT_CONTRAST), yAxis(1, 'd/τ: median, IQR', SATURATED_DISTANCE_OVER_TAU)],
    series,
  };
}
