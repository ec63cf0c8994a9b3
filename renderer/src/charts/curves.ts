import type { ChartOption } from './echarts-setup';
import { lineChartOption } from './line-chart-frame';
import { colorAt, type ChartPalette } from './palette';
import { emaSmooth, xOf, type CurvePoint, type XMode } from './series';

/** One line to draw: a student of a run, for one metric. */
export interface CurveInput {
  name: string;
  points: readonly CurvePoint[];
  /** series sharing a colour index share a colour (e.g. a run's students in a comparison) */
  colorIndex?: number;
  dashed?: boolean;
}

export interface CurvesOptions {
  xMode: XMode;
  logY: boolean;
  /** EMA weight in [0, 1) */
  smoothing: number;
  yName: string;
  palette: ChartPalette;
  title?: string;
}

/** What the user sets for a group of curve charts (the curve controls). */
export type CurveSettings = Pick<CurvesOptions, 'xMode' | 'logY' | 'smoothing'>;

/** The [x, y] pairs a series plots; a log axis cannot show values ≤ 0, so those are dropped there. */
function curveData(points: readonly CurvePoint[], options: CurveSettings): [number, number][] {
  const smoothed = emaSmooth(
    points.map((p) => p.value),
    options.smoothing,
  );
  const data: [number, number][] = [];
  for (let i = 0; i < points.length; i++) {
    if (options.logY && !(smoothed[i] > 0)) continue;
    data.push([xOf(points[i], options.xMode), smoothed[i]]);
  }
  return data;
}

/**
 * Overlaid convergence curves. With smoothing on, the raw values stay visible as a faint line
 * under the smoothed one (same name, so the legend toggles both).
 */
export function buildCurvesOption(curves: readonly CurveInput[], options: CurvesOptions): ChartOption {
  const { palette } = options;
  const series: Record<string, unknown>[] = [];
  curves.forEach((curve, index) => {
    const color = colorAt(palette, curve.colorIndex ?? index);
    const lineType = curve.dashed ? 'dashed' : 'solid';
    if (options.smoothing > 0) {
      series.push({
        name: curve.name,
        type: 'line',
        data: curveData(curve.points, { ...options, smoothing: 0 }),
        showSymbol: false,
        silent: true,
        lineStyle: { color, width: 1, opacity: 0.25, type: lineType },
        itemStyle: { color },
        tooltip: { show: false },
      });
    }
    series.push({
      name: curve.name,
      type: 'line',
      data: curveData(curve.points, options),
      showSymbol: false,
      sampling: 'lttb',
      lineStyle: { color, width: 1.5, type: lineType },
      itemStyle: { color },
    });
  });
  return lineChartOption(series, options);
}

