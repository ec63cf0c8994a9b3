import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { createFeatureTransfer } from './feature-transfer';
import { randomRows, toTensor, type Rows } from './testing/naive';
import { parsePlan } from './plans';

useCpuBackend();

function matMul(a: Rows, b: number[][]): Rows {
  return a.map((row) => b[0].map((_, k) => row.reduce((s, x, j) => s + x * b[j][k], 0)));
}

function naiveMse(s: Rows, t: Rows, nodes: number[]): number {
  let total = 0;
  for (const v of nodes) s[v].forEach((x, k) => (total += (x - t[v][k]) ** 2));
  return total / (nodes.length * s[0].length);
}

function naiveCosineDistance(s: Rows, t: Rows, nodes: number[]): number {
  const norm = (r: number[]) => Math.max(Math.sqrt(r.reduce((a, x) => a + x * x, 0)), 1e-8);
  let total = 0;
  for (const v of nodes) total += 1 - s[v].reduce((a, x, k) => a + x * t[v][k], 0) / (norm(s[v]) * norm(t[v]));
  return total / nodes.length;
}

describe('feature transfer', () => {
  const n = 15;
  const studentWidths = [4, 6, 4];
  const peerWidths = [4, 5, 4];
  const rng = new Rng(17);
  const studentRows = studentWidths.map((w) => randomRows(rng, n, w));
  const peerRows = peerWidths.map((w) => randomRows(rng, n, w));
  const pairs = parsePlan('1<-1,2<-2,3<-2,2<-3').pairs;
  const all = Array.from({ length: n }, (_, v) => v);

  it('learns a linear map only where the widths differ', () => {
    const transfer = createFeatureTransfer(pairs, studentWidths, peerWidths, 'mse', new Rng(1));
    // 2<-2: 6→5, 3<-2: 4→5, 2<-3: 6→4; 1<-1 is 4→4 (identity)
    expect(transfer.variables.map((v) => v.shape)).toEqual([[6, 5], [4, 5], [6, 4]]);
    transfer.dispose();
  });

  for (const distance of ['mse', 'cosine'] as const) {
    it(`${distance}: sums the pair distances through the maps, over all nodes or a subset`, () => {
      const transfer = createFeatureTransfer(pairs, studentWidths, peerWidths, distance, new Rng(1));
      const maps = transfer.variables.map((v) => v.arraySync() as number[][]);
      const naive = distance === 'mse' ? naiveMse : naiveCosineDistance;
      for (const nodes of [undefined, Int32Array.from([0, 4, 14])]) {
        const list = nodes ? Array.from(nodes) : all;
        const value = tf.tidy(() => transfer.loss(studentRows.map(toTensor), peerRows.map(toTensor), nodes).dataSync()[0]);
        const expected =
          naive(studentRows[0], peerRows[0], list) +
          naive(matMul(studentRows[1], maps[0]), peerRows[1], list) +
          naive(matMul(studentRows[2], maps[1]), peerRows[1], list) +
          naive(matMul(studentRows[1], maps[2]), peerRows[2], list);
        expect(value).toBeCloseTo(expected, 4);
      }
      transfer.dispose();
    });

    it(`${distance}: zero for identical features of equal width`, () => {
      const transfer = createFeatureTransfer(parsePlan('1<-1').pairs, [4], [4], distance, new Rng(1));
      const value = tf.tidy(() => transfer.loss([toTensor(studentRows[0])], [toTensor(studentRows[0])]).dataSync()[0]);
      expect(Math.abs(value)).toBeLessThan(1e-6);
      transfer.dispose();
    });
  }

  it('sends gradients to its maps and to the student, none to a peer computed outside the closure', () => {
    const transfer = createFeatureTransfer(pairs, studentWidths, peerWidths, 'cosine', new Rng(1));
    const x = toTensor(randomRows(rng, n, 3));
    const studentW = studentWidths.map((w) => tf.variable(toTensor(randomRows(rng, 3, w)), true));
    const peerW = peerWidths.map((w) => tf.variable(toTensor(randomRows(rng, 3, w)), true));
    const peerHidden = peerW.map((w) => x.matMul(w) as tf.Tensor2D);
    const { value, grads } = tf.variableGrads(
      () => transfer.loss(studentW.map((w) => x.matMul(w) as tf.Tensor2D), peerHidden),
      [...transfer.variables, ...studentW, ...peerW],
    );
    for (const v of [...transfer.variables, ...studentW]) {
      expect(grads[v.name]).toBeDefined();
      expect(tf.abs(grads[v.name]).max().dataSync()[0]).toBeGreaterThan(0);
    }
    for (const v of peerW) expect(grads[v.name]).toBeUndefined();
    tf.dispose([value, grads, x, studentW, peerW, peerHidden]);
    transfer.dispose();
  });

  it('rejects unknown distances and pairs naming missing layers', () => {
    expect(() => createFeatureTransfer(pairs, studentWidths, peerWidths, 'l2' as 'mse', new Rng(1))).toThrow(/unknown distance 'l2'/);
    expect(() => createFeatureTransfer(parsePlan('4<-1').pairs, studentWidths, peerWidths, 'mse', new Rng(1))).toThrow(UserError);
    const transfer = createFeatureTransfer(pairs, studentWidths, peerWidths, 'mse', new Rng(1));
    tf.tidy(() => {
      expect(() => transfer.loss(studentRows.map(toTensor).slice(0, 2), peerRows.map(toTensor))).toThrow(/pair 3<-2 has no hidden tensor/);
    });
    transfer.dispose();
  });

  it('is 0 without pairs', () => {
    const transfer = createFeatureTransfer([], studentWidths, peerWidths, 'mse', new Rng(1));
    expect(transfer.variables).toEqual([]);
    const value = transfer.loss([], []);
    expect(value.dataSync()[0]).toBe(0);
    value.dispose();
  });
});
