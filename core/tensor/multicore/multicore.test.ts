import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../random';
import { initBackend } from '../backend';
import { splitKernelCalls, startKernelThreads, stopKernelThreads } from '../parallel/kernel-threads';
import { expectClose } from '../testing/cases';
import { storageOf } from './backend';
import { isPooled, poolUsage } from './pool';

function random(rng: Rng, shape: number[]): Float32Array {
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

/** Runs `f` on fresh tensors of `arrays` on one backend; returns the result's values and shape. */
async function on(backend: 'cpu' | 'multicore', arrays: [Float32Array, number[]][], f: (...xs: tf.Tensor[]) => tf.Tensor) {
  await initBackend({ prefer: backend });
  return tf.tidy(() => {
    const result = f(...arrays.map(([values, shape]) => tf.tensor(values, shape)));
    return { values: Float32Array.from(result.dataSync() as Float32Array), shape: result.shape };
  });
}

const BROADCASTS: [string, number[], number[]][] = [
  ['same shape', [5, 7], [5, 7]],
  ['row vector', [5, 7], [7]],
  ['row vector first', [7], [5, 7]],
  ['[1, 7] row', [5, 7], [1, 7]],
  ['scalar', [5, 7], []],
  ['scalar first', [], [5, 7]],
  ['trailing block', [2, 3, 4], [3, 4]],
  ['column (CPU kernel)', [5, 7], [5, 1]],
];

const BINARY: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ['add', tf.add],
  ['sub', tf.sub],
  ['mul', tf.mul],
  ['div', tf.div],
];

