import { writeFileSync } from 'node:fs';
import type { EpochMetricRow } from '../../contract/api';
import { RUN_SORT_KEYS, RUN_STATUS_VALUES, type RunSortKey, type RunStatus } from '../../contract/enums';
import { metricsCsv, signalCsv } from '../../contract/csv';
import { UserError } from '../errors';
import { defaultDatabasePath, openStore, type ExperimentStore } from '../store';
import { numberOption, parseOptions, printJson, type CliIo, type Command } from './command';

/**
 * `alignahead runs ...`: look at, export and delete recorded runs. Every command reads an existing
 * database (--db, else $ALIGNAHEAD_DB, else ~/.alignahead/workbench.sqlite): a missing file is an
 * error rather than a new empty database, so a mistyped path does not look like "no runs".
 */

const DB_OPTION = { db: { type: 'string' } } as const;
const DB_USAGE = '--db FILE (default: $ALIGNAHEAD_DB or ~/.alignahead/workbench.sqlite)';

function withStore<T>(dbOption: string | undefined, body: (store: ExperimentStore) => T): T {
  const path = dbOption ?? defaultDatabasePath();
  if (path === ':memory:') throw new UserError('--db: an in-memory database holds no runs; give a file');
  let store: ExperimentStore;
  try {
    store = openStore(path, { mustExist: true });
  } catch (error) {
    if (error instanceof UserError && /no experiment database/.test(error.message)) {
      throw new UserError(`${path}: no experiment database there (train a run first, or pass --db FILE / set ALIGNAHEAD_DB)`);
    }
    throw error;
  }
  try {
    // A trainer killed from outside left its run `running`; show it as the resumable `interrupted`.
    // A database that cannot be written (full disk, read-only, locked) can still be read.
    try {
      store.markInterruptedRuns();
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
    }
    return body(store);
  } finally {
    store.close();
  }
}

function runIdArgument(positionals: string[], usage: string): number {
  if (positionals.length !== 1) throw new UserError(`expected one run id (usage: ${usage})`);
  const raw = positionals[0];
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) throw new UserError(`run id: expected a positive integer, got '${raw}'`);
  return Number(raw);
}

function requireRun(store: ExperimentStore, id: number) {
  const run = store.getRun(id);
  if (!run) throw new UserError(`run ${id} not found in ${store.path}`);
  return run;
}

/** Columns padded to their widest cell; numbers right-aligned so digits line up. */
export function formatTable(headers: string[], rows: (string | number | null)[][]): string[] {
  const cells = rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell))));
  const isNumber = (cell: string | number | null) => cell === null || typeof cell === 'number' || /^-?\d+(\.\d+)?$/.test(cell);
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((row) => isNumber(row[c])));
  const widths = headers.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)];
}

const fixed = (value: number | null, digits = 4) => (value === null ? null : value.toFixed(digits));

