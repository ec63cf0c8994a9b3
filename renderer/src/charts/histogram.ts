import type { ChartOption } from './echarts-setup';
import { axisStyle } from './line-chart-frame';
import type { ChartPalette } from './palette';

/** Bucket labels such as "1–2", "3–4", or "5" for a bucket one degree wide ([edges[i], edges[i+1])). */
export function bucketLabels(edges: readonly number[]): string[] {
  const labels: string[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const lo = edges[i];
    const hi = edges[i + 1] - 1;
    labels.push(hi <= lo ? String(lo) : `${lo}–${hi}`);
  }
  return labels;
}

export function buildHistogramOption(histogram: { bucketEdges: number[]; counts: number[] }, options: { palette: ChartPalette; logY: boolean }): ChartOption {
  const { palette } = options;
  const labels = bucketLabels(histogram.bucketEdges);
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 56, right: 12, top: 16, bottom: 40 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: labels.length === histogram.counts.length ? labels : histogram.counts.map((_, i) => String(i)), name: 'degree', nameLocation: 'middle', nameGap: 26, ...axisStyle(palette) },
    yAxis: { type: options.logY ? 'log' : 'value', name: 'nodes', ...axisStyle(palette) },
    series: [{ type: 'bar', data: histogram.counts.map((c) => (options.logY && c <= 0 ? null : c)), itemStyle: { color: palette.series[0] }, barCategoryGap: '10%' }],
  };
}
