import type { ChartOption } from './echarts-setup';
import type { AlignmentMatrixRow } from '../../../contract/api';
import type { ChartPalette } from './palette';

/** A planned layer pair, 0-based: the student's layer `student` learns from the peer's layer `peer`. */
export interface PlanPair {
  student: number;
  peer: number;
}

/** One heatmap cell: row = the student's layer i, column = the peer's layer m, value D(H_s^(i), H_p^(m)). */
interface HeatCell {
  row: number;
  col: number;
  value: number;
  planned: boolean;
}

export interface ColorScale {
  min: number;
  max: number;
}

/** Cells of a row-major matrix, with exactly the planned pairs marked. */
function matrixCells(matrix: AlignmentMatrixRow, plan: readonly PlanPair[]): HeatCell[] {
  const planned = new Set(plan.map((p) => `${p.student}:${p.peer}`));
  const cells: HeatCell[] = [];
  for (let row = 0; row < matrix.rows; row++) {
    for (let col = 0; col < matrix.cols; col++) {
      cells.push({ row, col, value: matrix.data[row * matrix.cols + col], planned: planned.has(`${row}:${col}`) });
    }
  }
  return cells;
}

/**
 * One colour scale over every matrix given (all epochs, both runs side by side), so a colour means
 * the same distance wherever it appears. A constant set of values gets a unit-wide scale.
 */
export function sharedScale(matrices: Iterable<AlignmentMatrixRow>): ColorScale | null {
  let min = Infinity;
  let max = -Infinity;
  for (const m of matrices) {
    for (const v of m.data) {
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min === Infinity) return null;
  if (min === max) return { min: min - 0.5, max: max + 0.5 };
  return { min, max };
}

/** Distances span orders of magnitude between kernels and layers: tiny ones in scientific notation. */
function formatCellValue(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value !== 0 && Math.abs(value) < 0.01 ? value.toExponential(1) : value.toFixed(3);
}

function layerLabels(count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

/**
 * The L×L heatmap: x = peer layer, y = student layer (first layer at the top, as the matrix reads),
 * planned cells drawn with a thick outline, values printed while the matrix is small enough to read.
 */
export function buildHeatmapOption(
  matrix: AlignmentMatrixRow,
  plan: readonly PlanPair[],
  scale: ColorScale,
  options: { palette: ChartPalette; title?: string; studentLabel?: string; peerLabel?: string },
): ChartOption {
  const { palette } = options;
  const cells = matrixCells(matrix, plan);
  const showValues = matrix.rows <= 8 && matrix.cols <= 8;
  const axis = (name: string, labels: string[], inverse: boolean) => ({
    type: 'category',
    data: labels,
    name,
    nameLocation: 'middle',
    nameGap: 26,
    inverse,
    splitArea: { show: false },
    axisLine: { lineStyle: { color: palette.axis } },
    axisLabel: { color: palette.muted, fontSize: 11 },
    nameTextStyle: { color: palette.muted, fontSize: 11 },
  });
  return {
    animation: false,
    backgroundColor: 'transparent',
    title: options.title ? { text: options.title, left: 'center', top: 2, textStyle: { color: palette.text, fontSize: 12, fontWeight: 600 } } : undefined,
    grid: { left: 56, right: 24, top: options.title ? 30 : 12, bottom: 80 },
    tooltip: {
      formatter: (p: { data?: { value: [number, number, number]; planned?: boolean } }) => {
        if (!p.data) return '';
        const [col, row, value] = p.data.value;
        return `student layer ${row + 1} ← peer layer ${col + 1}<br/>D = ${value.toPrecision(4)}${p.data.planned ? '<br/><b>planned pair</b>' : ''}`;
      },
    },
    xAxis: axis(options.peerLabel ?? 'peer layer', layerLabels(matrix.cols, 'L'), false),
    yAxis: axis(options.studentLabel ?? 'student layer', layerLabels(matrix.rows, 'L'), true),
    visualMap: {
      min: scale.min,
      max: scale.max,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 4,
      itemHeight: 160,
      itemWidth: 10,
      text: ['far', 'close'],
      textStyle: { color: palette.muted, fontSize: 11 },
      inRange: { color: palette.ramp },
    },
    series: [
      {
        type: 'heatmap',
        data: cells.map((c) => ({
          value: [c.col, c.row, c.value],
          planned: c.planned,
          itemStyle: c.planned ? { borderColor: palette.outline, borderWidth: 3 } : { borderColor: palette.background, borderWidth: 1 },
        })),
        label: { show: showValues, color: palette.text, fontSize: 10, formatter: (p: { value: [number, number, number] }) => formatCellValue(p.value[2]), textBorderColor: palette.background, textBorderWidth: 2 },
        emphasis: { itemStyle: { borderColor: palette.text, borderWidth: 1 } },
      },
    ],
  };
}

/**
 * The recorded epoch a run shows when the slider is at `epoch`: that epoch, else the latest before
 * it, else the run's first (two runs side by side may record heatmaps at different epochs).
 */
export function nearestEpoch(epochs: readonly number[], epoch: number): number | null {
  if (epochs.length === 0) return null;
  let best: number | null = null;
  for (const e of epochs) if (e <= epoch && (best === null || e > best)) best = e;
  return best ?? epochs[0];
}
