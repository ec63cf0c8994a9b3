import type * as tf from '@tensorflow/tfjs';
import { detachedCopy } from '../tensor/detach';

/**
 * A copy of `t` made from its values: a fresh tensor that no gradient tape can link back to the
 * variables `t` was computed from (tfjs has no stop-gradient op). The caller owns the copy.
 * On the CPU and WASM backends this is one memcpy, so it suits per-edge or per-node vectors; on
 * WebGPU a copy on the device (see detachedCopy).
 */
export function constantCopy<T extends tf.Tensor>(t: T): T {
  return detachedCopy(t);
}
