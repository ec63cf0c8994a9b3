import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { CsrGraph } from '../graph/csr';
import type { GraphOps } from '../tensor/graph-ops';
import { localStructureLog, structureKl, type PeerStructureTargets } from './local-structure';
import { studentLayersOf, type AlignmentPlan } from './plans';
import type { SimilarityKernel } from './similarity';

/**
 * The distillation term of student k's loss (ALGORITHM.md, before the weight a):
 *
 *   (1/(K−1)) · Σ_{peers j} Σ_{(i←m) in plan} D(H_k⁽ⁱ⁾, H_j⁽ᵐ⁾)
 *
 * `peers` holds one target map per peer (from peerTargets over peerLayersOf(plan)). Each student
 * layer's log local structure is computed once and shared by all peers and pairs that read it.
 * Zero (a constant) when the plan or the peer list is empty.
 */
export function planStructureLoss(
  ops: GraphOps,
  graph: CsrGraph,
  studentHidden: readonly tf.Tensor2D[],
  peers: readonly PeerStructureTargets[],
  plan: AlignmentPlan,
  kernel: SimilarityKernel,
  nodes?: Int32Array,
): tf.Scalar {
  if (plan.pairs.length === 0 || peers.length === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const studentLog = new Map<number, tf.Tensor1D>();
    for (const layer of studentLayersOf(plan)) {
      const h = studentHidden[layer];
      if (!h) {
        throw new UserError(`alignment plan '${plan.name}': student layer ${layer + 1} does not exist (the student has ${studentHidden.length} hidden layers)`);
      }
      studentLog.set(layer, localStructureLog(ops, graph, h, kernel));
    }
    const terms: tf.Scalar[] = [];
    peers.forEach((targets, peerIndex) => {
      for (const pair of plan.pairs) {
        const target = targets.get(pair.peer);
        if (!target) throw new Error(`planStructureLoss: peer ${peerIndex} has no target for its layer ${pair.peer + 1}`);
        terms.push(structureKl(graph, studentLog.get(pair.student)!, target, nodes));
      }
    });
    return tf.addN(terms).div(peers.length);
  });
}
