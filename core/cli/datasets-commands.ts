import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../errors';
import { CATALOG, findCatalogEntry } from '../datasets/catalog';
import { downloadDataset, type DownloadResult } from '../datasets/download';
import { defaultCacheDir, findCached, isValidDatasetName, loadDataset } from '../datasets/load';
import { computeStats } from '../datasets/stats';
import { commitImport, planImport } from '../datasets/import';
import { parseOptions, printJson, type CliIo, type Command } from './command';
import { createProgress } from './progress';

/**
 * `alignahead datasets ...`: list the catalog, inspect any dataset reference, download public
 * datasets into the cache, import a user's files into the cache under a name.
 */

const CACHE_OPTION = { cache: { type: 'string' } } as const;
const CACHE_USAGE = '--cache DIR (default: $ALIGNAHEAD_DATA_DIR or ~/.alignahead/datasets)';

function cacheDirOf(option: string | undefined): string {
  return option ? resolve(option) : defaultCacheDir();
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Columns padded to their widest cell. */
function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  return [headers, ...rows].map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
}

interface ListedDataset {
  name: string;
  origin: 'catalog' | 'imported';
  title: string;
  task: string | null;
  format: string;
  url: string | null;
  sha256: string | null;
  /** exact size of the download in bytes, when published */
  bytes: number | null;
  citation: string | null;
  cached: boolean;
  path: string | null;
}

/** Imported datasets: cache entries that are not catalog names. */
function importedDatasets(cacheDir: string): ListedDataset[] {
  if (!existsSync(cacheDir)) return [];
  const names = new Set<string>();
  for (const item of readdirSync(cacheDir)) {
    const name = item.replace(/\.npz$/i, '');
    if (!findCatalogEntry(name) && isValidDatasetName(name)) names.add(name);
  }
  return [...names]
    .sort()
    .map((name) => findCached(cacheDir, name))
    .filter((found) => found !== null)
    .map((found) => ({
      name: found.name,
      origin: 'imported' as const,
      title: `imported ${found.format} dataset`,
      task: null,
      format: found.format,
      url: null,
      sha256: null,
      bytes: null,
      citation: null,
      cached: true,
      path: found.path,
    }));
}

const listCommand: Command = {
  path: ['datasets', 'list'],
  summary: 'list the public datasets and the imported ones, and whether each is downloaded',
  usage: `usage: alignahead datasets list [${CACHE_USAGE}] [--json]`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseOptions(argv, { ...CACHE_OPTION, json: { type: 'boolean' } }, false);
    const cacheDir = cacheDirOf(values.cache);
    const catalog: ListedDataset[] = CATALOG.map((entry) => {
      const cached = entry.format === 'spec' ? null : findCached(cacheDir, entry.name);
      return {
        name: entry.name,
        origin: 'catalog',
        title: entry.title,
        task: entry.task,
        format: entry.format,
        url: entry.url,
        sha256: entry.sha256,
        bytes: entry.bytes,
        citation: entry.citation,
        cached: entry.format === 'spec' || cached !== null,
        path: cached?.path ?? null,
      };
    });
    const datasets = [...catalog, ...importedDatasets(cacheDir)];
    if (values.json) {
      printJson(io, { cacheDir, datasets });
      return 0;
    }
    const rows = datasets.map((d) => [
      d.name,
      d.task ?? '-',
      d.format,
      d.format === 'spec' ? 'built in' : d.cached ? 'yes' : 'no',
      d.format === 'spec' ? 'generated' : d.bytes === null ? '-' : `${d.bytes.toLocaleString('en-US')} B`,
      d.title,
    ]);
    for (const line of table(['name', 'task', 'format', 'cached', 'size', 'title'], rows)) io.out(line);
    io.out('');
    io.out(`cache: ${cacheDir}`);
    return 0;
  },
};

