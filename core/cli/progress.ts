import type { CliIo } from './command';

/**
 * A progress line on stderr: a bar, counts, ETA and a free-text status. On a terminal it redraws in
 * place; elsewhere (CI logs, pipes) it prints a line at most every `quietIntervalMs`, so logs stay short.
 */
export interface Progress {
  update(done: number, status?: string): void;
  finish(status?: string): void;
}

export function createProgress(io: CliIo, label: string, total: number | null, quietIntervalMs = 5000): Progress {
  const started = Date.now();
  let lastPrint = 0;
  let lastLength = 0;
  const render = (done: number, status: string) => {
    const elapsed = (Date.now() - started) / 1000;
    let bar = '';
    let eta = '';
    if (total && total > 0) {
      const fraction = Math.min(1, done / total);
      const width = 24;
      const filled = Math.round(fraction * width);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
      if (done > 0 && done < total) eta = ` eta ${formatSeconds((elapsed / done) * (total - done))}`;
    } else {
      bar = `${done}`;
    }
    return `${label} ${bar}${eta} ${formatSeconds(elapsed)}${status ? '  ' + status : ''}`;
  };
  return {
    update(done, status = '') {
      const now = Date.now();
      if (io.interactive) {
        if (now - lastPrint < 100) return;
        const line = render(done, status);
        io.err(`\r${line}${' '.repeat(Math.max(0, lastLength - line.length))}\x1b[1A`);
        lastLength = line.length;
      } else {
        if (now - lastPrint < quietIntervalMs) return;
        io.err(render(done, status));
      }
      lastPrint = now;
    },
    finish(status = '') {
      const line = render(total ?? 0, status);
      io.err(io.interactive ? `\r${line}${' '.repeat(Math.max(0, lastLength - line.length))}` : line);
    },
  };
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
