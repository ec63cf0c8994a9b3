import { afterAll, describe, expect, it } from 'vitest';
import { startKernelThreads, stopKernelThreads } from './kernel-threads';
import { bufferScope, buffersRecycled, float32Buffer, shareable, shareableConstant } from './shared-buffers';

describe('shared buffers', () => {
  afterAll(stopKernelThreads);

  it('are plain arrays while no kernel threads run', async () => {
    await stopKernelThreads();
    bufferScope(() => {
      expect(float32Buffer(4).buffer).toBeInstanceOf(ArrayBuffer);
      expect(buffersRecycled()).toBe(false);
    });
  });

  it('are recycled from one scope to the next, and nested scopes join the outer one', async () => {
    await startKernelThreads(2);
    let first: Float32Array | undefined;
    bufferScope(() => {
      first = float32Buffer(8);
      first.fill(7);
      expect(first.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(buffersRecycled()).toBe(true);
      bufferScope(() => expect(float32Buffer(8).buffer).not.toBe(first!.buffer)); // still held by the outer scope
    });
    expect(buffersRecycled()).toBe(false);
    bufferScope(() => {
      const again = [float32Buffer(8), float32Buffer(8)];
      expect(again.map((b) => b.buffer)).toContain(first!.buffer);
      expect(shareable(Float32Array.from([1, 2, 3])).buffer).toBeInstanceOf(SharedArrayBuffer);
    });
  });

  it('never recycles the shared copy of a constant (graph structure)', async () => {
    await startKernelThreads(2);
    const offsets = Int32Array.from([0, 2, 5]);
    let copy: Int32Array | undefined;
    bufferScope(() => {
      copy = shareableConstant(offsets);
    });
    bufferScope(() => {
      float32Buffer(3).fill(9); // same byte length as the copy
      expect(shareableConstant(offsets)).toBe(copy);
    });
    expect([...copy!]).toEqual([0, 2, 5]);
  });
});
