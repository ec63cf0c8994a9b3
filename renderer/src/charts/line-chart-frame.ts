import type { ChartOption } from './echarts-setup';
import type { ChartPalette } from './palette';
import type { XMode } from './series';

/** Axis line, label, grid and name styles of every chart, from the theme's palette. */
export function axisStyle(palette: ChartPalette) {
  return {
    axisLine: { lineStyle: { color: palette.axis } },
    axisLabel: { color: palette.muted, fontSize: 11 },
    splitLine: { lineStyle: { color: palette.grid } },
    nameTextStyle: { color: palette.muted, fontSize: 11 },
  };
}

export interface LineChartFrame {
  xMode: XMode;
  yName: string;
  palette: ChartPalette;
  title?: string;
  logY?: boolean;
}

/** The frame of the curve charts (over epochs or seconds): title, grid, legend, tooltip and axes around `series`. */
export function lineChartOption(series: Record<string, unknown>[], frame: LineChartFrame): ChartOption {
  const { palette, title } = frame;
  return {
    animation: false,
    backgroundColor: 'transparent',
    title: title ? { text: title, left: 8, top: 4, textStyle: { color: palette.text, fontSize: 12, fontWeight: 600 } } : undefined,
    grid: { left: 56, right: 16, top: title ? 44 : 28, bottom: 36 },
    legend: { type: 'scroll', top: title ? 20 : 2, right: 8, textStyle: { color: palette.muted, fontSize: 11 }, itemHeight: 8 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : String(v)) },
    xAxis: { type: 'value', name: frame.xMode === 'epoch' ? 'epoch' : 'seconds', nameLocation: 'middle', nameGap: 22, min: 'dataMin', max: 'dataMax', ...axisStyle(palette) },
    yAxis: { type: frame.logY ? 'log' : 'value', name: frame.yName, scale: true, ...axisStyle(palette) },
    series,
  };
}
