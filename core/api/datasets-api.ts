import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiEvent, CallInput, CatalogItem, DatasetStatsView, DownloadCheck } from '../../contract/api';
import { CATALOG, findCatalogEntry } from '../datasets/catalog';
import { downloadDataset, readHashes } from '../datasets/download';
import { checkDownload, freeBytesAt } from '../datasets/download-check';
import { commitImport, planImport } from '../datasets/import';
import { findCached, isValidDatasetName, loadDataset } from '../datasets/load';
import { PPI_LIKE_DEFAULTS } from '../datasets/ppi-like';
import { parseDatasetSpec, specText, type DatasetSpec } from '../datasets/spec';
import { computeStats } from '../datasets/stats';
import type { Dataset } from '../datasets/types';
import { UserError } from '../errors';
import type { ExperimentStore } from '../store';
import { ApiStatusError, errorBodyOf } from './errors';
import { checkFilesInsideRoots, looksLikePath, resolveInsideRoots } from './import-roots';

/** The datasets.* calls: catalog, inspect, background downloads, imports from allowed folders, generator specs. */

export interface DatasetApiOptions {
  store: ExperimentStore;
  cacheDir: string;
  importRoots: readonly string[];
  publish: (event: ApiEvent) => void;
  /** downloads: replaces fetch / the catalog host (tests, mirrors) */
  fetchImpl?: typeof fetch;
  downloadBaseUrl?: string;
  log?: (line: string) => void;
}

/** dataset.progress events are sent at most this often while bytes arrive. */
const PROGRESS_INTERVAL_MS = 250;
/** Download checks are answered from the last ones for this long (opening the view again asks no server). */
const CHECK_REUSE_MS = 60_000;

/** Bytes on disk of a file, or of every file under a folder. */
function diskBytes(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + diskBytes(join(path, name)), 0);
}

export function statsViewOf(ref: string, dataset: Dataset): DatasetStatsView {
  const stats = computeStats(dataset);
  return {
    ref,
    name: stats.name,
    task: stats.task,
    graphs: stats.graphs,
    nodes: stats.nodes,
    edges: stats.edges,
    features: stats.features,
    classes: stats.classes,
    homophily: stats.homophily,
    isolatedNodes: stats.isolatedNodes,
    degreeHistogram: stats.degreeHistogram,
  };
}

