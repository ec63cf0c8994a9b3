import { INERT_CONTRAST, SATURATED_DISTANCE_OVER_TAU, type DistillationSignalRow, type SignalStateName } from '../../contract/distillation-signal';
import type { PairDiagnostic } from './structure-diagnostics';

/**
 * When is the distillation term inert, and what to tell the user. Two ways, both measured (see
 * docs/PROTOCOL.md, "Is the distillation doing anything?", and bench/science/structure-regime.ts):
 *
 * - near-uniform: d/τ ≪ 1 for every neighbour, exp(−d/τ) ≈ 1 − d/τ, and the structure differs from
 *   uniform only at second order. Threshold INERT_CONTRAST = 1e-4: in the authors' regime (their GAT
 *   at τ = 100 on ppi-like data calibrated to PPI, d/τ ≈ 0.6–1.8) the contrast was 2.0e-3 to 6.3e-3
 *   over the first 5 epochs, which is where the paper's effect lives; a 4 × 64 GCN on Cora at
 *   τ = 100 gave 4e-8 to 8e-5 over its first 10 epochs (only its deepest pair crossed 1e-4 later, as
 *   its features grew). 1e-4 sits 20× below the smallest working value. Contrast falls with degree (even a saturated
 *   structure has contrast ≈ 0.014 at degree 20, 0.005 at degree 100), so on graphs with mean degree
 *   in the hundreds the threshold would call working pairs inert: read the d/τ quartiles there.
 * - saturated: d/τ ≫ 1 for most neighbours, every neighbour scores ≈ 0 next to the self-loop's 1,
 *   and the structure is "self-loop versus the rest", which ranks no neighbour. Its contrast is not
 *   small (about 0.09 on Cora), so the distances tell: SATURATED_DISTANCE_OVER_TAU = 5 at the
 *   median, where half the neighbours score below e⁻⁵ ≈ 0.007. A τ fixed from the initial weights
 *   drove Cora's deeper layers to medians of 17–280 within 5 epochs.
 */
export { INERT_CONTRAST, SATURATED_DISTANCE_OVER_TAU };

/** The state of one planned pair's teaching signal (the peer side's structure). */
export function signalState(d: PairDiagnostic): SignalStateName {
  if (d.distanceOverTau && d.distanceOverTau.median > SATURATED_DISTANCE_OVER_TAU) return 'saturated';
  if (!Number.isFinite(d.contrast)) return 'unknown';
  return d.contrast < INERT_CONTRAST ? 'near-uniform' : 'active';
}

const num = (x: number) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(+x.toPrecision(2)) : x.toExponential(1));
const pairName = (d: PairDiagnostic) => `${d.studentLayer + 1}<-${d.peerLayer + 1}`;
const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

function tauText(pairs: readonly PairDiagnostic[]): string {
  const taus = [...new Set(pairs.map((d) => d.tau).filter((t): t is number => t !== null))];
  if (taus.length === 0) return 'with this kernel';
  if (taus.length === 1) return `at τ = ${num(taus[0])}`;
  return `at τ = ${num(Math.min(...taus))} to ${num(Math.max(...taus))}`;
}

/** "the neighbour distances are about X (d/τ ≈ Y)", from the pairs' median d/τ and τ. */
function distanceText(pairs: readonly PairDiagnostic[]): string | null {
  const known = pairs.filter((d) => d.tau !== null && d.distanceOverTau);
  if (known.length === 0) return null;
  const overTau = medianOf(known.map((d) => d.distanceOverTau!.median));
  const distance = medianOf(known.map((d) => d.distanceOverTau!.median * d.tau!));
  return `the neighbour distances are about ${num(distance)} (d/τ ≈ ${num(overTau)})`;
}

/**
 * The warning for one set of planned-pair diagnostics (one epoch; e.g. averaged over student pairs),
 * or null when every pair is active. Names the pairs (student<-peer, 1-based) when only some are inert.
 */
export function distillationWarning(diagnostics: readonly PairDiagnostic[]): string | null {
  const uniform = diagnostics.filter((d) => signalState(d) === 'near-uniform');
  const saturated = diagnostics.filter((d) => signalState(d) === 'saturated');
  if (uniform.length === 0 && saturated.length === 0) return null;
  const all = uniform.length + saturated.length === diagnostics.length;
  const parts: string[] = [];
  if (uniform.length > 0) {
    const which = uniform.length === diagnostics.length ? 'these features give' : `layer pairs ${uniform.map(pairName).join(', ')} get`;
    const contrast = Math.max(...uniform.map((d) => d.contrast));
    const distances = distanceText(uniform);
    parts.push(
      `${tauText(uniform)} ${which} near-uniform local structure (structure contrast ${num(contrast)}, below ${num(INERT_CONTRAST)})` +
        (distances ? `; ${distances}` : ''),
    );
  }
  if (saturated.length > 0) {
    const which = saturated.length === diagnostics.length ? 'every layer pair' : `layer pairs ${saturated.map(pairName).join(', ')}`;
    parts.push(
      `${tauText(saturated)} ${distanceText(saturated)} for ${which}: the kernel saturates, every neighbour scores ≈ 0 next to the self-loop, and the structure ranks no neighbour`,
    );
  }
  const verdict = all ? 'the distillation term barely acts' : 'those pairs barely act';
  const hint = 'try τ auto (--tau auto), or a τ of the order of the distances';
  return `${parts.join('. ')}: ${verdict}; ${hint}.`;
}

/** The stored/exported rows of one epoch's diagnostics between `student` and `peer` (NaN → null). */
export function signalRows(epoch: number, student: number, peer: number, diagnostics: readonly PairDiagnostic[]): DistillationSignalRow[] {
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
  return diagnostics.map((d) => ({
    epoch,
    student,
    peer,
    studentLayer: d.studentLayer,
    peerLayer: d.peerLayer,
    tau: d.tau,
    distanceOverTauQ1: finite(d.distanceOverTau?.q1),
    distanceOverTauMedian: finite(d.distanceOverTau?.median),
    distanceOverTauQ3: finite(d.distanceOverTau?.q3),
    meanKl: finite(d.meanKl),
    contrast: finite(d.contrast),
    studentContrast: finite(d.studentContrast),
    state: signalState(d),
  }));
}

/**
 * One diagnostic per planned pair from those of several ordered student pairs (each list in plan
 * order): the mean of every figure, the mean τ. What the run's warning reads, so that K students
 * give one warning, not K(K−1).
 */
export function averageOverStudentPairs(perStudentPair: readonly (readonly PairDiagnostic[])[]): PairDiagnostic[] {
  if (perStudentPair.length === 0) return [];
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return perStudentPair[0].map((first, i) => {
    const all = perStudentPair.map((pairs) => pairs[i]);
    const taus = all.map((d) => d.tau);
    const quartileSets = all.map((d) => d.distanceOverTau);
    return {
      studentLayer: first.studentLayer,
      peerLayer: first.peerLayer,
      tau: taus.every((t): t is number => t !== null) ? mean(taus) : null,
      distanceOverTau: quartileSets.every((q) => q !== null)
        ? { q1: mean(quartileSets.map((q) => q!.q1)), median: mean(quartileSets.map((q) => q!.median)), q3: mean(quartileSets.map((q) => q!.q3)) }
        : null,
      meanKl: mean(all.map((d) => d.meanKl)),
      contrast: mean(all.map((d) => d.contrast)),
      studentContrast: mean(all.map((d) => d.studentContrast)),
    };
  });
}
