import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { initBackend } from './backend';
import { expectClose } from './testing/cases';

function naiveSegmentSum(values: number[], ids: number[], rowLength: number, numSegments: number): number[] {
  const out = new Array<number>(numSegments * rowLength).fill(0);
  ids.forEach((segment, row) => {
    if (segment < 0 || segment >= numSegments) return;
    for (let k = 0; k < rowLength; k++) out[segment * rowLength + k] += values[row * rowLength + k];
  });
  return out;
}

describe.each(['cpu', 'wasm'] as const)('UnsortedSegmentSum on %s', (backend) => {
  it('sums rows into segments, dropping out-of-range ids, for any row shape', async () => {
    await initBackend({ prefer: backend });
    const rng = new Rng(5);
    const ids = [3, 0, 3, -1, 7, 1, 3, 4];
    const values = Array.from({ length: ids.length * 6 }, () => Math.fround(rng.normal()));
    const out = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor3d(values, [ids.length, 2, 3]), tf.tensor1d(ids, 'int32'), 5));
    expect(out.shape).toEqual([5, 2, 3]);
    expectClose(out.dataSync(), naiveSegmentSum(values, ids, 6, 5), 1e-6, 'segment sums');
    out.dispose();
  });

  it('keeps int32 values int32 and handles no rows at all', async () => {
    await initBackend({ prefer: backend });
    const ints = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 3));
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual([3, 3, 0]);
    const empty = tf.tidy(() => tf.unsortedSegmentSum(tf.zeros([0, 4]), tf.tensor1d([], 'int32'), 2));
    expect(empty.shape).toEqual([2, 4]);
    expect(Array.from(empty.dataSync())).toEqual(new Array(8).fill(0));
    tf.dispose([ints, empty]);
  });

  it('gives tf.gather its gradient', async () => {
    await initBackend({ prefer: backend });
    const gradient = tf.tidy(() => {
      const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
      return tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d([2, 0, 2], 'int32')).sum())(x).arraySync();
    });
    expect(gradient).toEqual([[1, 1], [0, 0], [2, 2]]);
  });
});
