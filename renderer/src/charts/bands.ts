import type { ChartOption } from './echarts-setup';
import { mean, sampleStd } from '../../../contract/stats';
import { lineChartOption } from './line-chart-frame';
import { colorAt, type ChartPalette } from './palette';
import type { CurvePoint, XMode } from './series';

export interface BandPoint {
  epoch: number;
  /** mean wall time at this epoch, seconds */
  seconds: number;
  mean: number;
  /** sample std across the curves present at this epoch (0 with a single curve) */
  std: number;
  n: number;
}

/**
 * Mean ± std across several curves of one group (the students of runs that differ only by seed),
 * aligned by epoch; each epoch uses the curves that reached it.
 */
export function meanStdBand(curves: readonly (readonly CurvePoint[])[]): BandPoint[] {
  const byEpoch = new Map<number, { values: number[]; ms: number[] }>();
  for (const curve of curves) {
    for (const p of curve) {
      let bucket = byEpoch.get(p.epoch);
      if (!bucket) byEpoch.set(p.epoch, (bucket = { values: [], ms: [] }));
      bucket.values.push(p.value);
      bucket.ms.push(p.elapsedMs);
    }
  }
  return [...byEpoch.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([epoch, { values, ms }]) => ({
      epoch,
      seconds: mean(ms) / 1000,
      mean: mean(values),
      std: values.length > 1 ? sampleStd(values) : 0,
      n: values.length,
    }));
}

export interface BandGroup {
  label: string;
  band: readonly BandPoint[];
}

/**
 * A shaded band from `lower` to lower + `width` at each x: an invisible lower line with the width
 * stacked on top of it (ECharts fills a stacked series down to the one below). `axes` places it
 * (xAxisIndex, yAxisIndex) in a chart of several grids.
 */
export function bandSeries(name: string, color: string, stack: string, lower: [number, number][], width: [number, number][], axes: Record<string, number> = {}): Record<string, unknown>[] {
  const hidden = { name, type: 'line', stack, showSymbol: false, silent: true, lineStyle: { opacity: 0 }, itemStyle: { color }, tooltip: { show: false }, ...axes };
  return [
    { ...hidden, data: lower },
    { ...hidden, data: width, areaStyle: { color, opacity: 0.18 } },
  ];
}

/** Each group draws its mean as a line and mean ± std as a shaded band. */
export function buildBandsOption(groups: readonly BandGroup[], options: { xMode: XMode; yName: string; palette: ChartPalette; title?: string }): ChartOption {
  const { palette } = options;
  const x = (p: BandPoint) => (options.xMode === 'epoch' ? p.epoch : p.seconds);
  const series: Record<string, unknown>[] = [];
  groups.forEach((group, index) => {
    const color = colorAt(palette, index);
    series.push(...bandSeries(group.label, color, `band-${index}`, group.band.map((p) => [x(p), p.mean - p.std]), group.band.map((p) => [x(p), 2 * p.std])));
    series.push({
      name: group.label,
      type: 'line',
      data: group.band.map((p) => [x(p), p.mean]),
      showSymbol: false,
      lineStyle: { color, width: 1.75 },
      itemStyle: { color },
    });
  });
  return lineChartOption(series, options);
}
