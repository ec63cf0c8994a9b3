// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { buildCurvesOption } from './curves';
import { buildHeatmapOption } from './heatmap';
import { DARK_PALETTE, LIGHT_PALETTE } from './palette';
import { paperOption, renderPaperSvg } from './paper';

const points = (f: (i: number) => number) => Array.from({ length: 40 }, (_, i) => ({ epoch: i + 1, value: f(i), elapsedMs: i * 100 }));
const curves = (palette = LIGHT_PALETTE) =>
  buildCurvesOption(
    [
      { name: 'student 1', points: points((i) => 1 / (i + 1)) },
      { name: 'student 2', points: points((i) => 0.5 + 0.4 / (i + 1)) },
      { name: 'student 3', points: points((i) => 0.3 + Math.exp(-i / 10)) },
    ],
    { xMode: 'epoch', logY: false, smoothing: 0, yName: 'task loss', palette },
  );

function parseSvg(svg: string): Document {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  expect(doc.documentElement.nodeName).toBe('svg');
  return doc;
}

/** The stroke colours of the drawn polylines (a line series is a path with many segments). */
function seriesStrokes(doc: Document): string[] {
  return [...doc.querySelectorAll('path')].filter((p) => (p.getAttribute('d')?.match(/L/g)?.length ?? 0) > 20).map((p) => p.getAttribute('stroke') ?? '');
}

describe('paper-ready SVG export', () => {
  it('is one column wide in inches, well formed, and draws every series with its legend entry', () => {
    const svg = renderPaperSvg(curves());
    expect(svg.startsWith('<svg width="3.5in" height="2.4in" viewBox="0 0 336 230"')).toBe(true);
    expect(svg.match(/<svg /g)).toHaveLength(1);
    const doc = parseSvg(svg);
    expect(doc.documentElement.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(seriesStrokes(doc)).toEqual(LIGHT_PALETTE.series.slice(0, 3));
    const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent);
    expect(texts).toEqual(expect.arrayContaining(['student 1', 'student 2', 'student 3', 'task loss', 'epoch']));
  });

  it('sets every text in 7–9 pt of a common sans-serif, never the screen sizes', () => {
    const doc = parseSvg(renderPaperSvg(curves()));
    const sizes = new Set([...doc.querySelectorAll('text')].map((t) => /font-size:([\d.]+)px/.exec(t.getAttribute('style') ?? '')?.[1]));
    // 8 pt = 10.67 px at 96 px per inch
    expect([...sizes]).toEqual(['10.67']);
    for (const text of doc.querySelectorAll('text')) expect(text.getAttribute('style')).toContain('font-family:Helvetica, Arial, sans-serif');
  });

  it('prints a dark-theme chart in print colours on white', () => {
    const option = paperOption(curves(DARK_PALETTE));
    expect(option.backgroundColor).toBe('#ffffff');
    const doc = parseSvg(renderPaperSvg(curves(DARK_PALETTE)));
    expect(seriesStrokes(doc)).toEqual(LIGHT_PALETTE.series.slice(0, 3));
    const colours = svgColours(doc);
    for (const dark of [DARK_PALETTE.text, DARK_PALETTE.muted, DARK_PALETTE.background, ...DARK_PALETTE.series]) expect(colours).not.toContain(dark);
    expect(colours).toContain('#222222');
    // no interactive leftovers: tooltips are dropped, the legend does not scroll
    expect(option.tooltip).toBeUndefined();
    expect((option.legend as { type: string }).type).toBe('plain');
  });

  it('exports a heatmap as SVG too: a taller figure with every cell and the colour scale', () => {
    const matrix = { runId: 1, epoch: 5, student: 0, peer: 1, rows: 3, cols: 3, data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] };
    const option = buildHeatmapOption(matrix, [{ student: 1, peer: 0 }], { min: 0.1, max: 0.9 }, { palette: DARK_PALETTE });
    const svg = renderPaperSvg(option);
    expect(svg.startsWith('<svg width="3.5in" height="3.2in" viewBox="0 0 336 307"')).toBe(true);
    const doc = parseSvg(svg);
    const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent);
    // the nine cell values and the scale's ends
    for (const value of ['0.100', '0.500', '0.900', 'far', 'close']) expect(texts).toContain(value);
    const cellFont = [...doc.querySelectorAll('text')].find((t) => t.textContent === '0.500')!.getAttribute('style');
    expect(cellFont).toContain('font-size:9.33px'); // 7 pt
  });
});

function svgColours(doc: Document): string[] {
  const colours: string[] = [];
  for (const element of doc.querySelectorAll('*')) for (const name of ['fill', 'stroke']) colours.push((element.getAttribute(name) ?? '').toLowerCase());
  return colours;
}
