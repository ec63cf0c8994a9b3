import * as tf from '@tensorflow/tfjs';
import { withCustomGradient } from './custom-gradient';

/**
 * Dense a·b with a hand-written gradient, dA = dy·bᵀ and dB = aᵀ·dy, each computed only when asked
 * for: a constant left operand (the input features of a first layer) gets no N × F product computed
 * for nothing, since the tape never asks for its gradient.
 *
 * tfjs's WASM backend runs MatMul with transposeA/transposeB through a plain loop instead of
 * XNNPACK, about 10× slower, so there the transposed operand is copied first (a cheap transpose,
 * after which the product takes the fast path; Cora-sized aᵀ·dy: 430–1100 ms as a transposed
 * product, 45–150 ms as transpose + product). Every other backend multiplies transposed operands in
 * place (the multicore engine has a dedicated aᵀ·g kernel).
 */
function product(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
}

/** a·b for a [N, K] and b [K, M]. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return withCustomGradient<tf.Tensor2D>([a, b], (_, save) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradients: (dy, [savedA, savedB]) => [
        () => product(dy, savedB as tf.Tensor2D, false, true),
        () => product(savedA as tf.Tensor2D, dy, true, false),
      ],
    };
  });
}