export function createDatasetApi(options: DatasetApiOptions) {
  const { store, cacheDir, importRoots, publish } = options;
  const downloads = new Map<string, { promise: Promise<void>; abort: AbortController }>();

  /**
   * The reference a run or an inspection should load: specs, `demo` and catalog names as they are;
   * paths only inside the import folders (returned as their real path, so a worker with another
   * working folder finds the same file); other names must be imported into the cache.
   */
  function resolveRef(ref: string, { requireAvailable }: { requireAvailable: boolean }): string {
    const text = ref.trim();
    if (text === '') throw new UserError('dataset: empty reference');
    if (text === 'demo' || parseDatasetSpec(text) !== null) return text;
    const entry = findCatalogEntry(text);
    if (entry) {
      if (requireAvailable && entry.url && !findCached(cacheDir, entry.name)) {
        throw new UserError(`dataset '${entry.name}' is not downloaded yet: download it first (Datasets → download)`);
      }
      return text;
    }
    if (looksLikePath(text) || existsSync(text)) return resolveInsideRoots(text, importRoots);
    if (requireAvailable && !findCached(cacheDir, text)) {
      throw new UserError(`unknown dataset '${text}': not a catalog name, an imported dataset or a generator spec (e.g. csbm:2000:20000:5)`);
    }
    return text;
  }

  async function inspect(ref: string): Promise<DatasetStatsView> {
    const resolved = resolveRef(ref, { requireAvailable: false });
    return statsViewOf(ref, await loadDataset(resolved, { cacheDir }));
  }

  function catalog(): CatalogItem[] {
    const recorded = readHashes(cacheDir);
    const items: CatalogItem[] = CATALOG.map((entry) => {
      const cached = entry.format === 'spec' ? null : findCached(cacheDir, entry.name);
      const firstDownload = recorded[entry.name]?.sha256 ?? null;
      return {
        name: entry.name,
        title: entry.title,
        task: entry.task,
        citation: entry.citation,
        synthetic: entry.format === 'spec',
        available: entry.format === 'spec' || cached !== null,
        url: entry.url,
        // an unpublished size is known once the file is here (an .npz is kept as downloaded)
        bytes: entry.bytes ?? (cached?.format === 'npz' ? diskBytes(cached.path) : null),
        sha256: entry.sha256 ?? firstDownload,
        sha256Source: entry.sha256 ? 'published' : firstDownload ? 'first-download' : null,
      };
    });
    // Imported datasets: cache entries that are not catalog names.
    const names = existsSync(cacheDir) ? readdirSync(cacheDir).map((item) => item.replace(/\.npz$/i, '')) : [];
    for (const name of [...new Set(names)].sort()) {
      if (findCatalogEntry(name) || !isValidDatasetName(name)) continue;
      const cached = findCached(cacheDir, name);
      if (!cached) continue;
      const record = store.getDataset(name);
      items.push({
        name,
        title: `imported ${cached.format} dataset${record?.nodes != null ? ` (${record.nodes} nodes)` : ''}`,
        task: record?.task ?? 'multiclass',
        citation: '',
        synthetic: false,
        available: true,
        url: null,
        bytes: diskBytes(cached.path),
        sha256: record?.sha256 ?? null,
        sha256Source: null,
      });
    }
    return items;
  }

  let lastChecks: { at: number; checks: Promise<DownloadCheck[]> } | null = null;

  /** Whether each download can succeed now; the last answers are reused for a minute unless `refresh`. */
  function checkDownloads(input: CallInput<'datasets.checkDownloads'>): Promise<DownloadCheck[]> {
    if (!input.refresh && lastChecks && Date.now() - lastChecks.at < CHECK_REUSE_MS) return lastChecks.checks;
    const freeBytes = freeBytesAt(cacheDir);
    const checks = Promise.all(
      CATALOG.filter((entry) => entry.url).map(async (entry): Promise<DownloadCheck> => {
        const { possible, reason } = await checkDownload(entry, { fetchImpl: options.fetchImpl, baseUrl: options.downloadBaseUrl, freeBytes });
        return { name: entry.name, possible, reason, checkedAt: new Date().toISOString() };
      }),
    );
    lastChecks = { at: Date.now(), checks };
    return checks;
  }

  function download(name: string): { started: boolean } {
    const entry = findCatalogEntry(name);
    if (!entry) throw new UserError(`unknown dataset '${name}'; downloadable datasets: ${CATALOG.filter((e) => e.url).map((e) => e.name).join(', ')}`);
    if (!entry.url) throw new UserError(`dataset '${name}' is generated on the fly; there is nothing to download`);
    if (downloads.has(name)) return { started: false };
    const abort = new AbortController();
    let lastSent = 0;
    const progress = (receivedBytes: number, totalBytes: number | null, done: boolean, error: string | null) =>
      publish({ type: 'dataset.progress', name, receivedBytes, totalBytes, done, error });
    let received = 0;
    let total: number | null = null;
    const promise = downloadDataset(name, {
      cacheDir,
      fetchImpl: options.fetchImpl,
      baseUrl: options.downloadBaseUrl,
      signal: abort.signal,
      onProgress: ({ receivedBytes, totalBytes }) => {
        received = receivedBytes;
        total = totalBytes;
        const now = Date.now();
        if (now - lastSent >= PROGRESS_INTERVAL_MS) {
          lastSent = now;
          progress(receivedBytes, totalBytes, false, null);
        }
      },
    })
      .then((result) => {
        store.upsertDataset({ name, source: name, format: entry.format, task: entry.task, sha256: result.sha256 });
        if (result.warning) options.log?.(`alignahead: ${result.warning}`);
        progress(result.bytes, result.bytes, true, null);
      })
      .catch((error: unknown) => progress(received, total, true, errorBodyOf(error, options.log).error))
      .finally(() => downloads.delete(name));
    downloads.set(name, { promise, abort });
    return { started: true };
  }

  function importDataset(input: CallInput<'datasets.import'>): DatasetStatsView {
    const path = resolveInsideRoots(input.path, importRoots);
    if (findCached(cacheDir, input.name)) throw new ApiStatusError(409, `name: a dataset called '${input.name}' already exists; choose another name`);
    const plan = planImport({ path, name: input.name, format: input.format, cacheDir });
    checkFilesInsideRoots(plan.files, importRoots);
    const { dataset } = commitImport(plan);
    const { name, format } = plan;
    const view = statsViewOf(name, dataset);
    store.upsertDataset({
      name,
      source: name,
      format,
      task: view.task,
      nodes: view.nodes,
      edges: view.edges,
      features: view.features,
      classes: view.classes,
      graphs: view.graphs,
      stats: view,
    });
    return view;
  }

  async function generate(input: CallInput<'datasets.generate'>): Promise<DatasetStatsView & { spec: string }> {
    const spec: DatasetSpec =
      input.kind === 'csbm'
        ? { kind: 'csbm', nodes: input.nodes, edges: input.edges, classes: input.classes, features: input.features, featureNoise: input.noise, homophily: input.homophily }
        : { kind: 'ppi-like', graphs: input.graphs ?? PPI_LIKE_DEFAULTS.graphs, nodesPerGraph: input.nodes, edgesPerGraph: input.edges, labels: input.classes, features: input.features };
    const text = specText(spec);
    // Parsing the text back applies the spec's own checks (e.g. classes ≤ nodes) with its messages.
    parseDatasetSpec(text);
    return { ...(await inspect(text)), spec: text };
  }

  return {
    resolveRef,
    catalog,
    checkDownloads,
    inspect,
    download,
    import: importDataset,
    generate,
    /** resolves when every running download has ended (tests, shutdown) */
    async settle(): Promise<void> {
      await Promise.all([...downloads.values()].map((d) => d.promise));
    },
    /** cancels running downloads (their temporary files are removed) */
    async dispose(): Promise<void> {
      for (const d of downloads.values()) d.abort.abort();
      await Promise.all([...downloads.values()].map((d) => d.promise));
    },
  };
}

export type DatasetApi = ReturnType<typeof createDatasetApi>;