const listCommand: Command = {
  path: ['runs', 'list'],
  summary: 'list recorded runs, newest first (or sorted), a page at a time',
  usage: `usage: alignahead runs list [${DB_USAGE}] [--status S[,S...]] [--search TEXT] [--sort KEY [--ascending]] [--limit N] [--offset N] [--json]
  --search TEXT  terms that must all match: key:value (name, dataset, model, strategy, status, tag, group, notes, seed, id) or any text
  --sort KEY     ${RUN_SORT_KEYS.join(', ')} (descending unless --ascending)`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseOptions(
      argv,
      {
        ...DB_OPTION,
        status: { type: 'string' },
        search: { type: 'string' },
        sort: { type: 'string' },
        ascending: { type: 'boolean' },
        limit: { type: 'string' },
        offset: { type: 'string' },
        json: { type: 'boolean' },
      },
      false,
    );
    const status = values.status?.split(',').map((s) => s.trim()) as RunStatus[] | undefined;
    for (const s of status ?? []) {
      if (!RUN_STATUS_VALUES.includes(s)) throw new UserError(`--status: unknown status '${s}' (one of ${RUN_STATUS_VALUES.join(', ')})`);
    }
    const sort = values.sort as RunSortKey | undefined;
    if (sort !== undefined && !RUN_SORT_KEYS.includes(sort)) throw new UserError(`--sort: unknown key '${sort}' (one of ${RUN_SORT_KEYS.join(', ')})`);
    const limit = numberOption('limit', values.limit, 100, (v) => Number.isInteger(v) && v >= 1 && v <= 10_000);
    const offset = numberOption('offset', values.offset, 0, (v) => Number.isInteger(v) && v >= 0);
    return withStore(values.db, (store) => {
      const filter = { status, search: values.search };
      const runs = store.listRuns({ ...filter, sort, descending: !values.ascending, limit, offset });
      if (values.json) {
        printJson(io, { runs, total: store.countRuns(filter) });
        return 0;
      }
      if (runs.length === 0) {
        io.out('no runs');
        return 0;
      }
      const rows = runs.map((run) => [
        run.id,
        run.name,
        run.status,
        run.dataset,
        run.model,
        run.strategy,
        run.numStudents,
        run.seed,
        run.plannedEpochs === null ? String(run.epochs) : `${run.epochs}/${run.plannedEpochs}`,
        run.students.map((s) => fixed(s.bestVal, 3) ?? '-').join(' '),
        run.createdAt.replace('T', ' ').slice(0, 19),
      ]);
      const headers = ['ID', 'NAME', 'STATUS', 'DATASET', 'MODEL', 'STRATEGY', 'STUDENTS', 'SEED', 'EPOCHS', 'BEST VAL', 'CREATED (UTC)'];
      for (const line of formatTable(headers, rows)) io.out(line);
      return 0;
    });
  },
};

/** The rows of the newest epoch that has any. */
function lastEpochRows(metrics: EpochMetricRow[]): EpochMetricRow[] {
  if (metrics.length === 0) return [];
  const last = metrics[metrics.length - 1].epoch;
  return metrics.filter((m) => m.epoch === last);
}

const showCommand: Command = {
  path: ['runs', 'show'],
  summary: 'show one run: configuration, students, last metrics',
  usage: `usage: alignahead runs show <id> [${DB_USAGE}] [--json]`,
  async run(argv: string[], io: CliIo): Promise<number> {
    // loaded here: the adapter label's module brings the schema library, which `runs list` does without
    const { gpuOf } = await import('../api/adapter-label');
    const { values, positionals } = parseOptions(argv, { ...DB_OPTION, json: { type: 'boolean' } });
    const id = runIdArgument(positionals, this.usage);
    return withStore(values.db, (store) => {
      const run = requireRun(store, id);
      const students = store.getStudents(id);
      const lastEpoch = lastEpochRows(store.getMetrics(id));
      const epochs = store.finishedEpochs(id);
      const checkpoints = store.listCheckpoints(id);
      const alignmentEpochs = store.alignmentEpochs(id);
      if (values.json) {
        printJson(io, { run, students, epochs, lastEpoch, checkpoints, alignmentEpochs });
        return 0;
      }
      const facts: [string, string | null][] = [
        ['status', run.status + (run.cancelRequested ? ' (cancel requested)' : '')],
        ['dataset', run.dataset],
        ['model', `${run.model}, ${run.numStudents} students × ${run.numLayers} layers`],
        ['strategy', run.strategy],
        ['seed', String(run.seed)],
        ['group', run.group],
        ['backend', run.backend],
        ['worker', run.worker],
        ['data sha256', run.datasetSha256],
        ['gpu', gpuOf(run.backendReport)],
        ['tags', run.tags.length > 0 ? run.tags.join(', ') : null],
        ['epochs', run.plannedEpochs === null ? String(epochs) : `${epochs}/${run.plannedEpochs}`],
        ['created', run.createdAt],
        ['started', run.startedAt],
        ['finished', run.finishedAt],
        ['error', run.error],
        ['checkpoints', checkpoints.length > 0 ? checkpoints.map((c) => `epoch ${c.epoch} (${c.bytes} bytes)`).join(', ') : null],
        ['heatmaps', alignmentEpochs.length > 0 ? `${alignmentEpochs.length} epoch${alignmentEpochs.length === 1 ? '' : 's'} (${alignmentEpochs[0]}..${alignmentEpochs[alignmentEpochs.length - 1]})` : null],
        ['notes', run.notes || null],
        ['config', JSON.stringify(run.config)],
      ];
      io.out(`run ${run.id}: ${run.name}`);
      const width = Math.max(...facts.map(([key]) => key.length));
      for (const [key, value] of facts) if (value !== null) io.out(`  ${key.padEnd(width)}  ${value}`);
      io.out('');
      io.out('students:');
      const studentRows = students.map((s) => [s.idx, fixed(s.bestVal), s.bestEpoch, fixed(s.testAtBest), s.epochsTo95, fixed(s.secondsTo95, 1), s.epochsTo99, fixed(s.secondsTo99, 1)]);
      for (const line of formatTable(['STUDENT', 'BEST VAL', 'AT EPOCH', 'TEST THERE', 'EPOCHS→95%', 'S→95%', 'EPOCHS→99%', 'S→99%'], studentRows)) io.out('  ' + line);
      if (lastEpoch.length > 0) {
        io.out('');
        io.out(`epoch ${lastEpoch[0].epoch}:`);
        const metricRows = lastEpoch.map((m) => [m.student, fixed(m.taskLoss), fixed(m.distillLoss), fixed(m.trainMetric), fixed(m.valMetric), fixed(m.testMetric), fixed(m.elapsedMs / 1000, 1)]);
        for (const line of formatTable(['STUDENT', 'TASK LOSS', 'DISTILL LOSS', 'TRAIN', 'VAL', 'TEST', 'ELAPSED S'], metricRows)) io.out('  ' + line);
      }
      return 0;
    });
  },
};


