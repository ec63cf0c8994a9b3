import { adapterLabel, threadsLabel, type BackendReportView } from '../../contract/backend-report';

/**
 * A run's backend report and software versions as rows a researcher reads (the run view's
 * "Backend" panel), instead of the stored JSON.
 */

export function backendRows(report: BackendReportView): [string, string][] {
  const rows: [string, string][] = [
    ['backend', report.backend],
    ['library', report.library ?? '—'],
    ['graph ops', report.graphOps],
    ['threads', threadsLabel(report.threads)],
  ];
  if (report.kernelThreads !== null && report.kernelThreads !== undefined) rows.push(['graph kernels', threadsLabel(report.kernelThreads)]);
  if (report.simd !== null) rows.push(['SIMD', report.simd ? 'yes' : 'no']);
  rows.push(['adapter', report.adapter ? adapterLabel(report.adapter) : 'none (computed on the CPU)']);
  return rows;
}

/** "app 0.1.0 · tfjs 4.22.0 · node v20.20.2 · linux-x64" from the stored versions object; null when there is none. */
export function versionsText(versions: unknown): string | null {
  if (typeof versions !== 'object' || versions === null || Array.isArray(versions)) return null;
  const parts = Object.entries(versions)
    .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
    .map(([name, value]) => (name === 'platform' ? String(value) : `${name} ${String(value)}`));
  return parts.length > 0 ? parts.join(' · ') : null;
}
