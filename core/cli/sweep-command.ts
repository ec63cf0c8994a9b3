import type { RunConfigInput } from '../../contract/run-config';
import { UserError } from '../errors';
import { median } from '../../contract/stats';
import { defaultDatabasePath, openStore, type ExperimentStore } from '../store';
import { parseRunnableConfig } from '../train/run-config';
import type { ExperimentResult } from '../runs/run-experiment';
import { parseOptions, printJson, type Command } from './command';
import { scoreTable, summarize, toLatex, toMarkdown, toText, type ResultTable, type ScoreSummary } from '../../contract/result-table';
import { cancelOnInterrupt, formatMetric, progressReporter } from './train-commands';
import { cachedIn, configFromFlags, RUN_FLAG_OPTIONS, RUN_FLAGS_USAGE } from './train-flags';

/** "0-4" → [0..4], "1,3,5" → [1,3,5] */
export function parseIntegerList(flag: string, raw: string): number[] {
  const out: number[] = [];
  for (const part of raw.split(',')) {
    const range = /^(\d+)-(\d+)$/.exec(part.trim());
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (to < from || to - from > 1000) throw new UserError(`--${flag}: bad range '${part}'`);
      for (let v = from; v <= to; v++) out.push(v);
    } else if (/^\d+$/.test(part.trim())) {
      out.push(Number(part.trim()));
    } else {
      throw new UserError(`--${flag}: '${part}' is not a whole number or a range like 0-4`);
    }
  }
  return out;
}

/** A student's test metric at its best validation epoch; NaN when it was never evaluated. */
const testOf = (s: ExperimentResult['students'][number]): number => s.testAtBest ?? Number.NaN;

/** The measures of a sweep table, one value per run (the run is the unit of replication: its students learn from each other). */
export interface SweepScores {
  /** test metric at best validation, averaged over the run's students */
  test: number[];
  /** the test metric of the run's best student (by validation) */
  bestStudentTest: number[];
  /** epochs to reach 95% of the best validation metric, averaged over the run's students */
  epochsTo95: number[];
  /** the run's median epoch time */
  epochMs: number[];
}

export interface SweepCell {
  data: string;
  strategy: string;
  students: number;
  runs: number[];
  scores: SweepScores;
  /** the test scores' mean ± std over seeds (as the table shows them) */
  test: ScoreSummary;
}

const runMean = (values: number[]) => summarize(values).mean;

/** Groups finished runs into the cells of a results table (one row per dataset × strategy × K). */
type SweepResult = Pick<ExperimentResult, 'runId' | 'students' | 'epochMsMedian'>;

export function summariseSweep(results: { config: { data: string; strategy: string; students: number }; result: SweepResult }[]): SweepCell[] {
  const cells = new Map<string, { data: string; strategy: string; students: number; items: SweepResult[] }>();
  for (const { config, result } of results) {
    const key = `${config.data}\u0000${config.strategy}\u0000${config.students}`;
    if (!cells.has(key)) cells.set(key, { data: config.data, strategy: config.strategy, students: config.students, items: [] });
    cells.get(key)!.items.push(result);
  }
  return [...cells.values()].map(({ data, strategy, students, items }) => {
    const scores: SweepScores = {
      test: items.map((r) => runMean(r.students.map(testOf))),
      bestStudentTest: items.map((r) => testOf(r.students.reduce((best, s) => ((s.bestVal ?? -Infinity) > (best.bestVal ?? -Infinity) ? s : best)))),
      epochsTo95: items.map((r) => runMean(r.students.map((s) => s.epochsTo95 ?? Number.NaN))),
      epochMs: items.map((r) => r.epochMsMedian),
    };
    return { data, strategy, students, runs: items.map((r) => r.runId), scores, test: summarize(scores.test) };
  });
}

/** The reference strategy of the p-values: the one asked for, else `independent` when swept, else the first. */
export function referenceStrategy(cells: readonly SweepCell[], asked?: string): string {
  const strategies = [...new Set(cells.map((c) => c.strategy))];
  return asked ?? (strategies.includes('independent') ? 'independent' : (strategies[0] ?? 'independent'));
}