const exportCommand: Command = {
  path: ['runs', 'export'],
  summary: 'export a run\'s per-epoch metrics (or its distillation signal) as CSV, or everything as JSON',
  usage: `usage: alignahead runs export <id> [${DB_USAGE}] [--format csv|json] [--table metrics|signal] [--out FILE]
  --table    which table a CSV holds: the per-epoch metrics [metrics], or the distillation-signal diagnostic`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(argv, { ...DB_OPTION, format: { type: 'string' }, table: { type: 'string' }, out: { type: 'string' } });
    const id = runIdArgument(positionals, this.usage);
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw new UserError(`--format: expected csv or json, got '${format}'`);
    const table = values.table ?? 'metrics';
    if (table !== 'metrics' && table !== 'signal') throw new UserError(`--table: expected metrics or signal, got '${table}'`);
    return withStore(values.db, (store) => {
      const run = requireRun(store, id);
      const metrics = store.getMetrics(id);
      const signal = store.getSignal(id);
      const csv = table === 'signal' ? signalCsv([{ runId: run.id, runName: run.name, rows: signal }]) : metricsCsv([{ runId: run.id, runName: run.name, metrics }]);
      const lines = format === 'csv' ? csv.trimEnd().split('\n') : [JSON.stringify({ run, students: store.getStudents(id), metrics, signal })];
      if (values.out === undefined) {
        for (const line of lines) io.out(line);
      } else {
        try {
          writeFileSync(values.out, lines.join('\n') + '\n');
        } catch (error) {
          throw new UserError(`--out ${values.out}: cannot write (${(error as Error).message})`);
        }
        const written = format === 'csv' && table === 'signal' ? `${signal.length} signal rows of run ${id}` : `${metrics.length} metric rows of run ${id}`;
        io.err(`wrote ${written} to ${values.out}`);
      }
      return 0;
    });
  },
};

const deleteCommand: Command = {
  path: ['runs', 'delete'],
  summary: 'delete a run and everything recorded for it',
  usage: `usage: alignahead runs delete <id> [${DB_USAGE}] [--force]   (--force: even while it is running)`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(argv, { ...DB_OPTION, force: { type: 'boolean' } });
    const id = runIdArgument(positionals, this.usage);
    return withStore(values.db, (store) => {
      const run = requireRun(store, id);
      store.deleteRun(id, { force: values.force === true });
      io.out(`deleted run ${id} (${run.name})`);
      return 0;
    });
  },
};

export const runCommands: Command[] = [listCommand, showCommand, exportCommand, deleteCommand];
