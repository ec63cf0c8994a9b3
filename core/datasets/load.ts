import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../errors';
import { CATALOG, DEMO_SPEC, findCatalogEntry } from './catalog';
import { findCsvFiles, loadCsvFolder } from './csv';
import { loadGnnBenchmarkNpz } from './npz';
import { findPpiFolder, loadPpiFolder } from './ppi';
import { datasetFromSpec, parseDatasetSpec } from './spec';
import type { Dataset } from './types';

/**
 * Turns a dataset reference into a Dataset. A reference is, in this order of precedence:
 * `demo`; a generator spec (`csbm:...`, `ppi-like...`); a catalog name (`cora`: loaded from the
 * cache, an error saying how to download it if absent); an existing path (an `.npz` file, a PPI
 * folder, a CSV folder); a name imported into the cache with `alignahead datasets import`.
 *
 * Cache layout: `<cacheDir>/<name>.npz` for `.npz` datasets, `<cacheDir>/<name>/` for PPI and CSV
 * folders, `<cacheDir>/hashes.json` for recorded download hashes.
 */

export type DatasetFormat = 'npz' | 'ppi' | 'csv';

export interface LoadOptions {
  /** the download/import cache; default defaultCacheDir() */
  cacheDir?: string;
  /** generator seed for specs (default 0: a spec always names the same data) */
  seed?: number;
}

/** ALIGNAHEAD_DATA_DIR, else ~/.alignahead/datasets. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.ALIGNAHEAD_DATA_DIR;
  return fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : join(homedir(), '.alignahead', 'datasets');
}

/** Where a dataset called `name` is (or would be) cached. */
export function cachedDatasetPath(cacheDir: string, name: string, format: DatasetFormat): string {
  return format === 'npz' ? join(cacheDir, `${name}.npz`) : join(cacheDir, name);
}

export interface CachedDataset {
  name: string;
  format: DatasetFormat;
  path: string;
}

/** The cached copy of `name` (downloaded or imported), if any. */
export function findCached(cacheDir: string, name: string): CachedDataset | null {
  if (!isValidDatasetName(name)) return null;
  const npz = cachedDatasetPath(cacheDir, name, 'npz');
  if (existsSync(npz)) return { name, format: 'npz', path: npz };
  const folder = cachedDatasetPath(cacheDir, name, 'ppi');
  if (existsSync(folder) && statSync(folder).isDirectory()) {
    const format = detectFormat(folder);
    if (format) return { name, format, path: folder };
  }
  return null;
}

/** The format of a file or folder, or null when it is none of ours. */
export function detectFormat(path: string): DatasetFormat | null {
  if (!existsSync(path)) return null;
  if (statSync(path).isDirectory()) {
    if (findPpiFolder(path) === path) return 'ppi';
    if (findCsvFiles(path)) return 'csv';
    return null;
  }
  return path.toLowerCase().endsWith('.npz') ? 'npz' : null;
}

/** Names usable in the cache: letters, digits, '.', '_' and '-', not starting with '.' or '-'. */
export function isValidDatasetName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/.test(name) && !name.toLowerCase().endsWith('.npz');
}

/** Loads a dataset from disk in a known format. */
export function loadDatasetAt(path: string, format: DatasetFormat, options: { name?: string; source?: string } = {}): Dataset {
  const name = options.name ?? basename(path).replace(/\.npz$/i, '');
  const source = options.source ?? path;
  if (format === 'npz') return loadGnnBenchmarkNpz(path, { name, source });
  if (format === 'ppi') return loadPpiFolder(path, { name, source });
  return loadCsvFolder(path, { name, source });
}

export async function loadDataset(ref: string, options: LoadOptions = {}): Promise<Dataset> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const text = ref.trim();
  if (text === '') throw new UserError('dataset: empty reference');
  if (text === 'demo') return { ...datasetFromSpec(DEMO_SPEC, options.seed ?? 0), name: 'demo', source: 'demo' };
  if (parseDatasetSpec(text) !== null) return datasetFromSpec(text, options.seed ?? 0);

  const entry = findCatalogEntry(text);
  if (entry) {
    const cached = findCached(cacheDir, entry.name);
    if (!cached) throw new UserError(`dataset '${entry.name}' is not downloaded; run: alignahead datasets download ${entry.name}`);
    return loadDatasetAt(cached.path, cached.format, { name: entry.name, source: entry.name });
  }

  if (existsSync(text)) {
    const path = resolve(text);
    const format = detectFormat(path);
    if (!format) {
      throw new UserError(
        `${text}: not a dataset (expected an .npz file, a PPI folder with train_graph.json, or a folder with edges.csv and labels.csv)`,
      );
    }
    return loadDatasetAt(path, format);
  }

  const imported = findCached(cacheDir, text);
  if (imported) return loadDatasetAt(imported.path, imported.format, { name: text, source: text });

  const names = CATALOG.map((e) => e.name).join(', ');
  throw new UserError(
    `unknown dataset '${text}': not a file or folder, a catalog name (${names}), an imported name in ${cacheDir}, or a generator spec (e.g. csbm:2000:20000:5)`,
  );
}
