import * as tf from '@tensorflow/tfjs';

/**
 * A copy of `t` made from its values: a fresh tensor that no gradient tape can link back to the
 * variables `t` was computed from (tfjs has no stop-gradient op). The caller owns the copy.
 * On the CPU and WASM backends this is one memcpy, so it suits per-edge or per-node vectors.
 */
export function constantCopy<T extends tf.Tensor>(t: T): T {
  return tf.tensor(t.dataSync(), t.shape, t.dtype) as T;
}
