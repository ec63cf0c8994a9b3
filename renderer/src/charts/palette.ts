/** Colours the option builders use; the chart component passes the ones of the active theme. */
export interface ChartPalette {
  text: string;
  muted: string;
  axis: string;
  grid: string;
  background: string;
  series: string[];
  /** sequential ramp for heatmaps, low → high */
  ramp: string[];
  outline: string;
}

export const LIGHT_PALETTE: ChartPalette = {
  text: '#1f2328',
  muted: '#656d76',
  axis: '#8c959f',
  grid: '#eaeef2',
  background: '#ffffff',
  series: ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#1b7c83', '#bf3989', '#6e7781', '#4d2d00', '#0550ae'],
  ramp: ['#f7fcf0', '#ccebc5', '#7bccc4', '#2b8cbe', '#084081'],
  outline: '#e3a008',
};

export const DARK_PALETTE: ChartPalette = {
  text: '#e6edf3',
  muted: '#8d96a0',
  axis: '#6e7681',
  grid: '#262c36',
  background: '#0d1117',
  series: ['#58a6ff', '#ff7b72', '#3fb950', '#d2a8ff', '#ffa657', '#39c5cf', '#ff9bce', '#8b949e', '#e3b341', '#79c0ff'],
  ramp: ['#0d1b2a', '#1b3a5c', '#2f6690', '#3a9bc1', '#a9e4ef'],
  outline: '#f2cc60',
};

export function colorAt(palette: ChartPalette, index: number): string {
  return palette.series[index % palette.series.length];
}
