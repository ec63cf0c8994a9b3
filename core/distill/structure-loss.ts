import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { CsrGraph } from '../graph/csr';
import type { GraphOps } from '../tensor/graph-ops';
import { kernelOfLayer, type KernelChoice } from './layer-kernels';
import { localStructureLog, structureKl, type PeerStructureTargets } from './local-structure';
import type { AlignmentPlan } from './plans';
import type { SimilarityKernel } from './similarity';

/**
 * The distillation term of student k's loss (ALGORITHM.md, before the weight a):
 *
 *   (1/(K−1)) · Σ_{peers j} Σ_{(i←m) in plan} D(H_k⁽ⁱ⁾, H_j⁽ᵐ⁾)
 *
 * `peers` holds one target map per peer (from peerTargets over peerLayersOf(plan)). Each student
 * layer's log local structure is computed once per kernel and shared by all peers and pairs that
 * read it (with per-layer kernels, pair (i ← m) measures student layer i with layer m's kernel).
 * Zero (a constant) when the plan or the peer list is empty.
 */
export function planStructureLoss(
  ops: GraphOps,
  graph: CsrGraph,
  studentHidden: readonly tf.Tensor2D[],
  peers: readonly PeerStructureTargets[],
  plan: AlignmentPlan,
  kernel: KernelChoice,
  nodes?: Int32Array,
): tf.Scalar {
  if (plan.pairs.length === 0 || peers.length === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const studentLog = new Map<number, Map<SimilarityKernel, tf.Tensor1D>>();
    for (const pair of plan.pairs) {
      const h = studentHidden[pair.student];
      if (!h) {
        throw new UserError(`alignment plan '${plan.name}': student layer ${pair.student + 1} does not exist (the student has ${studentHidden.length} hidden layers)`);
      }
      const byKernel = studentLog.get(pair.student) ?? new Map<SimilarityKernel, tf.Tensor1D>();
      studentLog.set(pair.student, byKernel);
      const pairKernel = kernelOfLayer(kernel, pair.peer);
      if (!byKernel.has(pairKernel)) byKernel.set(pairKernel, localStructureLog(ops, graph, h, pairKernel));
    }
    const terms: tf.Scalar[] = [];
    peers.forEach((targets, peerIndex) => {
      for (const pair of plan.pairs) {
        const target = targets.get(pair.peer);
        if (!target) throw new Error(`planStructureLoss: peer ${peerIndex} has no target for its layer ${pair.peer + 1}`);
        const log = studentLog.get(pair.student)!.get(kernelOfLayer(kernel, pair.peer))!;
        terms.push(structureKl(graph, log, target, nodes));
      }
    });
    return tf.addN(terms).div(peers.length);
  });
}
