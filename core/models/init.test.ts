import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { GatLayer } from './gat-layer';
import { glorotUniform, xavierNormal } from './init';
import { GRAPH_OPS_UNDER_TEST } from './testing/fixtures';

useCpuBackend();

/** Mean, variance and kurtosis (E[(x−μ)⁴]/σ⁴: 3 for a normal, 1.8 for a uniform) in float64. */
function moments(values: ArrayLike<number>): { mean: number; variance: number; kurtosis: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    m2 += (d * d) / n;
    m4 += (d * d * d * d) / n;
  }
  return { mean, variance: m2, kurtosis: m4 / (m2 * m2) };
}

// Sample statistics of 10⁵ draws: the variance's relative standard error is √(2/n) ≈ 0.45%, the
// kurtosis's √(24/n) ≈ 0.016 (normal). Bounds at about 4–6 standard errors: a wrong gain (×2 in
// variance), a wrong fan or a uniform law fails them, sampling noise does not.
const DRAWS = 100_000;

function expectNormal(values: ArrayLike<number>, variance: number): void {
  expect(values.length).toBe(DRAWS);
  const m = moments(values);
  expect(Math.abs(m.mean)).toBeLessThan(5 * Math.sqrt(variance / DRAWS));
  expect(m.variance / variance).toBeGreaterThan(0.975);
  expect(m.variance / variance).toBeLessThan(1.025);
  expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.1);
}

describe('xavierNormal', () => {
  it('draws N(0, gain²·2/(fanIn+fanOut)) over 10⁵ draws, deterministically per seed', () => {
    const [fanIn, fanOut] = [200, 500];
    const w = xavierNormal(new Rng(1), [fanIn, fanOut], fanIn, fanOut, Math.SQRT2);
    expectNormal(w.dataSync(), (2 * 2) / (fanIn + fanOut));
    const again = xavierNormal(new Rng(1), [fanIn, fanOut], fanIn, fanOut, Math.SQRT2);
    expect(again.dataSync()).toEqual(w.dataSync());
    tf.dispose([w, again]);
  });

  it('differs from the Glorot-uniform default in law, not only in scale', () => {
    const w = glorotUniform(new Rng(1), [200, 500], 200, 500);
    const m = moments(w.dataSync());
    expect(m.variance / (2 / 700)).toBeCloseTo(1, 1);
    expect(Math.abs(m.kurtosis - 1.8)).toBeLessThan(0.05);
    w.dispose();
  });
});

describe("GAT layer with the authors' init (DGL GATConv: Xavier-normal, gain √2, no bias)", () => {
  // in 1 → 10 heads × 10⁴: weight and residual [1, 10⁵], attention vectors [10, 10⁴], 10⁵ draws each
  const shape = { inWidth: 1, heads: 10, headWidth: 10_000, mergeHeads: 'concat', residual: true, attentionDropout: 0 } as const;
  const [ops] = GRAPH_OPS_UNDER_TEST;

  it('draws every weight from N(0, 2·2/(fanIn+fanOut)) with torch fans, and has no bias', () => {
    const layer = new GatLayer(ops, { ...shape, init: 'authors' }, new Rng(3));
    const p = layer.parameters;
    expect([...p.keys()]).toEqual(['weight', 'attentionSource', 'attentionTarget', 'residual']);
    const width = shape.heads * shape.headWidth;
    expectNormal(p.get('weight')!.dataSync(), 4 / (shape.inWidth + width));
    expectNormal(p.get('residual')!.dataSync(), 4 / (shape.inWidth + width));
    // torch's fans of a (1, H, D) tensor: fanIn = H·D, fanOut = D
    expectNormal(p.get('attentionSource')!.dataSync(), 4 / (width + shape.headWidth));
    expectNormal(p.get('attentionTarget')!.dataSync(), 4 / (width + shape.headWidth));
    tf.dispose([...p.values()]);
  });

  it('keeps the Glorot-uniform default with a zero bias', () => {
    const layer = new GatLayer(ops, shape, new Rng(3));
    const p = layer.parameters;
    expect([...p.keys()]).toEqual(['weight', 'attentionSource', 'attentionTarget', 'residual', 'bias']);
    expect(moments(p.get('weight')!.dataSync()).kurtosis).toBeLessThan(2);
    expect(p.get('bias')!.dataSync().every((b) => b === 0)).toBe(true);
    tf.dispose([...p.values()]);
  });
});
