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
 * `peers` holds one target map per peer (from peerTargets over peerLayersOf(plan)). Pair (i ← m)
 * measures student layer i with the kernel peer layer m's target was measured with (so per-layer
 * or per-peer τ, as τ auto gives, apply to both sides); `kernel` serves targets that carry none.
 * Each student layer's log structure is computed once per kernel and shared by every pair that
 * reads it. Zero (a constant) when the plan or the peer list is empty.
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
    for (const pair of plan.pairs) {
      if (!studentHidden[pair.student]) {
        throw new UserError(`alignment plan '${plan.name}': student layer ${pair.student + 1} does not exist (the student has ${studentHidden.length} hidden layers)`);
      }
    }
    const studentLog = new Map<string, tf.Tensor1D>();
    const studentLogOf = (layer: number, pairKernel: SimilarityKernel) => {
      const key = `${layer}:${JSON.stringify(pairKernel)}`;
      let log = studentLog.get(key);
      if (!log) studentLog.set(key, (log = localStructureLog(ops, graph, studentHidden[layer], pairKernel)));
      return log;
    };
    const terms: tf.Scalar[] = [];
    peers.forEach((targets, peerIndex) => {
      for (const pair of plan.pairs) {
        const target = targets.get(pair.peer);
        if (!target) throw new Error(`planStructureLoss: peer ${peerIndex} has no target for its layer ${pair.peer + 1}`);
        const pairKernel = target.kernel ?? kernelOfLayer(kernel, pair.peer);
        terms.push(structureKl(graph, studentLogOf(pair.student, pairKernel), target, nodes));
      }
    });
    return tf.addN(terms).div(peers.length);
  });
}
