import { echarts, type ChartOption } from './echarts-setup';
import { DARK_PALETTE, LIGHT_PALETTE, type ChartPalette } from './palette';
import { withPngDpi } from './png-dpi';

/**
 * A chart as a figure for a two-column paper: vector SVG (ECharts' SVG renderer, server-side
 * rendering, no canvas), one column wide (3.5 in), 8 pt text and 9 pt titles in a common sans-serif,
 * near-black text and the light theme's series colours on white whatever the app's theme, no
 * interactive parts. The option is the one the
 * app draws, restyled, so the figure shows exactly the data on screen.
 */

/** CSS pixels per inch: the unit SVG lengths and LaTeX's SVG/PDF tools agree on. */
const PX_PER_IN = 96;
/** The PNG export's resolution: what journals ask of line art at the least. */
export const PAPER_PNG_DPI = 300;
const pt = (points: number) => Math.round(((points * PX_PER_IN) / 72) * 100) / 100;

export const PAPER = {
  widthIn: 3.5,
  /** curves and bars: a 3:2-ish panel; heatmaps are square-ish to keep cells square */
  heightIn: 2.4,
  heatmapHeightIn: 3.2,
  fontFamily: 'Helvetica, Arial, sans-serif',
  /** tick labels, legend, axis names */
  textPt: 8,
  /** chart titles */
  titlePt: 9,
  /** values printed inside heatmap cells */
  cellPt: 7,
} as const;

export interface PaperSize {
  widthIn: number;
  heightIn: number;
}

type Json = unknown;

/** Text and axes print near-black; gridlines stay light. Series and heatmap colours are the light theme's. */
const PRINT: Pick<ChartPalette, 'text' | 'muted' | 'axis' | 'grid' | 'background'> = { text: '#000000', muted: '#222222', axis: '#333333', grid: '#e5e5e5', background: '#ffffff' };

/** Every colour of either theme mapped to its print colour of the same role. */
function printColours(): Map<string, string> {
  const map = new Map<string, string>();
  const roles = Object.keys(LIGHT_PALETTE) as (keyof ChartPalette)[];
  for (const palette of [LIGHT_PALETTE, DARK_PALETTE]) {
    for (const role of roles) {
      const colours = palette[role];
      const light = LIGHT_PALETTE[role];
      if (Array.isArray(colours) && Array.isArray(light)) colours.forEach((colour, i) => map.set(colour.toLowerCase(), light[i % light.length]));
      else if (typeof colours === 'string') map.set(colours.toLowerCase(), role in PRINT ? PRINT[role as keyof typeof PRINT] : (light as string));
    }
  }
  return map;
}
const PRINT_OF = printColours();

/** The paper size of a UI font size: titles (12 px and up) 9 pt, cell labels (under 11 px) 7 pt, the rest 8 pt. */
function paperFontSize(uiPx: number): number {
  if (uiPx >= 12) return pt(PAPER.titlePt);
  if (uiPx < 11) return pt(PAPER.cellPt);
  return pt(PAPER.textPt);
}

/** Copies plain objects and arrays (functions such as formatters are kept as they are), restyling on the way. */
function restyle(value: Json, key: string | null): Json {
  if (Array.isArray(value)) return value.map((item) => restyle(item, key));
  if (typeof value === 'string') return PRINT_OF.get(value.toLowerCase()) ?? value;
  if (typeof value === 'number' && key === 'fontSize') return paperFontSize(value);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, Json> = {};
  for (const [name, item] of Object.entries(value as Record<string, Json>)) {
    if (name === 'tooltip' || name === 'toolbox' || name === 'dataZoom') continue;
    out[name] = restyle(item, name);
  }
  return out;
}

const hasHeatmap = (option: ChartOption) => ([] as { type?: string }[]).concat((option.series as { type?: string }[] | undefined) ?? []).some((s) => s?.type === 'heatmap');

/** The figure size a chart gets by default: one column wide. */
export function paperSize(option: ChartOption): PaperSize {
  return { widthIn: PAPER.widthIn, heightIn: hasHeatmap(option) ? PAPER.heatmapHeightIn : PAPER.heightIn };
}

/** The app's option restyled for print: light colours on white, paper font sizes, a plain legend, no tooltips. */
export function paperOption(option: ChartOption): ChartOption {
  const styled = restyle(option, null) as Record<string, Json>;
  const legend = styled.legend as Record<string, Json> | undefined;
  // heatmap values: a thin halo keeps 7 pt digits legible on dark cells without smudging them
  const series = ([] as Record<string, Json>[]).concat((styled.series as Record<string, Json>[] | undefined) ?? []).map((s) =>
    s.type === 'heatmap' && s.label ? { ...s, label: { ...(s.label as Record<string, Json>), textBorderWidth: 1 } } : s,
  );
  return {
    ...styled,
    series,
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: PAPER.fontFamily, fontSize: pt(PAPER.textPt), color: PRINT.text },
    // a scrolling legend draws pager arrows on paper: every entry is shown instead
    legend: legend ? { ...legend, type: 'plain', itemWidth: 14, itemHeight: 6, itemGap: 8 } : undefined,
  };
}

/** The chart as a standalone SVG document sized in inches (its drawing in px units of its viewBox). */
export function renderPaperSvg(option: ChartOption, size: PaperSize = paperSize(option)): string {
  const width = Math.round(size.widthIn * PX_PER_IN);
  const height = Math.round(size.heightIn * PX_PER_IN);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(paperOption(option));
    return (
      chart
        .renderToSVGString()
        .replace(/^<svg([^>]*)>/, (_, attributes: string) => {
          const rest = attributes.replace(/\s(width|height|viewBox)="[^"]*"/g, '');
          return `<svg width="${size.widthIn}in" height="${size.heightIn}in" viewBox="0 0 ${width} ${height}"${rest}>`;
        })
        // hover rules and pointer hints are for screens: a figure carries none
        .replace(/<style[^>]*>[\s\S]*?<\/style>\s*/g, '')
        .replace(/ class="zr\d+-cls-\d+"| pointer-events="visible"/g, '')
    );
  } finally {
    chart.dispose();
  }
}

/**
 * The same figure as a PNG at 300 dpi (1050 px for 3.5 in), stamped with its resolution so it is
 * placed at 3.5 in. Needs a canvas (the browser or Electron), unlike the SVG.
 */
export function renderPaperPng(option: ChartOption, size: PaperSize = paperSize(option)): Uint8Array<ArrayBuffer> {
  const width = Math.round(size.widthIn * PX_PER_IN);
  const height = Math.round(size.heightIn * PX_PER_IN);
  const chart = echarts.init(document.createElement('div'), null, { renderer: 'canvas', width, height });
  try {
    chart.setOption(paperOption(option));
    const url = chart.getDataURL({ type: 'png', pixelRatio: PAPER_PNG_DPI / PX_PER_IN, backgroundColor: '#ffffff' });
    const bytes = Uint8Array.from(atob(url.slice(url.indexOf(',') + 1)), (c) => c.charCodeAt(0));
    return withPngDpi(bytes, PAPER_PNG_DPI) as Uint8Array<ArrayBuffer>;
  } finally {
    chart.dispose();
  }
}
