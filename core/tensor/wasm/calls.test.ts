import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../random';
import { startKernelThreads, stopKernelThreads } from '../parallel/kernel-threads';
import { expectClose } from '../testing/cases';
import { arenaUsage } from './arena';
import { matMul, matMulTransposedA } from './calls';

function randomMatrix(rng: Rng, rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, () => rng.normal());
}

/** float64 reference: out[i][j] = Σ_p a[i][p] b[p][j], a read transposed when `transposeA` */
function naiveProduct(a: Float32Array, b: Float32Array, n: number, k: number, m: number, transposeA: boolean): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += (transposeA ? a[p * n + i] : a[i * k + p]) * b[p * m + j];
      out[i * m + j] = sum;
    }
  }
  return out;
}

// shapes with every remainder the tiles have to handle: rows mod 4, columns mod 12 and mod 4, inner 0
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [5, 3, 7],
  [13, 17, 12],
  [9, 130, 5],
  [33, 8, 24],
  [6, 300, 26],
  [4, 0, 3],
];

describe('SIMD dense products', () => {
  afterAll(stopKernelThreads);

  it.each(SHAPES)('a [%i × %i] · b [· × %i] matches the float64 product', (n, k, m) => {
    const rng = new Rng(n * 1000 + k * 10 + m);
    const a = randomMatrix(rng, n, k);
    const b = randomMatrix(rng, k, m);
    const out = new Float32Array(n * m).fill(NaN);
    matMul(a, n, k, b, m, out);
    expectClose(out, naiveProduct(a, b, n, k, m, false), 1e-5, 'a·b');
  });

  it.each(SHAPES)('aᵀ · g for aᵀ [%i × %i] and g [· × %i] matches the float64 product', (n, k, m) => {
    const rng = new Rng(n * 1000 + k * 10 + m + 1);
    const a = randomMatrix(rng, k, n); // stored [k × n]: the product runs over its k rows
    const g = randomMatrix(rng, k, m);
    const out = new Float32Array(n * m).fill(NaN);
    matMulTransposedA(a, k, n, g, m, out);
    expectClose(out, naiveProduct(a, g, n, k, m, true), 1e-5, 'aᵀ·g');
  });

  it('gives bit-identical products on several threads, and returns its working memory', async () => {
    const rng = new Rng(7);
    const [n, k, m] = [301, 70, 30];
    const a = randomMatrix(rng, n, k);
    const b = randomMatrix(rng, k, m);
    const g = randomMatrix(rng, n, m);
    await stopKernelThreads();
    const single = [new Float32Array(n * m), new Float32Array(k * m)];
    matMul(a, n, k, b, m, single[0]);
    matMulTransposedA(a, n, k, g, m, single[1]);
    const before = arenaUsage().liveBytes;
    await startKernelThreads(3, { minWork: 0 });
    const threaded = [new Float32Array(n * m), new Float32Array(k * m)];
    matMul(a, n, k, b, m, threaded[0]);
    matMulTransposedA(a, n, k, g, m, threaded[1]);
    expect(Buffer.from(threaded[0].buffer).equals(Buffer.from(single[0].buffer))).toBe(true);
    expect(Buffer.from(threaded[1].buffer).equals(Buffer.from(single[1].buffer))).toBe(true);
    expect(arenaUsage().liveBytes).toBe(before);
  });
});
