import type { CatalogItem, DownloadCheck } from '../../contract/api';
import { formatBytes } from './format';

/** What the catalog says about each dataset's file and its download, before any click. */

/** "540,580 B": the exact size (the rounded one goes in the tooltip). */
export function exactSize(bytes: number | null): string {
  return bytes === null ? '—' : `${bytes.toLocaleString('en-US')} B`;
}

export function sizeTitle(item: CatalogItem): string {
  if (item.synthetic) return 'generated on the fly';
  if (item.bytes === null) return 'size not published; known after the first download';
  return `${formatBytes(item.bytes)} (${item.bytes} bytes)`;
}

export function hashTitle(item: CatalogItem): string {
  if (item.synthetic) return 'generated on the fly';
  if (!item.sha256) return 'SHA-256 not published: recorded at the first download, later downloads are compared with it';
  const source = item.sha256Source === 'published' ? 'published: every download is checked against it' : item.sha256Source === 'first-download' ? 'recorded at the first download' : 'of the imported file';
  return `SHA-256 ${item.sha256} (${source})`;
}

export type DownloadState = { kind: 'generated' | 'downloaded' | 'checking' | 'possible' | 'impossible' | 'unknown'; text: string; reason: string };

/** The download column: done, or whether a download is possible now and why. */
export function downloadState(item: CatalogItem, check: DownloadCheck | undefined, checking: boolean): DownloadState {
  if (item.synthetic) return { kind: 'generated', text: 'generated', reason: 'no download: built from its generator spec' };
  if (item.available) return { kind: 'downloaded', text: '✓ downloaded', reason: 'in the dataset cache' };
  if (!item.url) return { kind: 'unknown', text: '—', reason: '' };
  if (!check) return checking ? { kind: 'checking', text: 'checking…', reason: 'asking the server' } : { kind: 'unknown', text: 'not checked', reason: 'the check did not answer' };
  return check.possible ? { kind: 'possible', text: 'download possible', reason: check.reason } : { kind: 'impossible', text: 'not possible now', reason: check.reason };
}

/** Datasets that cannot be downloaded now, grouped by reason ("offline or blocked: …": cora, citeseer). */
export function impossibleByReason(catalog: readonly CatalogItem[], checks: ReadonlyMap<string, DownloadCheck>): { reason: string; names: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const item of catalog) {
    const check = checks.get(item.name);
    if (item.available || !check || check.possible) continue;
    groups.set(check.reason, [...(groups.get(check.reason) ?? []), item.name]);
  }
  return [...groups].map(([reason, names]) => ({ reason, names }));
}
