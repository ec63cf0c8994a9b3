import * as tf from '@tensorflow/tfjs';
import { beforeAll } from 'vitest';

/**
 * Runs a test file on tfjs's plain CPU backend (registered by importing @tensorflow/tfjs): the
 * float32 reference the graph kernels and the WASM backend are checked against.
 */
export function useCpuBackend(): void {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
}
