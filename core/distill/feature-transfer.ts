import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { Rng } from '../random';
import { matMul } from '../tensor/matmul';
import { checkNodeIndices } from '../models/task';
import { glorotMatrix } from '../models/init';
import type { LayerPair } from './plans';

/**
 * Feature-level transfer (extension): for every matched pair (student layer i ← peer layer m) the
 * student's node features are pulled towards the peer's, either by mean squared error (over nodes ×
 * features) or by cosine distance 1 − cos (mean over nodes). Where the widths differ, the student's
 * features pass through a learned linear map (student width → peer width, one per pair, owned and
 * trained by the student); where they agree the features are compared directly. The pair losses
 * are summed, like the structure distances over a plan; the weight γ is the trainer's.
 */
export type FeatureDistance = 'mse' | 'cosine';

export interface FeatureTransfer {
  /** the linear maps of the pairs whose widths differ, in pair order */
  readonly variables: tf.Variable[];
  /** Σ over pairs; `peerHidden` are constants (compute them outside the student's gradient computation) */
  loss(studentHidden: readonly tf.Tensor2D[], peerHidden: readonly tf.Tensor2D[], nodes?: Int32Array): tf.Scalar;
  dispose(): void;
}

const COSINE_EPS = 1e-8;

export function createFeatureTransfer(
  pairs: readonly LayerPair[],
  studentWidths: readonly number[],
  peerWidths: readonly number[],
  distance: FeatureDistance,
  rng: Rng,
): FeatureTransfer {
  if (distance !== 'mse' && distance !== 'cosine') {
    throw new UserError(`feature transfer: unknown distance '${String(distance)}' (expected mse or cosine)`);
  }
  const maps = pairs.map(({ student, peer }) => {
    const from = studentWidths[student];
    const to = peerWidths[peer];
    if (from === undefined || to === undefined) {
      throw new UserError(
        `feature transfer: pair ${student + 1}<-${peer + 1} names a missing layer (student has ${studentWidths.length}, peer ${peerWidths.length} hidden layers)`,
      );
    }
    return from === to ? null : (glorotMatrix(rng, from, to) as tf.Variable<tf.Rank.R2>);
  });
  const variables = maps.filter((m): m is tf.Variable<tf.Rank.R2> => m !== null);

  function pairLoss(s: tf.Tensor2D, t: tf.Tensor2D): tf.Scalar {
    if (distance === 'mse') return s.sub(t).square().mean();
    const norm = (x: tf.Tensor2D) => x.square().sum(1).sqrt().maximum(COSINE_EPS);
    const cosine = s.mul(t).sum(1).div(norm(s).mul(norm(t)));
    return tf.scalar(1).sub(cosine.mean());
  }

  return {
    variables,
    loss(studentHidden, peerHidden, nodes) {
      if (pairs.length === 0) return tf.scalar(0);
      return tf.tidy(() => {
        const rows = nodes ? tf.tensor1d(nodes, 'int32') : null;
        const losses = pairs.map(({ student, peer }, k) => {
          const s = studentHidden[student];
          const t = peerHidden[peer];
          if (!s || !t) throw new UserError(`feature transfer: pair ${student + 1}<-${peer + 1} has no hidden tensor`);
          if (s.shape[0] !== t.shape[0]) throw new UserError(`feature transfer: student and peer hidden tensors have ${s.shape[0]} and ${t.shape[0]} rows`);
          if (nodes) checkNodeIndices('feature transfer', nodes, s.shape[0]);
          const pick = (x: tf.Tensor2D) => (rows ? (tf.gather(x, rows) as tf.Tensor2D) : x);
          const mapped = maps[k] ? matMul(pick(s), maps[k]!) : pick(s);
          if (mapped.shape[1] !== t.shape[1]) {
            throw new UserError(`feature transfer: pair ${student + 1}<-${peer + 1} compares width ${mapped.shape[1]} with ${t.shape[1]}`);
          }
          return pairLoss(mapped, pick(t));
        });
        return tf.addN(losses);
      });
    },
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}
