import * as tf from '@tensorflow/tfjs';
import type { AlignmentMatrixOf } from '../../contract/api';
import { alignmentMatrix } from '../distill/alignment-matrix';
import { autoTaus, tauKernels, type L1Kernel, type LayerTau } from '../distill/auto-tau';
import type { KernelChoice } from '../distill/layer-kernels';
import { kernelEdgeValues, neighbourValues } from '../distill/neighbour-distances';
import { builtinPlan, type AlignmentPlan } from '../distill/plans';
import { DEFAULT_L1_TAU, type SimilarityKernel } from '../distill/similarity';
import { diagnosticsFromEdgeValues, type PairDiagnostic } from '../distill/structure-diagnostics';
import type { Student } from '../models/types';
import type { GraphOps } from '../tensor/graph-ops';
import { bufferScope } from '../tensor/parallel/shared-buffers';
import { readAndDispose } from '../tensor/readback';
import type { TrainingData } from './training-data';

/**
 * The once-per-epoch look at the students' local structures, in eval mode on the evaluation nodes
 * (data.alignment): one forward pass of every model and ONE read-back of every hidden layer's kernel
 * edge values (async: GPU backends read back once per epoch), from which come
 *
 * - τ auto (kernel.tauMode 'auto', our extension): each model's τ per layer, its median neighbour
 *   L1 distance, held for the next epoch's steps as that model's kernels when it serves as a peer;
 * - the distillation-signal diagnostic of every ordered student pair (docs/PROTOCOL.md), measured
 *   with the kernels just set, so a row's τ is the τ the next epoch trains with (epoch 0: before
 *   training, the τ of epoch 1);
 * - the alignment heatmaps, when due (a second read-back, after the kernels are known).
 */

export interface StructureSettings {
  ops: GraphOps;
  data: TrainingData;
  /** the run's kernel (its τ is the fallback under τ auto) */
  kernel: SimilarityKernel;
  tauAuto: boolean;
  /** the plan the diagnostic rows follow (see diagnosticPlanOf) */
  diagnosticPlan: AlignmentPlan;
}

/** The diagnostic of one ordered student pair: student learns from peer. */
export interface PairSignal {
  student: number;
  peer: number;
  diagnostics: PairDiagnostic[];
}

export interface StructureMeasure {
  /** per model (students, then a fixed teacher if any): the kernels it is measured with as a peer */
  peerKernels: KernelChoice[];
  /** per model, its τ per hidden layer (τ auto only) */
  taus: LayerTau[][] | null;
  /** every ordered pair of the first `students` models (when asked) */
  signals: PairSignal[];
  /** every ordered student pair's heatmap (when asked) */
  matrices: AlignmentMatrixOf<Float32Array>[];
}

/**
 * The plan the diagnostic follows: the run's, or align-ahead's when the run has none (independent
 * students, DML), so that every run of a study gets a structure-contrast figure to compare with.
 */
export function diagnosticPlanOf(plan: AlignmentPlan, layers: number): AlignmentPlan {
  return plan.pairs.length > 0 ? plan : builtinPlan('align-ahead', layers);
}

/**
 * Measures `models` (the first `students` of them are the students; a teacher may follow). τ is
 * measured under τ auto only; `want` says which of the diagnostic and the heatmaps to compute.
 * `known` holds models' eval-mode hidden layers on the alignment batch that an evaluation just
 * computed (the pass takes them over and disposes them); the others are forwarded here.
 */
export async function measureStructure(
  settings: StructureSettings,
  models: readonly Student[],
  students: number,
  want: { signals: boolean; matrices: boolean; epoch: number },
  known: readonly (tf.Tensor2D[] | undefined)[] = [],
): Promise<StructureMeasure> {
  const { kernel, data } = settings;
  const { batch, nodes } = data.alignment;
  const hidden = bufferScope(() => tf.tidy(() => models.map((m, i) => known[i] ?? m.forward(batch.graph, batch.features, { training: false }).hidden)));
  try {
    const needValues = settings.tauAuto || want.signals;
    const values = needValues ? await edgeValues(settings, hidden) : null;
    const taus = settings.tauAuto && values ? values.map((layers) => autoTaus(layers.map((v) => [neighbourValues(batch.graph, v, nodes)]), (kernel as L1Kernel).tau ?? DEFAULT_L1_TAU)) : null;
    const peerKernels: KernelChoice[] = models.map((_, j) => (taus ? tauKernels(kernel as L1Kernel, taus[j]) : kernel));
    const pairs = orderedPairs(students);
    const signals =
      want.signals && values
        ? pairs.map(({ student, peer }) => ({
            student,
            peer,
            diagnostics: diagnosticsFromEdgeValues(batch.graph, { student: values[student], peer: values[peer] }, settings.diagnosticPlan, peerKernels[peer], nodes),
          }))
        : [];
    const matrices = want.matrices ? await heatmaps(settings, hidden, peerKernels, pairs, want.epoch) : [];
    return { peerKernels, taus, signals, matrices };
  } finally {
    tf.dispose(hidden.flat());
  }
}

function orderedPairs(students: number): { student: number; peer: number }[] {
  const pairs: { student: number; peer: number }[] = [];
  for (let student = 0; student < students; student++) for (let peer = 0; peer < students; peer++) if (peer !== student) pairs.push({ student, peer });
  return pairs;
}

/** Every model's per-layer kernel edge values (l1: distances, whatever τ), read back together. */
async function edgeValues(settings: StructureSettings, hidden: readonly tf.Tensor2D[][]): Promise<Float32Array[][]> {
  const { graph } = settings.data.alignment.batch;
  const tensors = bufferScope(() => tf.tidy(() => hidden.flatMap((layers) => layers.map((h) => kernelEdgeValues(settings.ops, graph, h, settings.kernel)))));
  const read = await readAndDispose(tensors);
  let next = 0;
  return hidden.map((layers) => layers.map(() => read[next++]));
}

/** M[i][m] = D(H_k⁽ⁱ⁾, H_j⁽ᵐ⁾) for every ordered pair (k, j), column m measured with peer j's layer-m kernel. */
async function heatmaps(
  settings: StructureSettings,
  hidden: readonly tf.Tensor2D[][],
  peerKernels: readonly KernelChoice[],
  pairs: readonly { student: number; peer: number }[],
  epoch: number,
): Promise<AlignmentMatrixOf<Float32Array>[]> {
  const { batch, nodes } = settings.data.alignment;
  const tensors = bufferScope(() =>
    tf.tidy(() => pairs.map(({ student, peer }) => alignmentMatrix(settings.ops, batch.graph, hidden[student], hidden[peer], peerKernels[peer], nodes))),
  );
  const values = await readAndDispose(tensors);
  return pairs.map(({ student, peer }, i) => ({
    epoch,
    student,
    peer,
    rows: hidden[student].length,
    cols: hidden[peer].length,
    data: Float32Array.from(values[i]),
  }));
}
