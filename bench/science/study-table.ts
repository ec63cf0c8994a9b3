/**
 * The study table of docs/STUDY.md, from the runs a study recorded with `alignahead sweep`:
 *
 *   node bin/run-ts.js bench/science/study-table.ts --db /work/study/study.sqlite [--groups g1,g2,...]
 *
 * One row per (sweep group, strategy, τ setting): the test metric each student reports (by the
 * run's selection rule), a run's score being the mean over its students and the runs of a row
 * differing only by seed (as in the app's compare view); Welch's test against the independent
 * students of the same dataset, model and epochs; and the structure contrast the run's
 * distillation-signal rows recorded (planned pairs; align-ahead's pairs for runs without a plan):
 * the median over the run's pairs at epoch 0 and at its last recorded epoch, then the mean over
 * its seeds, and the share of all its recorded (epoch, pair) rows that were inert.
 */
import { parseArgs } from 'node:util';
import { openStore } from '../../core/store';
import type { RunRecord } from '../../core/store';
import { mean, median, sampleStd, welchTTest } from '../../contract/stats';

const { values } = parseArgs({ options: { db: { type: 'string' }, groups: { type: 'string' } } });
if (!values.db) throw new Error('usage: study-table.ts --db FILE [--groups g1,g2]');
const store = openStore(values.db, { mustExist: true });
const wanted = values.groups?.split(',').map((g) => g.trim());

interface Config {
  strategy: string;
  epochs: number;
  model: string;
  layers: number;
  selection?: string;
  kernel: { tau: number; tauMode?: string };
}

const runs = store
  .listRuns({ status: 'completed', limit: 10_000 })
  .filter((r) => r.group !== null && (!wanted || wanted.includes(r.group)))
  .map((summary) => store.getRun(summary.id)!)
  .sort((a, b) => a.id - b.id);

const configOf = (run: RunRecord) => run.config as unknown as Config;
const tauText = (c: Config) => (c.strategy === 'independent' || c.strategy === 'dml' ? '' : c.kernel.tauMode === 'auto' ? 'τ auto' : `τ = ${c.kernel.tau}`);
/** the dataset by file name: one study may name the same file by another path */
const dataLabel = (run: RunRecord) => run.dataset.split('/').pop()!.replace(/\.npz$/, '');
const setting = (run: RunRecord) => `${dataLabel(run)}\u0000${run.model}\u0000${configOf(run).layers}\u0000${configOf(run).epochs}`;
const rowKey = (run: RunRecord) => `${run.group}\u0000${run.strategy}\u0000${tauText(configOf(run))}`;

/** A run's score: the mean over its students of the test metric each reports. */
function score(run: RunRecord): number {
  const tests = store.getStudents(run.id).map((s) => s.testAtBest).filter((t): t is number => t !== null);
  return tests.length > 0 ? mean(tests) : Number.NaN;
}

function signalFigures(run: RunRecord): { first: number; last: number; inert: number } {
  const rows = store.getSignal(run.id);
  if (rows.length === 0) return { first: Number.NaN, last: Number.NaN, inert: Number.NaN };
  const lastEpoch = rows[rows.length - 1].epoch;
  const contrastAt = (epoch: number) => median(rows.filter((r) => r.epoch === epoch && r.contrast !== null).map((r) => r.contrast!));
  const inert = rows.filter((r) => r.state === 'near-uniform' || r.state === 'saturated').length / rows.length;
  return { first: contrastAt(0), last: contrastAt(lastEpoch), inert };
}

const rows = new Map<string, RunRecord[]>();
for (const run of runs) {
  const key = rowKey(run);
  if (!rows.has(key)) rows.set(key, []);
  rows.get(key)!.push(run);
}

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const sci = (x: number) => (!Number.isFinite(x) ? '–' : x >= 1e-3 ? x.toPrecision(2) : x.toExponential(1));
const pText = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));

console.log('| data | model | sweep group | row | seeds | epochs | test (mean ± std) | Δ vs independent | Welch p vs independent | contrast, epoch 0 | contrast, last epoch | inert rows |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const list of rows.values()) {
  const first = list[0];
  const config = configOf(first);
  const scores = list.map(score).filter(Number.isFinite);
  const baseline = runs.filter((r) => r.strategy === 'independent' && setting(r) === setting(first)).map(score).filter(Number.isFinite);
  const welch = first.strategy === 'independent' ? null : welchTTest(scores, baseline);
  const signal = list.map(signalFigures);
  const label = [first.strategy, tauText(config), config.selection === 'authors' ? "authors' selection" : ''].filter(Boolean).join(', ');
  console.log(
    `| ${dataLabel(first)} | ${first.model.toUpperCase()} ${config.layers} | ${first.group} | ${label} | ${list.map((r) => r.seed).sort((a, b) => a - b).join(',')} | ${config.epochs} | ` +
      `${fmt(mean(scores))} ± ${fmt(scores.length > 1 ? sampleStd(scores) : Number.NaN)} | ` +
      `${welch ? (welch.difference >= 0 ? '+' : '') + fmt(welch.difference) : '–'} | ${welch ? pText(welch.p) : '–'} | ` +
      `${sci(mean(signal.map((s) => s.first)))} | ${sci(mean(signal.map((s) => s.last)))} | ${fmt(100 * mean(signal.map((s) => s.inert)), 0)}% |`,
  );
}
store.close();
