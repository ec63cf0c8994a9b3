import type { CompareEntry, RunDetail } from '../../contract/api';
import { studentCurves, type CurvePoint, type MetricKey } from './charts/series';
import { scoreTable, type ResultTable } from '../../contract/result-table';
import { mean, sampleStd, welchTTest, type WelchResult } from '../../contract/stats';

/**
 * What the compare view computes from runs.compare: groups of runs (by strategy, across seeds),
 * one score per run, and Welch's test between two groups. A run is the unit of replication: its
 * students learn from each other, so they are not independent samples; a run's score is the mean
 * over its students.
 */

export type Measure = 'bestVal' | 'testAtBest';

export const MEASURE_LABELS: Record<Measure, string> = { bestVal: 'best validation', testAtBest: 'test at best validation' };

/** Mean over the run's students of the measure; null when no student has it yet. */
function runScore(run: RunDetail, measure: Measure): number | null {
  const values = run.students.map((s) => s[measure]).filter((v): v is number => v !== null && Number.isFinite(v));
  return values.length ? mean(values) : null;
}

function groupKey(run: RunDetail): string {
  return run.strategy;
}

function groupEntries(entries: readonly CompareEntry[]): Map<string, CompareEntry[]> {
  const groups = new Map<string, CompareEntry[]>();
  for (const entry of entries) {
    const key = groupKey(entry.run);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(entry);
  }
  return groups;
}

export interface GroupSummary {
  key: string;
  runs: number;
  scores: number[];
  mean: number;
  std: number;
}

export function summarizeGroups(entries: readonly CompareEntry[], measure: Measure): GroupSummary[] {
  return [...groupEntries(entries).entries()].map(([key, list]) => {
    const scores = list.map((e) => runScore(e.run, measure)).filter((v): v is number => v !== null);
    return { key, runs: list.length, scores, mean: mean(scores), std: scores.length > 1 ? sampleStd(scores) : Number.NaN };
  });
}

export function compareGroups(entries: readonly CompareEntry[], groupA: string, groupB: string, measure: Measure): WelchResult | null {
  const summaries = summarizeGroups(entries, measure);
  const a = summaries.find((g) => g.key === groupA);
  const b = summaries.find((g) => g.key === groupB);
  if (!a || !b) return null;
  return welchTTest(a.scores, b.scores);
}

/** Every (run, student) curve of a group for one metric: the input of its mean ± std band. */
export function groupCurves(entries: readonly CompareEntry[], metric: MetricKey, student: number | 'all'): Map<string, CurvePoint[][]> {
  const out = new Map<string, CurvePoint[][]>();
  for (const [key, list] of groupEntries(entries)) {
    const curves: CurvePoint[][] = [];
    for (const entry of list) {
      for (const [idx, curve] of studentCurves(entry.metrics, metric)) if (student === 'all' || idx === student) curves.push(curve);
    }
    out.set(key, curves);
  }
  return out;
}

/**
 * The groups as a paper table (contract/result-table.ts, the one the CLI's sweep writes too): one
 * row per strategy with the mean ± std of its run scores and Welch's p-value against `reference`.
 */
export function groupsTable(entries: readonly CompareEntry[], measure: Measure, reference: string): ResultTable {
  const groups = summarizeGroups(entries, measure);
  const datasets = [...new Set(entries.map((e) => e.run.dataset))].join(', ');
  return scoreTable({
    caption: `${datasets}: ${MEASURE_LABELS[measure]}, mean ± std over runs (each run: the mean over its students)`,
    keyHeaders: ['strategy'],
    referenceName: reference,
    scoreColumns: [{ header: MEASURE_LABELS[measure], digits: 3, higherIsBetter: true }],
    rows: groups.map((g) => ({ keys: [g.key], block: '', scores: [g.scores], reference: g.key === reference })),
  });
}
