import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { GRAPH_OPS_UNDER_TEST } from '../models/testing/fixtures';
import { referenceGraphOps } from '../tensor/graph-ops-native';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { KERNELS_UNDER_TEST as KERNELS, naiveSimilarity, randomRows, toTensor, unevenGraph } from './testing/naive';
import { edgeSimilarity, formatKernel, parseKernel, validateKernel } from './similarity';

useCpuBackend();

describe.each(GRAPH_OPS_UNDER_TEST)('edgeSimilarity with $implementation ops', (ops) => {
  const graph = unevenGraph(3, 30, 6);
  const rows = randomRows(new Rng(4), 30, 5);
  rows[7] = [0, 0, 0, 0, 0]; // a zero row: cosine must stay finite

  it.each(KERNELS)('matches a per-edge float64 computation for %j', (kernel) => {
    const values = tf.tidy(() => edgeSimilarity(ops, graph, toTensor(rows), kernel).arraySync());
    expect(values).toHaveLength(graph.sources.length);
    for (let v = 0; v < graph.numNodes; v++) {
      for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
        const expected = naiveSimilarity(kernel, rows[graph.sources[e]], rows[v]);
        // float32 against float64: relative tolerance
        expect(Math.abs(values[e] - expected)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected)));
      }
    }
  });

  it('cosine of a zero row with anything is 0', () => {
    const values = tf.tidy(() => edgeSimilarity(ops, graph, toTensor(rows), { kind: 'cosine' }).arraySync());
    for (let e = graph.offsets[7]; e < graph.offsets[8]; e++) expect(values[e]).toBe(0);
  });
});

describe('kernel validation and parsing', () => {
  it.each([
    [{ kind: 'l1', tau: 0 }, /tau must be a positive number/],
    [{ kind: 'l1', tau: -3 }, /tau/],
    [{ kind: 'rbf' }, /sigma must be a positive number/],
    [{ kind: 'rbf', sigma: Number.NaN }, /sigma/],
    [{ kind: 'poly', c: 1, degree: 1.5 }, /degree must be a positive integer/],
    [{ kind: 'poly', c: 1, degree: 0 }, /degree/],
    [{ kind: 'poly', degree: 2 }, /c must be a finite number/],
    [{ kind: 'gaussian' }, /unknown kind 'gaussian'/],
    [null, /expected an object/],
  ])('rejects %j', (kernel, message) => {
    expect(() => validateKernel(kernel)).toThrow(UserError);
    expect(() => validateKernel(kernel)).toThrow(message);
  });

  it('fills defaults', () => {
    expect(validateKernel({ kind: 'l1' })).toEqual({ kind: 'l1', tau: 100 });
    expect(validateKernel({ kind: 'cosine' })).toEqual({ kind: 'cosine', eps: 1e-8 });
  });

  it('edgeSimilarity refuses a bad kernel with a UserError', () => {
    const graph = unevenGraph(1, 4, 2);
    expect(() => edgeSimilarity(referenceGraphOps, graph, tf.zeros([4, 2]) as tf.Tensor2D, { kind: 'l1', tau: 0 })).toThrow(UserError);
  });

  it('parses and formats the command-line spelling', () => {
    expect(parseKernel('l1')).toEqual({ kind: 'l1', tau: 100 });
    expect(parseKernel('l1:50')).toEqual({ kind: 'l1', tau: 50 });
    expect(parseKernel('rbf:2')).toEqual({ kind: 'rbf', sigma: 2 });
    expect(parseKernel('poly:1:3')).toEqual({ kind: 'poly', c: 1, degree: 3 });
    expect(parseKernel('cosine').kind).toBe('cosine');
    for (const text of ['l1:50', 'rbf:2', 'poly:1:3', 'linear', 'cosine']) expect(formatKernel(parseKernel(text))).toBe(text);
    expect(() => parseKernel('rbf')).toThrow(/takes 1 parameter/);
    expect(() => parseKernel('l1:x')).toThrow(/'x' is not a number/);
    expect(() => parseKernel('poly:1')).toThrow(/takes 2 parameter/);
    expect(() => parseKernel('dot')).toThrow(/unknown kind 'dot'/);
  });
});
