import type { CaseResult } from './gpu-check-cases';

/**
 * The GPU targets, judged from the measured cases. A software adapter proves correctness
 * only: its figures are reported, labelled, and never judged.
 */

/** Our best CPU epoch on csbm 50k / 1M GAT (bench/README.md: WASM + graph kernels on 2 threads). */
export const BEST_CPU_CSBM50K_EPOCH_MS = 34_500;
/** The authors' DGL figure on their GPU for PPI's 4-layer GAT: seconds per student-epoch. */
export const DGL_PPI_STUDENT_EPOCH_MS = 1_200;

export interface TargetResult {
  name: string;
  limitMs: number;
  measuredMs: number | null;
  /** null: not judged (not measured, or a software adapter) */
  met: boolean | null;
  verdict: string;
}

export function gpuTargets(cases: CaseResult[], softwareAdapter: boolean): TargetResult[] {
  const figure = (name: string, pick: (c: CaseResult) => number) => {
    const found = cases.find((c) => c.name === name);
    return found ? pick(found) : null;
  };
  const judge = (name: string, limitMs: number, measuredMs: number | null): TargetResult => {
    if (measuredMs === null) return { name, limitMs, measuredMs, met: null, verdict: 'not measured' };
    if (softwareAdapter) return { name, limitMs, measuredMs, met: null, verdict: `${measuredMs} ms on a software adapter: correctness only, not judged` };
    const met = measuredMs <= limitMs;
    return { name, limitMs, measuredMs, met, verdict: `${measuredMs} ms ${met ? '≤' : '>'} ${limitMs} ms: ${met ? 'met' : 'NOT met'}` };
  };
  return [
    judge('csbm 50k GAT epoch ≤ 1/10 of the best CPU epoch', Math.round(BEST_CPU_CSBM50K_EPOCH_MS / 10), figure('csbm50k-gat', (c) => c.epochMsMedian)),
    judge('PPI-shaped GAT ≤ 1.2 s per student-epoch (DGL, authors)', DGL_PPI_STUDENT_EPOCH_MS, figure('ppi-gat', (c) => c.studentEpochMs)),
  ];
}
