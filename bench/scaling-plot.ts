/**
 * The scaling series as an SVG (bench/scaling.svg, shown by bench/README.md): epoch time, time per
 * message edge and peak RSS against the node count, on log–log axes, one panel each. Plain SVG so
 * that no plotting package is needed and the file diffs as text.
 */

export interface ScalingPoint {
  nodes: number;
  edges: number;
  epochMs: number;
  /** CPU time of an epoch, all threads */
  epochCpuMs: number;
  peakRssMB: number;
}

interface Panel {
  title: string;
  unit: string;
  series: { label: string; colour: string; values: number[] }[];
}

const WIDTH = 300;
const HEIGHT = 230;
const MARGIN = { left: 52, right: 12, top: 30, bottom: 40 };

/** 1-2-5 ticks in [lo, hi], or every digit 1–9 when the range is too narrow for three of those. */
function logTicks(lo: number, hi: number): number[] {
  for (const mantissas of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks: number[] = [];
    for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
      for (const m of mantissas) {
        const t = m * 10 ** p;
        if (t >= lo / 1.0001 && t <= hi * 1.0001) ticks.push(t);
      }
    }
    if (ticks.length >= 3 || mantissas.length > 3) return ticks;
  }
  return [];
}

function label(value: number): string {
  if (value >= 1000) return `${value / 1000}k`;
  return Number(value.toPrecision(3)).toString();
}

function panel(p: Panel, nodes: number[], offsetX: number): string {
  const all = p.series.flatMap((s) => s.values).filter((v) => v > 0);
  const [yLo, yHi] = [Math.min(...all) / 1.3, Math.max(...all) * 1.3];
  const [xLo, xHi] = [nodes[0] / 1.2, nodes[nodes.length - 1] * 1.2];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (v: number) => offsetX + MARGIN.left + (plotW * Math.log(v / xLo)) / Math.log(xHi / xLo);
  const y = (v: number) => MARGIN.top + plotH - (plotH * Math.log(v / yLo)) / Math.log(yHi / yLo);
  const parts: string[] = [`<text x="${offsetX + WIDTH / 2}" y="16" text-anchor="middle" font-weight="bold">${p.title}</text>`];
  parts.push(`<rect x="${offsetX + MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (const t of logTicks(yLo, yHi)) {
    parts.push(`<line x1="${offsetX + MARGIN.left}" x2="${offsetX + MARGIN.left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${offsetX + MARGIN.left - 4}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${label(t)}</text>`);
  }
  for (const n of nodes) {
    parts.push(`<text x="${x(n).toFixed(1)}" y="${MARGIN.top + plotH + 14}" text-anchor="middle">${label(n)}</text>`);
  }
  parts.push(`<text x="${offsetX + MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">nodes (10 drawn edges per node)</text>`);
  parts.push(`<text transform="translate(${offsetX + 12} ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${p.unit}</text>`);
  p.series.forEach((s, i) => {
    const points = s.values.map((v, k) => `${x(nodes[k]).toFixed(1)},${y(v).toFixed(1)}`);
    parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    for (const point of points) parts.push(`<circle cx="${point.split(',')[0]}" cy="${point.split(',')[1]}" r="3" fill="${s.colour}"/>`);
    if (p.series.length > 1) {
      const ly = MARGIN.top + 14 + 14 * i;
      parts.push(`<line x1="${offsetX + MARGIN.left + 8}" x2="${offsetX + MARGIN.left + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.colour}" stroke-width="2"/>`);
      parts.push(`<text x="${offsetX + MARGIN.left + 28}" y="${ly}">${s.label}</text>`);
    }
  });
  return parts.join('\n');
}

/** The SVG document for `points` (ascending node counts), captioned with the machine and load. */
export function scalingSvg(points: ScalingPoint[], caption: string): string {
  const nodes = points.map((p) => p.nodes);
  const panels: Panel[] = [
    {
      title: 'epoch time',
      unit: 'seconds',
      series: [
        { label: 'wall', colour: '#1f77b4', values: points.map((p) => p.epochMs / 1000) },
        { label: 'CPU ÷ 2 cores', colour: '#ff7f0e', values: points.map((p) => p.epochCpuMs / 2000) },
      ],
    },
    {
      title: 'time per message edge',
      unit: 'microseconds',
      series: [
        { label: 'wall', colour: '#1f77b4', values: points.map((p) => (p.epochMs * 1000) / p.edges) },
        { label: 'CPU ÷ 2 cores', colour: '#ff7f0e', values: points.map((p) => (p.epochCpuMs * 500) / p.edges) },
      ],
    },
    { title: 'peak RSS', unit: 'MB', series: [{ label: 'peak RSS', colour: '#2ca02c', values: points.map((p) => p.peakRssMB) }] },
  ];
  const width = WIDTH * panels.length;
  const body = panels.map((p, i) => panel(p, nodes, i * WIDTH)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT + 22}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    body,
    `<text x="${width / 2}" y="${HEIGHT + 16}" text-anchor="middle" fill="#555">${caption.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
