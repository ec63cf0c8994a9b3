import * as tf from '@tensorflow/tfjs';
import { deviceCopy } from './webgpu/program';

/**
 * A fresh copy of `t` that no gradient tape can link back to what `t` was computed from (tfjs has
 * no stop-gradient op). On CPU and WASM it is made from the values (one memcpy); on WebGPU, whose
 * values cannot be read synchronously, by a copy kernel on the device. The caller owns the copy.
 */
export function detachedCopy<T extends tf.Tensor>(t: T): T {
  if (tf.getBackend() === 'webgpu') return deviceCopy(t);
  return tf.tensor(t.dataSync(), t.shape, t.dtype) as T;
}
