import { describe, expect, it } from 'vitest';
import { compareGroups, groupCurves, summarizeGroups } from './compare-stats';
import { welchTTest } from '../../contract/stats';
import { makeCompareEntry as entry } from './test-fixtures';

describe('comparison statistics', () => {
  const entries = [
    entry(1, 'alignahead', [0.81, 0.83]),
    entry(2, 'alignahead', [0.84, 0.84]),
    entry(3, 'alignahead', [0.8, 0.82]),
    entry(4, 'oc', [0.79, 0.79]),
    entry(5, 'oc', [0.8, 0.78]),
    entry(6, 'oc', [0.77, 0.79]),
  ];

  it('scores a run by the mean over its students', () => {
    expect(summarizeGroups([entries[0]], 'testAtBest')[0].scores[0]).toBeCloseTo(0.82, 12);
  });

  it('groups runs by strategy with mean and sample std of the run scores', () => {
    const groups = summarizeGroups(entries, 'testAtBest');
    expect(groups.map((g) => g.key)).toEqual(['alignahead', 'oc']);
    const ahead = groups[0];
    expect(ahead.scores.map((s) => +s.toFixed(10))).toEqual([0.82, 0.84, 0.81]);
    expect(ahead.mean).toBeCloseTo(2.47 / 3, 12);
    expect(ahead.std).toBeCloseTo(Math.sqrt(((0.82 - 2.47 / 3) ** 2 + (0.84 - 2.47 / 3) ** 2 + (0.81 - 2.47 / 3) ** 2) / 2), 12);
  });

  it("runs Welch's test on one score per run, not per student", () => {
    const result = compareGroups(entries, 'alignahead', 'oc', 'testAtBest')!;
    const expected = welchTTest([0.82, 0.84, 0.81], [0.79, 0.79, 0.78])!;
    expect(result.nA).toBe(3);
    expect(result.t).toBeCloseTo(expected.t, 9);
    expect(result.p).toBeCloseTo(expected.p, 9);
    expect(result.p).toBeLessThan(0.05);
    expect(compareGroups(entries, 'alignahead', 'missing', 'testAtBest')).toBeNull();
  });

  it('collects every student curve of a group, or one chosen student', () => {
    expect(groupCurves(entries, 'valMetric', 'all').get('oc')).toHaveLength(6);
    expect(groupCurves(entries, 'valMetric', 1).get('oc')).toHaveLength(3);
  });
});
