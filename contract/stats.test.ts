import { describe, expect, it } from 'vitest';
import { logGamma, mean, regularizedIncompleteBeta, sampleStd, studentTTwoSidedP, welchTTest } from './stats';

/** Naive reference: P(|T| ≥ t) by Simpson's rule on the t density over [0, t], then 1 − 2·area. */
function twoSidedPByIntegration(t: number, df: number): number {
  const logNorm = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  const density = (x: number) => Math.exp(logNorm - ((df + 1) / 2) * Math.log(1 + (x * x) / df));
  const steps = 20_000;
  const h = Math.abs(t) / steps;
  let area = density(0) + density(Math.abs(t));
  for (let i = 1; i < steps; i++) area += (i % 2 === 1 ? 4 : 2) * density(i * h);
  return 1 - 2 * (area * h) / 3;
}

describe('descriptive statistics', () => {
  it('mean and sample standard deviation (n − 1)', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    // deviations ±1.5, ±0.5 → sum of squares 5, over n − 1 = 3
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(Number.isNaN(sampleStd([7]))).toBe(true);
    expect(Number.isNaN(mean([]))).toBe(true);
  });

  it('log-gamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 11);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });
});

describe('regularised incomplete beta', () => {
  it('matches the closed forms I_x(a, 1) = x^a and I_x(1, b) = 1 − (1 − x)^b', () => {
    for (const x of [0.05, 0.3, 0.7, 0.95]) {
      expect(regularizedIncompleteBeta(x, 3.5, 1)).toBeCloseTo(x ** 3.5, 12);
      expect(regularizedIncompleteBeta(x, 1, 4.2)).toBeCloseTo(1 - (1 - x) ** 4.2, 12);
    }
  });

  it('matches scipy.special.betainc on both sides of the symmetry switch', () => {
    expect(regularizedIncompleteBeta(0.3, 2.5, 0.5)).toBeCloseTo(0.018927124071945658, 12);
    expect(regularizedIncompleteBeta(0.9, 10, 3)).toBeCloseTo(0.889130022255, 11);
    expect(regularizedIncompleteBeta(0.2, 0.5, 0.5)).toBeCloseTo(0.2951672353008665, 12);
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });
});

describe('Student t two-sided p-value', () => {
  it('matches the Cauchy (df = 1) and df = 2 closed forms', () => {
    for (const t of [0.3, 1, 2.5, 10]) {
      expect(studentTTwoSidedP(t, 1)).toBeCloseTo(1 - (2 / Math.PI) * Math.atan(t), 12);
      expect(studentTTwoSidedP(-t, 2)).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 12);
    }
  });

  it('agrees with numerical integration of the t density for fractional df', () => {
    for (const [t, df] of [[2, 7.3], [0.8, 3.6], [3.1, 12.25], [1.7, 41]]) {
      expect(studentTTwoSidedP(t, df)).toBeCloseTo(twoSidedPByIntegration(t, df), 9);
    }
    expect(studentTTwoSidedP(2, 7.3)).toBeCloseTo(0.08394103933410313, 12);
  });
});

describe("Welch's t-test", () => {
  it('matches scipy.stats.ttest_ind(equal_var=False)', () => {
    const r = welchTTest([1, 2, 3, 4], [2, 4, 6, 8, 10])!;
    expect(r.t).toBeCloseTo(-2.2514363231593695, 12);
    expect(r.df).toBeCloseTo(5.520787746170677, 12);
    expect(r.p).toBeCloseTo(0.06913359319239237, 12);
    expect(r.difference).toBeCloseTo(-3.5, 14);

    const accuracies = welchTTest([0.812, 0.825, 0.819, 0.83, 0.816], [0.801, 0.806, 0.799, 0.81])!;
    expect(accuracies.t).toBeCloseTo(4.04640292400258, 10);
    expect(accuracies.df).toBeCloseTo(6.920128802420734, 10);
    expect(accuracies.p).toBeCloseTo(0.005011894034194654, 12);
  });

  it('is symmetric: swapping the groups flips t and keeps p', () => {
    const ab = welchTTest([3, 5, 4, 6], [1, 2, 2.5])!;
    const ba = welchTTest([1, 2, 2.5], [3, 5, 4, 6])!;
    expect(ba.t).toBeCloseTo(-ab.t, 14);
    expect(ba.p).toBeCloseTo(ab.p, 14);
  });

  it('needs two values per group and handles zero spread', () => {
    expect(welchTTest([1], [1, 2])).toBeNull();
    expect(welchTTest([1, 1], [2, 2])!.p).toBe(0);
    expect(welchTTest([1, 1], [1, 1])!.p).toBe(1);
  });
});
