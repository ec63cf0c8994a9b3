import { describe, expect, it } from 'vitest';
import type { AlignmentMatrixRow } from '../../../contract/api';
import { buildHeatmapOption, nearestEpoch, sharedScale, type PlanPair } from './heatmap';
import { LIGHT_PALETTE } from './palette';

const matrix = (data: number[], rows: number, cols = rows, epoch = 10): AlignmentMatrixRow => ({ epoch, student: 0, peer: 1, rows, cols, data });

type HeatmapData = { value: [number, number, number]; planned: boolean; itemStyle: { borderColor: string; borderWidth: number } };
type HeatmapOption = { series: { data: HeatmapData[]; label: { formatter: (p: { value: [number, number, number] }) => string } }[] };
const heatmap = (m: AlignmentMatrixRow, plan: PlanPair[] = []) => buildHeatmapOption(m, plan, { min: 0, max: 1 }, { palette: LIGHT_PALETTE }) as unknown as HeatmapOption;
/** the cells the chart draws; ECharts data is [x = peer layer (col), y = student layer (row), value] */
const cellsOf = (m: AlignmentMatrixRow, plan: PlanPair[] = []) => heatmap(m, plan).series[0].data.map((d) => ({ row: d.value[1], col: d.value[0], value: d.value[2], planned: d.planned }));

describe('heatmap data mapping', () => {
  // 3×3, value = 10·row + col so every cell's position can be read back from its value
  const m = matrix([0, 1, 2, 10, 11, 12, 20, 21, 22], 3);
  const alignAhead = [
    { student: 1, peer: 0 },
    { student: 2, peer: 1 },
    { student: 0, peer: 2 },
  ];

  it('maps the row-major matrix to cells with row = student layer, col = peer layer', () => {
    const cells = cellsOf(m);
    expect(cells).toHaveLength(9);
    for (const c of cells) expect(c.value).toBe(10 * c.row + c.col);
  });

  it('works for non-square matrices', () => {
    const cells = cellsOf(matrix([1, 2, 3, 4, 5, 6], 2, 3));
    expect(cells.find((c) => c.row === 1 && c.col === 0)!.value).toBe(4);
    expect(cells.find((c) => c.row === 0 && c.col === 2)!.value).toBe(3);
  });

  it('outlines exactly the planned pairs', () => {
    const planned = cellsOf(m, alignAhead)
      .filter((c) => c.planned)
      .map((c) => [c.row, c.col]);
    expect(planned.sort()).toEqual([
      [0, 2],
      [1, 0],
      [2, 1],
    ]);
    const option = heatmap(m, alignAhead);
    const outlined = option.series[0].data.filter((d) => d.itemStyle.borderColor === LIGHT_PALETTE.outline);
    // ECharts data is [x = peer layer (col), y = student layer (row), value]
    expect(outlined.map((d) => d.value).sort()).toEqual([
      [0, 1, 10],
      [1, 2, 21],
      [2, 0, 2],
    ]);
    expect(option.series[0].data.filter((d) => d.itemStyle.borderWidth >= 3)).toHaveLength(3);
  });

  it('uses one colour scale across epochs and runs', () => {
    const early = matrix([0.5, 0.9, 0.7, 0.6], 2, 2, 10);
    const late = matrix([0.1, 0.4, 0.3, 0.2], 2, 2, 20);
    const otherRun = matrix([0.2, 1.3, 0.25, 0.3], 2, 2, 20);
    expect(sharedScale([early, late, otherRun])).toEqual({ min: 0.1, max: 1.3 });
    const scale = sharedScale([early, late])!;
    const a = buildHeatmapOption(early, [], scale, { palette: LIGHT_PALETTE }) as { visualMap: { min: number; max: number } };
    const b = buildHeatmapOption(late, [], scale, { palette: LIGHT_PALETTE }) as { visualMap: { min: number; max: number } };
    expect([a.visualMap.min, a.visualMap.max]).toEqual([0.1, 0.9]);
    expect([b.visualMap.min, b.visualMap.max]).toEqual([0.1, 0.9]);
  });

  it('ignores non-finite values and widens a constant scale', () => {
    expect(sharedScale([matrix([Number.NaN, 2, 2, Infinity], 2)])).toEqual({ min: 1.5, max: 2.5 });
    expect(sharedScale([])).toBeNull();
  });
});

describe('epoch alignment between two runs', () => {
  it('shows the latest recorded epoch at or before the slider, else the first', () => {
    expect(nearestEpoch([0, 10, 20], 15)).toBe(10);
    expect(nearestEpoch([0, 10, 20], 20)).toBe(20);
    expect(nearestEpoch([5, 10], 2)).toBe(5);
    expect(nearestEpoch([], 3)).toBeNull();
  });

  it('prints tiny distances in scientific notation', () => {
    const label = (value: number) => heatmap(matrix([value], 1)).series[0].label.formatter({ value: [0, 0, value] });
    expect(label(0.00123)).toBe('1.2e-3');
    expect(label(0.5)).toBe('0.500');
    expect(label(0)).toBe('0.000');
  });
});
