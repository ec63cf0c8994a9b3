import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { DeviceFailureError, readValues } from '../readback';
import { webgpuDeviceFailure } from './device';
import { runKernel } from './program';
import { webgpuSkipReason } from './testing/availability';

/**
 * A WebGPU validation error does not throw where it happens: the invalid pipeline and every kernel
 * batched with it silently compute nothing. The device's uncaptured-error event is watched so
 * that the next read-back fails, naming the error, instead of returning stale or zero values.
 * (Its own test file: the failure is sticky for the process, as it must be.)
 */

const skip = await webgpuSkipReason();

beforeAll(async () => {
  if (!skip) await initBackend({ prefer: 'webgpu' });
});

describe.skipIf(skip)('a kernel that fails validation', () => {
  it('makes the next read-back fail with the GPU error', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    expect(Array.from((await readValues([x.add(1)]))[0])).toEqual([2, 3, 4]);
    expect(webgpuDeviceFailure()).toBeNull();
    const broken = runKernel({ key: 'deliberately_invalid', inputs: { x }, outputShape: [3], threads: 3, body: '  result[index] = x[index] + undeclared;' });
    const error = await readValues([broken]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceFailureError);
    expect((error as Error).message).toMatch(/^the GPU reported an error: .*undeclared.*; training stopped/);
    tf.dispose([x, broken]);
  });
});