describe('the multicore backend', () => {
  const rng = new Rng(31);

  beforeAll(async () => {
    await initBackend({ prefer: 'multicore' });
  });
  afterAll(stopKernelThreads);

  describe.each(BINARY)('%s', (_, op) => {
    it.each(BROADCASTS)('gives the CPU backend’s values exactly: %s', async (__, aShape, bShape) => {
      const inputs: [Float32Array, number[]][] = [
        [random(rng, aShape), aShape],
        [random(rng, bShape).map((v) => v + 3), bShape],
      ];
      const cpu = await on('cpu', inputs, op);
      const multicore = await on('multicore', inputs, op);
      expect(multicore.shape).toEqual(cpu.shape);
      expect(Array.from(multicore.values)).toEqual(Array.from(cpu.values));
    });
  });

  const UNARY: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ['exp', tf.exp],
    ['log of |x|', (x) => tf.log(tf.abs(x))],
    ['neg', tf.neg],
    ['sqrt of |x|', (x) => tf.sqrt(tf.abs(x))],
    ['square', tf.square],
    ['relu', tf.relu],
    ['elu', tf.elu],
    ['leakyRelu', (x) => tf.leakyRelu(x, 0.2)],
    ['elu gradient', (x) => tf.grad((y: tf.Tensor) => tf.elu(y).mul(y).sum())(x)],
    ['sum of everything', (x) => tf.sum(x)],
    ['sum over rows', (x) => tf.sum(x, 0)],
    ['sum over columns, kept', (x) => tf.sum(x, 1, true)],
    ['sum over the two leading axes', (x) => tf.sum(x.reshape([3, 2, 20]), [0, 1])],
    ['sum over the middle axis (CPU kernel)', (x) => tf.sum(x.reshape([3, 2, 20]), 1)],
    ['transpose', (x) => tf.transpose(x)],
    ['split into columns', (x) => tf.concat(tf.split(x, [3, 7, 10], 1).reverse(), 1)],
    ['split into rows', (x) => tf.concat(tf.split(x, 2, 0), 1)],
  ];

  it.each(UNARY)('%s: gives the CPU backend’s values exactly', async (_, op) => {
    const inputs: [Float32Array, number[]][] = [[random(rng, [6, 20]), [6, 20]]];
    const cpu = await on('cpu', inputs, op);
    const multicore = await on('multicore', inputs, op);
    expect(multicore.shape).toEqual(cpu.shape);
    expect(Array.from(multicore.values)).toEqual(Array.from(cpu.values));
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('multiplies matrices like the CPU backend (transposeA %s, transposeB %s), batched too', async (transposeA, transposeB) => {
    const [n, k, m] = [9, 13, 6];
    const aShape = transposeA ? [2, k, n] : [2, n, k];
    const bShape = transposeB ? [2, m, k] : [2, k, m];
    const inputs: [Float32Array, number[]][] = [
      [random(rng, aShape), aShape],
      [random(rng, bShape), bShape],
    ];
    const product = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, transposeA, transposeB);
    const cpu = await on('cpu', inputs, product);
    const multicore = await on('multicore', inputs, product);
    expect(multicore.shape).toEqual([2, n, m]);
    expectClose(multicore.values, cpu.values, 1e-5, 'product');
  });

  it('splits element-wise ops across kernel threads with the same results, broadcast periods cut anywhere', async () => {
    const shapes: [number[], number[]][] = [
      [[80, 70], [70]],
      [[70], [80, 70]],
      [[80, 70], []],
      [[80, 70], [80, 70]],
    ];
    const inputs = shapes.map(([a, b]) => [[random(rng, a), a], [random(rng, b).map((v) => v + 3), b]] as [Float32Array, number[]][]);
    // neg(neg(·)) moves a large input into pooled shared storage, where threads can read it
    const chain = (a0: tf.Tensor, b0: tf.Tensor) => {
      const [a, b] = [tf.neg(tf.neg(a0)), tf.neg(tf.neg(b0))];
      return tf.elu(tf.div(tf.sub(tf.mul(tf.add(a, b), b), a), b));
    };
    const run = () => Promise.all(inputs.map((pair) => on('multicore', pair, chain)));
    await stopKernelThreads();
    const single = await run();
    await startKernelThreads(3, { minWork: 0 });
    const before = splitKernelCalls();
    const threaded = await run();
    expect(splitKernelCalls() - before).toBeGreaterThanOrEqual(5 * inputs.length);
    threaded.forEach((t, i) => expect(Array.from(t.values)).toEqual(Array.from(single[i].values)));
    await startKernelThreads();
  });

  it('keeps large results in pooled storage, recycled when the tensor is disposed', async () => {
    await initBackend({ prefer: 'multicore' });
    const x = tf.tensor(random(rng, [100, 100]), [100, 100]);
    const y = tf.exp(x);
    const storage = storageOf(y) as Float32Array;
    expect(isPooled(storage)).toBe(true);
    const live = poolUsage().liveBytes;
    y.dispose();
    expect(poolUsage().liveBytes).toBe(live - 40_000);
    // the next result of that size reuses the buffer
    const z = tf.exp(x);
    expect((storageOf(z) as Float32Array).buffer).toBe(storage.buffer);
    tf.dispose([x, z]);
  });

  it('hands dataSync callers a copy of pooled storage, which a later tensor cannot overwrite', async () => {
    await initBackend({ prefer: 'multicore' });
    const x = tf.tensor(random(rng, [100, 100]), [100, 100]);
    const y = tf.neg(x);
    const values = y.dataSync();
    const expected = Array.from(values);
    expect(values.buffer).not.toBe((storageOf(y) as Float32Array).buffer);
    y.dispose();
    const z = tf.exp(x);
    expect(Array.from(values)).toEqual(expected);
    tf.dispose([x, z]);
  });

  it('copies an output that would share a pooled buffer with another tensor (a contiguous slice)', async () => {
    await initBackend({ prefer: 'multicore' });
    const x = tf.tensor(random(rng, [100, 100]), [100, 100]);
    const y = tf.neg(x);
    const rows = tf.slice(y, [10, 0], [20, 100]);
    const expected = Array.from(rows.dataSync());
    y.dispose();
    const reuse = tf.exp(x); // takes y's recycled buffer
    expect(Array.from(rows.dataSync())).toEqual(expected);
    tf.dispose([x, rows, reuse]);
  });
});
