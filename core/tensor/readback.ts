import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { webgpuDeviceFailure } from './webgpu/device';

/**
 * Reading tensor values back to JS. Training reads at epoch boundaries only (losses, metrics,
 * heatmaps, checkpoints) and always asynchronously: WebGPU in Node has no synchronous read
 * (dataSync throws there), and an async read lets the device run ahead of the loop. On the CPU and
 * WASM backends data() gives the very values dataSync does.
 */

/**
 * A failed GPU device: whatever it computed since cannot be trusted, so the run stops here. Shown
 * like a UserError (one line, no stack): it is the machine's state, not a bug.
 */
export class DeviceFailureError extends UserError {
  constructor(failure: string, options?: { cause?: unknown }) {
    super(`${failure}; training stopped (the run's last checkpoint can be resumed, on any backend)`, options);
    this.name = 'DeviceFailureError';
  }
}

function checkDevice(cause?: unknown): void {
  // only values computed on the GPU are suspect (a run may resume on the CPU after a loss)
  const failure = tf.getBackend() === 'webgpu' ? webgpuDeviceFailure() : null;
  if (failure) throw new DeviceFailureError(failure, { cause });
}

/** The values of each tensor, read together; a lost or failed GPU device is an error naming why. */
export async function readValues(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  let values: Float32Array[];
  try {
    values = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  } catch (error) {
    checkDevice(error);
    throw error;
  }
  checkDevice();
  return values;
}

/** readValues, then disposes the tensors (kept scalars of a training step, an evaluation's logits). */
export async function readAndDispose(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  try {
    return await readValues(tensors);
  } finally {
    for (const t of tensors) t.dispose();
  }
}
