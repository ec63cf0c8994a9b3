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
 * Each group draws its mean as a line and mean ± std as a shaded area: an invisible lower line
 * with the band's width stacked on top of it (ECharts fills the stacked series down to the lower).
 */
export function buildBandsOption(groups: readonly BandGroup[], options: { xMode: XMode; yName: string; palette: ChartPalette; title?: string }): ChartOption {
  const { palette } = options;
  const x = (p: BandPoint) => (options.xMode === 'epoch' ? p.epoch : p.seconds);
  const series: Record<string, unknown>[] = [];
  groups.forEach((group, index) => {
    const color = colorAt(palette, index);
    const stack = `band-${index}`;
    series.push({
      name: group.label,
      type: 'line',
      stack,
      data: group.band.map((p) => [x(p), p.mean - p.std]),
      showSymbol: false,
      silent: true,
      lineStyle: { opacity: 0 },
      itemStyle: { color },
      tooltip: { show: false },
    });
    series.push({
      name: group.label,
      type: 'line',
      stack,
      data: group.band.map((p) => [x(p), 2 * p.std]),
      showSymbol: false,
      silent: true,
      lineStyle: { opacity: 0 },
      areaStyle: { color, opacity: 0.18 },
      itemStyle: { color },
      tooltip: { show: false },
    });
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
