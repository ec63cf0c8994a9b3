import type { DistillationSignalRow } from '../distillation-signal';

/**
 * Test fixture: one distillation-signal row of a near-uniform pair (student 0 learning layer 0 of
 * peer 1 into its layer 1 at τ = 100, contrast far below the warning's threshold), with `over`
 * changing any figure. Shared by the store's and the renderer's tests so both speak of the same row.
 */
export function nearUniformSignalRow(over: Partial<DistillationSignalRow> = {}): DistillationSignalRow {
  return {
    epoch: 0,
    student: 0,
    peer: 1,
    studentLayer: 1,
    peerLayer: 0,
    tau: 100,
    distanceOverTauQ1: 0.001,
    distanceOverTauMedian: 0.002,
    distanceOverTauQ3: 0.003,
    meanKl: 1e-7,
    contrast: 7.3e-7,
    studentContrast: 6e-7,
    state: 'near-uniform',
    ...over,
  };
}
