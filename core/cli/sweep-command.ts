import type { RunConfigInput } from '../../contract/run-config';
import { UserError } from '../errors';
import { defaultDatabasePath, openStore } from '../store';
import { parseRunConfig } from '../train/run-config';
import type { ExperimentResult } from '../runs/run-experiment';
import { parseOptions, printJson, type Command } from './command';
import { cancelOnInterrupt, formatMetric, progressReporter } from './train-commands';
import { cachedIn, configFromFlags, RUN_FLAG_OPTIONS, RUN_FLAGS_USAGE } from './train-flags';

/** mean and sample standard deviation (0 for a single value) */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

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

export interface SweepCell {
  data: string;
  strategy: string;
  students: number;
  runs: number[];
  /** test metric at best validation, averaged over the students of each run, then over seeds */
  test: { mean: number; std: number; n: number };
  /** the best student of each run (by validation), over seeds */
  bestStudentTest: { mean: number; std: number; n: number };
  epochsTo95: { mean: number; std: number; n: number };
  epochMs: { mean: number; std: number; n: number };
}

/** Groups finished runs into the cells of a results table (one row per dataset × strategy × K). */
export function summariseSweep(results: { config: { data: string; strategy: string; students: number }; result: ExperimentResult }[]): SweepCell[] {
  const cells = new Map<string, { data: string; strategy: string; students: number; items: ExperimentResult[] }>();
  for (const { config, result } of results) {
    const key = `${config.data}\u0000${config.strategy}\u0000${config.students}`;
    if (!cells.has(key)) cells.set(key, { data: config.data, strategy: config.strategy, students: config.students, items: [] });
    cells.get(key)!.items.push(result);
  }
  return [...cells.values()].map(({ data, strategy, students, items }) => ({
    data,
    strategy,
    students,
    runs: items.map((r) => r.runId),
    test: meanStd(items.map((r) => meanStd(r.students.map(testOf)).mean)),
    bestStudentTest: meanStd(items.map((r) => testOf(r.students.reduce((best, s) => ((s.bestVal ?? -Infinity) > (best.bestVal ?? -Infinity) ? s : best))))),
    epochsTo95: meanStd(items.flatMap((r) => r.students.map((s) => s.epochsTo95 ?? Number.NaN)).filter(Number.isFinite)),
    epochMs: meanStd(items.map((r) => r.epochMsMedian)),
  }));
}

export function formatSweepTable(cells: SweepCell[]): string {
  const header = ['dataset', 'strategy', 'K', 'seeds', 'test (mean ± std)', 'best student test', 'epochs to 95%', 'ms/epoch'];
  const pm = (s: { mean: number; std: number }, digits = 3) => (Number.isFinite(s.mean) ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : '-');
  const rows = cells.map((c) => [c.data, c.strategy, String(c.students), String(c.test.n), pm(c.test), pm(c.bestStudentTest), pm(c.epochsTo95, 1), pm(c.epochMs, 1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const sweepCommand: Command = {
  path: ['sweep'],
  summary: 'run a grid of datasets × strategies × students × seeds and print the results table',
  usage: `usage: alignahead sweep [run options] [--seeds 0-4] [--db FILE] [--group NAME] [--json]
  --data, --strategy and --students take comma-separated lists; --seeds takes a list or a range (0-4).
${RUN_FLAGS_USAGE}`,
  async run(argv, io) {
    const { values } = parseOptions(
      argv,
      { ...RUN_FLAG_OPTIONS, seeds: { type: 'string' }, db: { type: 'string' }, cache: { type: 'string' }, group: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } },
      false,
    );
    if (values.seed !== undefined) throw new UserError('sweep takes --seeds (a list or range), not --seed');
    const base = configFromFlags({ ...values, data: undefined, strategy: undefined, students: undefined }, { available: cachedIn(values.cache) });
    // a preset names its dataset; otherwise the demo graph
    const datasets = (values.data ?? base.data).split(',').map((s) => s.trim()).filter(Boolean);
    const strategies = (values.strategy ?? 'independent,oc,alignahead').split(',').map((s) => s.trim()).filter(Boolean);
    const studentCounts = parseIntegerList('students', values.students ?? '2');
    const seeds = parseIntegerList('seeds', values.seeds ?? '0-2');
    // Validate the whole grid before training anything.
    const grid: RunConfigInput[] = [];
    for (const data of datasets)
      for (const strategy of strategies)
        for (const students of studentCounts) for (const seed of seeds) grid.push({ ...base, data, strategy: strategy as RunConfigInput['strategy'], students, seed });
    const configs = grid.map((c) => parseRunConfig(c));
    const group = values.group ?? `sweep-${new Date().toISOString().replace(/[:.]/g, '-')}`;
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
    io.out(formatSweepTable(cells));
    if (values.json) printJson(io, { group, runs: finished.length, cells });
    return finished.length === configs.length ? 0 : 130;
  },
};

export const sweepCommands: Command[] = [sweepCommand];
