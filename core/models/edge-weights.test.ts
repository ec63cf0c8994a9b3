import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gcnEdgeWeights, meanEdgeWeights } from '../graph/normalise';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { EdgeWeightCache } from './edge-weights';
import { smallDirectedGraph, smallSymmetricGraph } from './testing/fixtures';

useCpuBackend();

describe('EdgeWeightCache', () => {
  it('uploads each kind once per graph and releases everything on dispose', () => {
    const before = tf.memory().numTensors;
    const cache = new EdgeWeightCache();
    const [g1, g2] = [smallSymmetricGraph(), smallDirectedGraph()];
    const gcn = cache.get(g1, 'gcn');
    // created inside a tidy, as in a forward pass, and still alive after it
    tf.tidy(() => cache.get(g1, 'mean'));
    expect(cache.get(g1, 'gcn')).toBe(gcn);
    expect(cache.get(g2, 'gcn')).not.toBe(gcn);
    expect(Array.from(gcn.dataSync())).toEqual(Array.from(gcnEdgeWeights(g1)));
    expect(Array.from(cache.get(g1, 'mean').dataSync())).toEqual(Array.from(meanEdgeWeights(g1)));
    expect(tf.memory().numTensors).toBe(before + 3);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
