import { existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { remoteFileName, type CatalogEntry } from './catalog';

/**
 * Whether a catalog download can succeed now, answered before the user clicks: the cache state
 * alone cannot say (an offline laptop, a firewall, a moved file, a full disk are only found by
 * asking), so the server is asked for the file's headers (a HEAD request, no body) and the disk for
 * its free space. Nothing is downloaded.
 */

export interface DownloadCheckOptions {
  /** replaces global fetch (tests) */
  fetchImpl?: typeof fetch;
  /** check `${baseUrl}/${file name}` instead of the catalog URL (mirrors, tests) */
  baseUrl?: string;
  /** how long to wait for the server's answer */
  timeoutMs?: number;
  /** free bytes where the cache lives; null when unknown */
  freeBytes: number | null;
}

export interface DownloadPossibility {
  possible: boolean;
  reason: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

/** Free bytes on the file system holding `dir` (or its nearest existing parent); null where it cannot be told. */
export function freeBytesAt(dir: string): number | null {
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    const stats = statfsSync(existing);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return null;
  }
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function failureReason(error: unknown, host: string, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer from ${host} within ${timeoutMs / 1000} s (offline or blocked?)`;
  const code = err.cause?.code ?? err.cause?.message ?? err.message;
  return `offline or blocked: cannot reach ${host} (${code})`;
}

/** Asks the server for the file without downloading it: HEAD, or a one-byte range where HEAD is refused. */
async function askServer(url: string, fetchImpl: typeof fetch, timeoutMs: number): Promise<Response> {
  const head = await fetchImpl(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  if (head.status !== 405 && head.status !== 403) return head;
  const ranged = await fetchImpl(url, { headers: { Range: 'bytes=0-0' }, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  await ranged.body?.cancel().catch(() => undefined);
  return ranged;
}

export async function checkDownload(entry: CatalogEntry, options: DownloadCheckOptions): Promise<DownloadPossibility> {
  if (!entry.url) return { possible: false, reason: 'generated on the fly: nothing to download' };
  if (entry.bytes !== null && options.freeBytes !== null && options.freeBytes < entry.bytes) {
    return { possible: false, reason: `not enough disk space: the file has ${megabytes(entry.bytes)}, ${megabytes(options.freeBytes)} free` };
  }
  const url = options.baseUrl ? `${options.baseUrl.replace(/\/+$/, '')}/${remoteFileName(entry)}` : entry.url;
  const host = new URL(url).host;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response: Response;
  try {
    response = await askServer(url, options.fetchImpl ?? fetch, timeoutMs);
  } catch (error) {
    return { possible: false, reason: failureReason(error, host, timeoutMs) };
  }
  const answeredBy = new URL(response.url || url).host || host;
  if (!response.ok) return { possible: false, reason: `${answeredBy} answers HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` };
  // A 206 answer's Content-Length is the range's; only a full answer's is the file's.
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const length = response.status === 200 && !encoded ? response.headers.get('content-length') : null;
  if (entry.bytes !== null && length !== null && /^\d+$/.test(length) && Number(length) !== entry.bytes) {
    return { possible: false, reason: `${answeredBy} offers ${length} bytes, the published file has ${entry.bytes}: the file changed upstream` };
  }
  return { possible: true, reason: `${answeredBy} answers` };
}