/** The paper-style table of a sweep: mean ± std over seeds, and Welch's p-value of the test scores against the reference strategy (same dataset and K). */
export function sweepTable(cells: readonly SweepCell[], reference: string, caption = 'Test metric at best validation, mean ± std over seeds'): ResultTable {
  return scoreTable({
    caption,
    keyHeaders: ['dataset', 'strategy', 'K'],
    countHeader: 'seeds',
    referenceName: reference,
    scoreColumns: [
      { header: 'test (mean ± std)', digits: 3, higherIsBetter: true },
      { header: 'best student test', digits: 3, higherIsBetter: true },
      { header: 'epochs to 95%', digits: 1, higherIsBetter: false },
      { header: 'ms/epoch', digits: 1, higherIsBetter: false },
    ],
    rows: cells.map((c) => ({
      keys: [c.data, c.strategy, String(c.students)],
      block: `${c.data}\u0000${c.students}`,
      scores: [c.scores.test, c.scores.bestStudentTest, c.scores.epochsTo95, c.scores.epochMs],
      reference: c.strategy === reference,
    })),
  });
}

export const TABLE_FORMATS = ['text', 'markdown', 'latex'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

export function formatSweepTable(cells: readonly SweepCell[], format: TableFormat = 'text', reference?: string): string {
  const table = sweepTable(cells, referenceStrategy(cells, reference));
  return format === 'latex' ? toLatex(table, 'tab:sweep') : format === 'markdown' ? toMarkdown(table) : toText(table);
}

/** Checks --format and --reference before anything trains. */
export function tableOptions(values: { format?: string; reference?: string }, strategies: readonly string[]): { format: TableFormat; reference?: string } {
  const format = (values.format ?? 'text') as TableFormat;
  if (!TABLE_FORMATS.includes(format)) throw new UserError(`--format: expected ${TABLE_FORMATS.join(', ')}, got '${values.format}'`);
  if (values.reference !== undefined && !strategies.includes(values.reference)) {
    throw new UserError(`--reference: '${values.reference}' is not one of the swept strategies (${strategies.join(', ')})`);
  }
  return { format, reference: values.reference };
}

const sweepCommand: Command = {
  path: ['sweep'],
  summary: 'run a grid of datasets × strategies × students × seeds and print the results table',
  usage: `usage: alignahead sweep [run options] [--seeds 0-4] [--db FILE] [--group NAME] [--format text|markdown|latex] [--reference STRATEGY] [--json] [--queue URL]
  --data, --strategy and --students take comma-separated lists; --seeds takes a list or a range (0-4).
  --format: the results table as aligned text (default), Markdown, or LaTeX (booktabs): mean ± std over
            seeds, and Welch's p-value of the test scores against --reference (default: independent
            when swept, else the first strategy) for the same dataset and K.
  --queue URL: train on remote workers (alignahead worker) through this Redis; the runs are recorded here.
  The table of a sweep already recorded: alignahead sweep table --group NAME.
${RUN_FLAGS_USAGE}`,
  async run(argv, io) {
    const { values } = parseOptions(
      argv,
      {
        ...RUN_FLAG_OPTIONS,
        seeds: { type: 'string' },
        db: { type: 'string' },
        cache: { type: 'string' },
        group: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        queue: { type: 'string' },
        format: { type: 'string' },
        reference: { type: 'string' },
      },
      false,
    );
    if (values.seed !== undefined) throw new UserError('sweep takes --seeds (a list or range), not --seed');
    const base = configFromFlags({ ...values, data: undefined, strategy: undefined, students: undefined }, { available: cachedIn(values.cache) });
    // a preset names its dataset; otherwise the demo graph
    const datasets = (values.data ?? base.data).split(',').map((s) => s.trim()).filter(Boolean);
    const strategies = (values.strategy ?? 'independent,oc,alignahead').split(',').map((s) => s.trim()).filter(Boolean);
    const studentCounts = parseIntegerList('students', values.students ?? '2');
    const seeds = parseIntegerList('seeds', values.seeds ?? '0-2');
    const table = tableOptions(values, strategies);
    // Validate the whole grid before training anything.
    const grid: RunConfigInput[] = [];
    for (const data of datasets)
      for (const strategy of strategies)
        for (const students of studentCounts) for (const seed of seeds) grid.push({ ...base, data, strategy: strategy as RunConfigInput['strategy'], students, seed });
    const configs = grid.map((c) => parseRunnableConfig(c));
    const group = values.group ?? `sweep-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    if (values.queue !== undefined) return (await import('./queue-runs')).sweepOnQueue({ values, configs, group, io, table });
    // Loaded on demand: the tensor engine takes seconds to load and other commands do not need it.
    const { runExperiment } = await import('../runs/run-experiment');
    const store = openStore(values.db ?? defaultDatabasePath());
    const interrupt = cancelOnInterrupt(io);
    const finished: { config: (typeof configs)[number]; result: ExperimentResult }[] = [];
    try {
      for (const [i, config] of configs.entries()) {
        if (interrupt.signal.aborted) break;
        io.err(`[${i + 1}/${configs.length}] ${config.data} ${config.strategy} K=${config.students} seed ${config.seed}`);
        const result = await runExperiment({
          store,
          config,
          group,
          cacheDir: values.cache,
          signal: interrupt.signal,
          onEvent: values.quiet ? undefined : progressReporter(io, '  train'),
        });
        if (!values.quiet) io.err(`  test ${result.students.map((s) => formatMetric(s.testAtBest)).join(' ')}`);
        if (result.status === 'completed') finished.push({ config, result });
      }
    } finally {
      interrupt.dispose();
      store.close();
    }
    const cells = summariseSweep(finished);
    io.out(formatSweepTable(cells, table.format, table.reference));
    if (values.json) printJson(io, { group, runs: finished.length, cells });
    return finished.length === configs.length ? 0 : 130;
  },
};

const sweepTableCommand: Command = {
  path: ['sweep', 'table'],
  summary: "the results table of a recorded sweep (a group's completed runs) as text, Markdown or LaTeX",
  usage: `usage: alignahead sweep table --group NAME [--db FILE] [--format text|markdown|latex] [--reference STRATEGY] [--json]`,
  async run(argv, io) {
    const { values } = parseOptions(argv, { group: { type: 'string' }, db: { type: 'string' }, format: { type: 'string' }, reference: { type: 'string' }, json: { type: 'boolean' } }, false);
    if (values.group === undefined) throw new UserError('--group: which sweep? (a group name, as `runs list` shows it)');
    const store = openStore(values.db ?? defaultDatabasePath(), { mustExist: true });
    try {
      const runs = store.listRuns({ group: values.group, status: 'completed', limit: 10_000, sort: 'id', descending: false });
      if (runs.length === 0) throw new UserError(`group '${values.group}' has no completed runs in ${store.path}`);
      const cells = summariseSweep(runs.map((run) => recordedResult(store, run.id)));
      const table = tableOptions(values, cells.map((c) => c.strategy));
      io.out(formatSweepTable(cells, table.format, table.reference));
      if (values.json) printJson(io, { group: values.group, runs: runs.length, cells });
      return 0;
    } finally {
      store.close();
    }
  },
};

/** A recorded run as summariseSweep reads a finished one: its config's grid keys, students and median epoch time. */
function recordedResult(store: ExperimentStore, runId: number) {
  const run = store.getRun(runId)!;
  const epochMs = store.getMetrics(runId).filter((m) => m.student === 0).map((m) => m.epochMs);
  return {
    config: { data: run.dataset, strategy: run.strategy, students: run.numStudents },
    result: { runId, students: store.getStudents(runId), epochMsMedian: median(epochMs) } as Pick<ExperimentResult, 'runId' | 'students' | 'epochMsMedian'>,
  };
}

export const sweepCommands: Command[] = [sweepCommand, sweepTableCommand];
