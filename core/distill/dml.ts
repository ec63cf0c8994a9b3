import * as tf from '@tensorflow/tfjs';
import type { Task } from '../../contract/api';
import { UserError } from '../errors';
import { checkNodeIndices } from '../models/task';

/**
 * Deep mutual learning on logits (the DML baseline): the student matches the peer's predictive
 * distribution, mean over nodes of KL(peer ‖ student).
 *
 * - multiclass: KL(softmax(peer/T) ‖ softmax(student/T)), from log-softmaxes (stable);
 * - multilabel: each label is its own Bernoulli, KL(σ(peer/T) ‖ σ(student/T)) per label from
 *   log-sigmoids, averaged over nodes × labels (the binary counterpart of the softmax, matching
 *   how the task loss treats labels as independent).
 *
 * The loss is multiplied by T² (Hinton et al.), so that its gradient keeps its scale as T changes;
 * at the default T = 1 it is the plain KL. `peerLogits` is a constant: compute it outside the
 * student's gradient computation (the peer then gets no gradient).
 */
export function mutualLearningLoss(
  studentLogits: tf.Tensor2D,
  peerLogits: tf.Tensor2D,
  nodes?: Int32Array,
  temperature = 1,
  task: Task = 'multiclass',
): tf.Scalar {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new UserError(`mutual learning: temperature must be a positive number, got ${temperature}`);
  }
  if (studentLogits.shape[0] !== peerLogits.shape[0] || studentLogits.shape[1] !== peerLogits.shape[1]) {
    throw new UserError(`mutual learning: student logits [${studentLogits.shape}] and peer logits [${peerLogits.shape}] differ in shape`);
  }
  if (nodes) checkNodeIndices('mutual learning', nodes, studentLogits.shape[0]);
  return tf.tidy(() => {
    const rows = (logits: tf.Tensor2D): tf.Tensor2D => {
      const picked = nodes ? tf.gather(logits, tf.tensor1d(nodes, 'int32')) : logits;
      return picked.div(temperature);
    };
    const s = rows(studentLogits);
    const p = rows(peerLogits);
    let kl: tf.Scalar;
    if (task === 'multiclass') {
      const logQ = tf.logSoftmax(p);
      kl = logQ.exp().mul(logQ.sub(tf.logSoftmax(s))).sum(1).mean();
    } else {
      const logQ = logSigmoid(p);
      const logNotQ = logSigmoid(p.neg());
      const perLabel = logQ.exp().mul(logQ.sub(logSigmoid(s))).add(logNotQ.exp().mul(logNotQ.sub(logSigmoid(s.neg()))));
      kl = perLabel.mean();
    }
    return kl.mul(temperature * temperature);
  });
}

/**
 * log σ(x) = −softplus(−x), finite for any x; log(1 − σ(x)) = log σ(−x). Not tf.logSigmoid: its
 * custom gradient reads its input after an enclosing tf.tidy has disposed it.
 */
function logSigmoid(x: tf.Tensor2D): tf.Tensor2D {
  return tf.softplus(x.neg<tf.Tensor2D>()).neg<tf.Tensor2D>();
}
