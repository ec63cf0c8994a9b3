import { describe, expect, it } from 'vitest';
import { DISTILLATION_SIGNAL_COLUMNS } from '../../contract/distillation-signal';
import { averageOverStudentPairs, distillationWarning, INERT_CONTRAST, signalRows, signalState } from './inert-warning';
import type { PairDiagnostic } from './structure-diagnostics';

const pair = (studentLayer: number, peerLayer: number, contrast: number, tau: number | null, medianOverTau: number): PairDiagnostic => ({
  studentLayer,
  peerLayer,
  tau,
  distanceOverTau: tau === null ? null : { q1: medianOverTau / 2, median: medianOverTau, q3: 2 * medianOverTau },
  meanKl: contrast,
  contrast,
  studentContrast: contrast,
});

describe('the inert-term warning', () => {
  it('says nothing when every pair is active (the authors\' regime)', () => {
    const paperLike = [pair(1, 0, 4.7e-3, 100, 0.74), pair(2, 1, 6.8e-3, 100, 0.95), pair(0, 2, 9.2e-3, 100, 1.2)];
    expect(paperLike.map(signalState)).toEqual(['active', 'active', 'active']);
    expect(distillationWarning(paperLike)).toBeNull();
  });

  it('names τ, the contrast and the typical distance when the structure is near-uniform everywhere (Cora at τ = 100)', () => {
    const cora = [pair(1, 0, 7.3e-7, 100, 0.0024), pair(2, 1, 1.9e-7, 100, 0.00093), pair(0, 2, 8.2e-8, 100, 0.00046)];
    expect(cora.map(signalState)).toEqual(['near-uniform', 'near-uniform', 'near-uniform']);
    expect(distillationWarning(cora)).toBe(
      'at τ = 100 these features give near-uniform local structure (structure contrast 7.3e-7, below 1.0e-4); ' +
        'the neighbour distances are about 0.093 (d/τ ≈ 9.3e-4): the distillation term barely acts; ' +
        'try τ auto (--tau auto), or a τ of the order of the distances.',
    );
  });

  it('names only the inert pairs when some act', () => {
    const text = distillationWarning([pair(1, 0, 1.5e-5, 100, 0.006), pair(2, 1, 2e-3, 100, 0.06)])!;
    expect(text).toMatch(/^at τ = 100 layer pairs 2<-1 get near-uniform local structure \(structure contrast 1\.5e-5/);
    expect(text).toMatch(/: those pairs barely act;/);
  });

  it('recognises a saturated kernel by its distances, whatever the contrast', () => {
    const drifted = [pair(1, 0, 0.027, 0.23, 0.76), pair(2, 1, 0.084, 0.088, 17), pair(3, 2, 0.086, 0.042, 82)];
    expect(drifted.map(signalState)).toEqual(['active', 'saturated', 'saturated']);
    expect(distillationWarning(drifted)).toBe(
      'at τ = 0.042 to 0.088 the neighbour distances are about 1.5 (d/τ ≈ 17) for layer pairs 3<-2, 4<-3: the kernel saturates, ' +
        'every neighbour scores ≈ 0 next to the self-loop, and the structure ranks no neighbour: those pairs barely act; ' +
        'try τ auto (--tau auto), or a τ of the order of the distances.',
    );
  });

  it('handles kernels without τ and structures without any node of degree 2', () => {
    expect(distillationWarning([pair(1, 0, INERT_CONTRAST / 10, null, 0)])).toBe(
      'with this kernel these features give near-uniform local structure (structure contrast 1.0e-5, below 1.0e-4): ' +
        'the distillation term barely acts; try τ auto (--tau auto), or a τ of the order of the distances.',
    );
    expect(signalState(pair(1, 0, Number.NaN, 100, 1))).toBe('unknown');
    expect(distillationWarning([pair(1, 0, Number.NaN, 100, 1)])).toBeNull();
  });
});

describe('signal rows for the store and the CSV export', () => {
  it('flatten each pair with its state, in the documented columns, NaN as null', () => {
    const rows = signalRows(7, 1, 0, [pair(1, 0, 7.3e-7, 100, 0.0024), pair(0, 2, Number.NaN, null, 0)]);
    expect(rows[0]).toEqual({
      epoch: 7,
      student: 1,
      peer: 0,
      studentLayer: 1,
      peerLayer: 0,
      tau: 100,
      distanceOverTauQ1: 0.0012,
      distanceOverTauMedian: 0.0024,
      distanceOverTauQ3: 0.0048,
      meanKl: 7.3e-7,
      contrast: 7.3e-7,
      studentContrast: 7.3e-7,
      state: 'near-uniform',
    });
    expect(rows[1]).toMatchObject({ tau: null, distanceOverTauMedian: null, contrast: null, meanKl: null, state: 'unknown' });
    expect(Object.keys(rows[0]).sort()).toEqual([...DISTILLATION_SIGNAL_COLUMNS].sort());
  });
});

describe('one warning for K students', () => {
  it('averages every figure of each planned pair over the ordered student pairs', () => {
    const oneWay = [pair(1, 0, 2e-5, 100, 0.002), pair(0, 1, 4e-3, 100, 0.5)];
    const otherWay = [pair(1, 0, 4e-5, 200, 0.004), pair(0, 1, 6e-3, 200, 1.5)];
    const [first, second] = averageOverStudentPairs([oneWay, otherWay]);
    expect(first).toMatchObject({ studentLayer: 1, peerLayer: 0, tau: 150 });
    for (const figure of [first.contrast, first.studentContrast, first.meanKl]) expect(figure).toBeCloseTo(3e-5, 15);
    expect(first.distanceOverTau!.q1).toBeCloseTo(0.0015, 15);
    expect(first.distanceOverTau!.median).toBeCloseTo(0.003, 15);
    expect(first.distanceOverTau!.q3).toBeCloseTo(0.006, 15);
    expect(second.contrast).toBeCloseTo(5e-3, 15);
    expect(second.distanceOverTau!.median).toBe(1);
    // a kernel without τ on either side: no τ, no distances
    expect(averageOverStudentPairs([[pair(1, 0, 1e-3, null, 0)], [pair(1, 0, 1e-3, 100, 1)]])[0]).toMatchObject({ tau: null, distanceOverTau: null });
    expect(averageOverStudentPairs([])).toEqual([]);
  });
});

