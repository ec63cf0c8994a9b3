import * as tf from '@tensorflow/tfjs';

/**
 * Dense a·b whose gradient never asks the backend for a transposed product. tfjs's WASM backend runs
 * MatMul with transposeA/transposeB through a plain loop instead of XNNPACK, about 10× slower, and
 * tf's own MatMul gradient uses exactly those (dA = dy·bᵀ, dB = aᵀ·dy). An explicit transpose is a
 * cheap copy, after which both products take the fast path. Measured on Cora-sized layers
 * (2708×1433 · 1433×64): aᵀ·dy 430–1100 ms as a transposed product, 45–150 ms as transpose + product.
 */
const fullGradient = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(sb) as tf.Tensor2D),
      tf.matMul(tf.transpose(sa) as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

// For a constant left operand (the input features of a first layer): its gradient would be an
// N × F product computed for nothing, since custom gradients are not pruned by the tape.
const weightGradientOnly = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, [sa]: tf.Tensor[]) => [tf.zerosLike(sa), tf.matMul(tf.transpose(sa) as tf.Tensor2D, dy as tf.Tensor2D)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** a·b for a [N, K] and b [K, M]; pass `constantLeft` when `a` carries no gradient (input features). */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D, options: { constantLeft?: boolean } = {}): tf.Tensor2D {
  return (options.constantLeft ? weightGradientOnly(a, b) : fullGradient(a, b)) as tf.Tensor2D;
}
