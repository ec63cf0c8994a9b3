import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors';
import { CATALOG, findCatalogEntry, remoteFileName, type CatalogEntry } from './catalog';
import { cachedDatasetPath } from './load';
import { loadGnnBenchmarkNpz } from './npz';
import { loadPpiFolder, ppiFileNames } from './ppi';
import { openZip } from './zip';

/**
 * Downloads a catalog dataset into the cache folder. The file is streamed to a temporary name,
 * checked (size, sha256, and that it loads as a dataset) and only then renamed into place, so the
 * cache never holds a partial or corrupt dataset; every failure removes the temporary files.
 */

export interface DownloadProgress {
  receivedBytes: number;
  /** from Content-Length; null when the server does not say */
  totalBytes: number | null;
}

export interface DownloadOptions {
  cacheDir: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** replaces global fetch (tests) */
  fetchImpl?: typeof fetch;
  /** download from `${baseUrl}/${file name}` instead of the catalog URL (mirrors, tests) */
  baseUrl?: string;
  signal?: AbortSignal;
}

export type HashCheck =
  /** matched the catalog's known sha256 */
  | 'verified'
  /** no known hash; this first download's hash was recorded in hashes.json */
  | 'recorded'
  /** no known hash; matched the hash recorded by an earlier download */
  | 'matches-recorded'
  /** no known hash; differs from the hash recorded earlier (see warning) */
  | 'differs-from-recorded';

export interface DownloadResult {
  name: string;
  /** the cached dataset: an .npz file or a folder */
  path: string;
  bytes: number;
  sha256: string;
  hashCheck: HashCheck;
  /** set when the download differs from an earlier one of the same dataset */
  warning: string | null;
}

export const HASHES_FILE = 'hashes.json';

let tempCounter = 0;

export async function downloadDataset(name: string, options: DownloadOptions): Promise<DownloadResult> {
  const entry = findCatalogEntry(name);
  if (!entry) {
    const known = CATALOG.filter((e) => e.url).map((e) => e.name).join(', ');
    throw new UserError(`unknown dataset '${name}'; downloadable datasets: ${known}`);
  }
  return downloadEntry(entry, options);
}

/** Downloads one catalog entry (its published size and hash, when it has them, are checked). */
export async function downloadEntry(entry: CatalogEntry, options: DownloadOptions): Promise<DownloadResult> {
  const { name } = entry;
  if (!entry.url) throw new UserError(`dataset '${name}' is generated on the fly; there is nothing to download`);
  const { cacheDir } = options;
  mkdirSync(cacheDir, { recursive: true });
  const url = options.baseUrl ? `${options.baseUrl.replace(/\/+$/, '')}/${remoteFileName(entry)}` : entry.url;
  const stamp = `${process.pid}-${Date.now()}-${tempCounter++}`;
  const tempFile = join(cacheDir, `.download-${name}-${stamp}.part`);
  const tempDir = join(cacheDir, `.extract-${name}-${stamp}`);
  try {
    const { bytes, sha256 } = await fetchToFile(entry, url, tempFile, options);
    if (entry.bytes !== null && bytes !== entry.bytes) {
      throw new UserError(`download of '${name}' has ${bytes} bytes where the catalog expects ${entry.bytes}: the file at ${url} is not the published one`);
    }
    const { hashCheck, warning } = checkHash(entry, sha256, cacheDir);
    const path = cachedDatasetPath(cacheDir, name, entry.format === 'ppi' ? 'ppi' : 'npz');
    if (entry.format === 'ppi') {
      await extractPpi(tempFile, tempDir, entry);
      rmSync(path, { recursive: true, force: true });
      renameSync(tempDir, path);
    } else {
      validateNpz(tempFile, entry);
      renameSync(tempFile, path);
    }
    if (hashCheck === 'recorded') recordHash(cacheDir, name, sha256, url);
    return { name, path, bytes, sha256, hashCheck, warning };
  } finally {
    rmSync(tempFile, { force: true });
    rmSync(tempDir, { recursive: true, force: true });
  }
}