const inspectCommand: Command = {
  path: ['datasets', 'inspect'],
  summary: 'load a dataset (path, name or spec) and show its statistics',
  usage: [
    `usage: alignahead datasets inspect <path|name|spec> [${CACHE_USAGE}] [--json]`,
    '  path: an .npz file (gnn-benchmark layout), a PPI folder, or a folder with edges.csv + labels.csv',
    '  name: a catalog name (see `datasets list`) or an imported name; spec: e.g. csbm:2000:20000:5',
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(argv, { ...CACHE_OPTION, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UserError(`expected one dataset (usage: ${inspectCommand.usage.split('\n')[0]})`);
    const dataset = await loadDataset(positionals[0], { cacheDir: cacheDirOf(values.cache) });
    const stats = computeStats(dataset);
    if (values.json) {
      printJson(io, { ...stats, source: dataset.source, classNames: dataset.classNames ?? null });
      return 0;
    }
    const rows: [string, string][] = [
      ['name', stats.name],
      ['source', dataset.source],
      ['task', stats.task],
      ['graphs', String(stats.graphs)],
      ['nodes', String(stats.nodes)],
      ['edges', `${stats.edges} (directed message edges, self-loops included)`],
      ['features', String(stats.features)],
      ['classes', String(stats.classes) + (dataset.classNames ? ` (${dataset.classNames.join(', ')})` : '')],
      ['homophily', stats.homophily === null ? '-' : stats.homophily.toFixed(4)],
      ['isolated nodes', String(stats.isolatedNodes)],
    ];
    if (dataset.graphSplit) {
      const { train, val, test } = dataset.graphSplit;
      rows.push(['graph split', `${train.length} train / ${val.length} val / ${test.length} test`]);
    }
    const width = Math.max(...rows.map(([key]) => key.length));
    for (const [key, value] of rows) io.out(`${key.padEnd(width)}  ${value}`);
    io.out('');
    io.out('in-degree histogram (self-loop included):');
    const { bucketEdges, counts } = stats.degreeHistogram;
    const most = Math.max(1, ...counts);
    const histogram = counts.map((count, i) => {
      const low = bucketEdges[i];
      const high = bucketEdges[i + 1] - 1;
      const range = high > low ? `${low}-${high}` : String(low);
      return [range, String(count), '#'.repeat(Math.ceil((count / most) * 40))];
    });
    for (const line of table(['degree', 'nodes', ''], histogram)) io.out(`  ${line}`);
    return 0;
  },
};

const downloadCommand: Command = {
  path: ['datasets', 'download'],
  summary: 'download public datasets into the cache (checksummed, never left half-written)',
  usage: `usage: alignahead datasets download <name>... [${CACHE_USAGE}] [--base-url URL] [--json]`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(argv, { ...CACHE_OPTION, 'base-url': { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length === 0) throw new UserError(`expected a dataset name (usage: ${downloadCommand.usage})`);
    for (const name of positionals) {
      const entry = findCatalogEntry(name);
      if (!entry) throw new UserError(`unknown dataset '${name}'; see: alignahead datasets list`);
      if (!entry.url) throw new UserError(`dataset '${name}' is generated on the fly; there is nothing to download`);
    }
    const cacheDir = cacheDirOf(values.cache);
    const results: DownloadResult[] = [];
    // Ctrl-C cancels cleanly: the downloader removes its temporary files.
    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    try {
      for (const name of positionals) {
        let progress: ReturnType<typeof createProgress> | null = null;
        const result = await downloadDataset(name, {
          cacheDir,
          baseUrl: values['base-url'],
          signal: controller.signal,
          onProgress: ({ receivedBytes, totalBytes }) => {
            progress ??= createProgress(io, `downloading ${name}`, totalBytes, 2000);
            progress.update(receivedBytes, formatBytes(receivedBytes));
          },
        });
        (progress as ReturnType<typeof createProgress> | null)?.finish(formatBytes(result.bytes));
        if (result.warning) io.err(`warning: ${result.warning}`);
        const check = {
          verified: 'sha256 verified',
          recorded: 'no published sha256; recorded this one',
          'matches-recorded': 'sha256 matches the first download',
          'differs-from-recorded': 'sha256 DIFFERS from the first download',
        }[result.hashCheck];
        if (!values.json) io.out(`${name}: ${formatBytes(result.bytes)} saved to ${result.path} (${check})`);
        results.push(result);
      }
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
    if (values.json) printJson(io, { cacheDir, downloads: results });
    return 0;
  },
};

const importCommand: Command = {
  path: ['datasets', 'import'],
  summary: 'validate a local dataset and copy it into the cache under a name',
  usage: [
    `usage: alignahead datasets import <path> --name NAME [--format npz|ppi|csv] [${CACHE_USAGE}] [--force] [--json]`,
    '  npz: a gnn-benchmark .npz file; ppi: a folder with {train,valid,test}_{graph.json,feats.npy,labels.npy,graph_id.npy};',
    '  csv: a folder with edges.csv (source,target), labels.csv (id,label) and optional features.csv (id,x1,x2,...)',
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(argv, {
      ...CACHE_OPTION,
      name: { type: 'string' },
      format: { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UserError(`expected one path (usage: ${importCommand.usage.split('\n')[0]})`);
    const name = values.name;
    if (!name) throw new UserError('--name is required: the name to refer to the dataset by');
    const plan = planImport({
      path: resolve(positionals[0]),
      name,
      format: values.format,
      cacheDir: cacheDirOf(values.cache),
      replace: values.force,
      nameLabel: '--name',
      formatLabel: '--format',
      replaceHint: 'pass --force to replace it',
    });
    const { dataset, target } = commitImport(plan);
    const { format } = plan;
    const stats = computeStats(dataset);
    if (values.json) {
      printJson(io, { name, format, path: target, nodes: stats.nodes, edges: stats.edges, features: stats.features, classes: stats.classes, graphs: stats.graphs, task: stats.task });
    } else {
      io.out(`imported '${name}' (${format}: ${stats.graphs} graph(s), ${stats.nodes} nodes, ${stats.edges} edges, ${stats.features} features, ${stats.classes} classes) into ${target}`);
    }
    return 0;
  },
};

export const datasetCommands: Command[] = [listCommand, inspectCommand, downloadCommand, importCommand];
