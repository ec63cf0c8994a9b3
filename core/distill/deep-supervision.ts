import * as tf from '@tensorflow/tfjs';
import type { Task } from '../../contract/api';
import { UserError } from '../errors';
import type { Rng } from '../random';
import { matMul } from '../tensor/matmul';
import type { Labels } from '../graph/graph-data';
import { checkNodeIndices, taskLossOnRows } from '../models/task';
import { glorotMatrix, zerosVariable } from '../models/init';

/**
 * Deep supervision (extension): a linear classifier on every hidden layer, trained on the task's
 * labels alongside the student, so that intermediate layers are pushed to be predictive too. The
 * heads belong to their student (its optimiser updates them); the weight β is the trainer's.
 */
export interface AuxiliaryHeads {
  /** [W₁, b₁, W₂, b₂, ...]: W_l [width_l, C] Glorot-uniform, b_l [C] zeros */
  readonly variables: tf.Variable[];
  /** mean over hidden layers of the task loss of that layer's head on `trainNodes` */
  loss(hidden: readonly tf.Tensor2D[], labels: Labels, trainNodes: Int32Array, task: Task): tf.Scalar;
  dispose(): void;
}

export function createAuxiliaryHeads(hiddenWidths: readonly number[], numClasses: number, rng: Rng): AuxiliaryHeads {
  if (hiddenWidths.length === 0) throw new UserError('deep supervision: the student has no hidden layers to supervise');
  for (const width of [...hiddenWidths, numClasses]) {
    if (!Number.isInteger(width) || width < 1) throw new UserError(`deep supervision: widths and class count must be positive integers, got ${width}`);
  }
  const heads = hiddenWidths.map((width) => ({
    weight: glorotMatrix(rng, width, numClasses) as tf.Variable<tf.Rank.R2>,
    bias: zerosVariable([numClasses]) as tf.Variable<tf.Rank.R1>,
  }));
  return {
    variables: heads.flatMap(({ weight, bias }) => [weight, bias]),
    loss(hidden, labels, trainNodes, task) {
      if (hidden.length !== heads.length) {
        throw new UserError(`deep supervision: ${hidden.length} hidden tensors for ${heads.length} auxiliary heads`);
      }
      hidden.forEach((h, l) => {
        if (h.shape[1] !== hiddenWidths[l]) {
          throw new UserError(`deep supervision: hidden layer ${l + 1} has width ${h.shape[1]}, its head expects ${hiddenWidths[l]}`);
        }
        checkNodeIndices('deep supervision', trainNodes, h.shape[0]);
      });
      return tf.tidy(() => {
        const rows = tf.tensor1d(trainNodes, 'int32');
        const losses = hidden.map((h, l) => {
          // Score only the training rows: the other nodes never enter the loss.
          const logits = matMul(tf.gather(h, rows) as tf.Tensor2D, heads[l].weight).add(heads[l].bias) as tf.Tensor2D;
          return taskLossOnRows(task, logits, labels, trainNodes);
        });
        return tf.addN(losses).div(losses.length);
      });
    },
    dispose() {
      for (const { weight, bias } of heads) {
        weight.dispose();
        bias.dispose();
      }
    },
  };
}