async function fetchToFile(
  entry: CatalogEntry,
  url: string,
  tempFile: string,
  options: DownloadOptions,
): Promise<{ bytes: number; sha256: string }> {
  const { signal, onProgress } = options;
  const what = `download of '${entry.name}'`;
  const cancelled = () => new UserError(`${what} was cancelled`);
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(url, { signal, redirect: 'follow' });
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    throw new UserError(`${what} failed: cannot reach ${url} (${describe(error)})`, { cause: error });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new UserError(`${what} failed: HTTP ${response.status} ${response.statusText} from ${url}`);
  }
  // With a content encoding (gzip) the header counts encoded bytes, not the bytes we receive.
  const encoding = response.headers.get('content-encoding');
  const lengthHeader = encoding && encoding !== 'identity' ? null : response.headers.get('content-length');
  const totalBytes = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;

  const hash = createHash('sha256');
  let receivedBytes = 0;
  const file = await open(tempFile, 'w');
  try {
    const reader = response.body.getReader();
    onProgress?.({ receivedBytes, totalBytes });
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw cancelled();
        throw new UserError(`${what} was interrupted after ${receivedBytes} bytes (${describe(error)})`, { cause: error });
      }
      if (chunk.done) break;
      await file.write(chunk.value);
      hash.update(chunk.value);
      receivedBytes += chunk.value.length;
      onProgress?.({ receivedBytes, totalBytes });
    }
  } finally {
    await file.close();
  }
  if (signal?.aborted) throw cancelled();
  if (totalBytes !== null && receivedBytes !== totalBytes) {
    throw new UserError(`${what} is truncated: received ${receivedBytes} of ${totalBytes} bytes`);
  }
  return { bytes: receivedBytes, sha256: hash.digest('hex') };
}

function describe(error: unknown): string {
  const err = error as Error & { cause?: { message?: string; code?: string } };
  return err.cause?.message || err.cause?.code || err.message || String(error);
}

function checkHash(entry: CatalogEntry, sha256: string, cacheDir: string): { hashCheck: HashCheck; warning: string | null } {
  if (entry.sha256) {
    if (sha256 !== entry.sha256) {
      throw new UserError(`download of '${entry.name}' failed the checksum: expected sha256 ${entry.sha256}, got ${sha256}`);
    }
    return { hashCheck: 'verified', warning: null };
  }
  const recorded = readHashes(cacheDir)[entry.name];
  if (!recorded) return { hashCheck: 'recorded', warning: null };
  if (recorded.sha256 === sha256) return { hashCheck: 'matches-recorded', warning: null };
  return {
    hashCheck: 'differs-from-recorded',
    warning:
      `dataset '${entry.name}' differs from the first download (sha256 ${recorded.sha256}, recorded ${recorded.recordedAt}; ` +
      `now ${sha256}): the upstream file changed or was tampered with, so results may not be comparable`,
  };
}

interface RecordedHash {
  sha256: string;
  url: string;
  recordedAt: string;
}

/** hashes.json: the first download's sha256 of each dataset that has no published hash. */
export function readHashes(cacheDir: string): Record<string, RecordedHash> {
  const path = join(cacheDir, HASHES_FILE);
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, RecordedHash>) : {};
  } catch {
    return {}; // an unreadable record is rebuilt from the next downloads
  }
}

function recordHash(cacheDir: string, name: string, sha256: string, url: string): void {
  const hashes = readHashes(cacheDir);
  hashes[name] = { sha256, url, recordedAt: new Date().toISOString() };
  const path = join(cacheDir, HASHES_FILE);
  const temp = `${path}.tmp-${process.pid}-${tempCounter++}`;
  writeFileSync(temp, JSON.stringify(hashes, null, 2) + '\n');
  renameSync(temp, path);
}

function validateNpz(file: string, entry: CatalogEntry): void {
  try {
    loadGnnBenchmarkNpz(file, { label: remoteFileName(entry), name: entry.name });
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`downloaded file for '${entry.name}' is not a valid dataset: ${error.message}`);
    throw error;
  }
}

/** Extracts the PPI files (and nothing else) from the downloaded zip into `dir`, then checks they load. */
async function extractPpi(zipFile: string, dir: string, entry: CatalogEntry): Promise<void> {
  const label = remoteFileName(entry);
  const zip = openZip(await readFile(zipFile), label);
  const wanted = new Set(ppiFileNames());
  mkdirSync(dir, { recursive: true });
  const found = new Set<string>();
  for (const item of zip.entries) {
    // Only known base names are written, and only into `dir`: entry paths never choose a location.
    const base = item.name.slice(item.name.lastIndexOf('/') + 1);
    if (item.isDirectory || !wanted.has(base) || item.name.split('/').some((part) => part.startsWith('__MACOSX'))) continue;
    if (found.has(base)) throw new UserError(`${label}: holds '${base}' twice`);
    found.add(base);
    writeFileSync(join(dir, base), zip.read(item));
  }
  const missing = [...wanted].filter((name) => !found.has(name));
  if (missing.length > 0) throw new UserError(`${label}: not the PPI archive (missing ${missing.join(', ')})`);
  try {
    loadPpiFolder(dir, { name: entry.name });
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`downloaded file for '${entry.name}' is not a valid dataset: ${error.message}`);
    throw error;
  }
}
