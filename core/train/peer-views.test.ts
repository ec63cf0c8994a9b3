import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runConfigSchema } from '../../contract/run-config';
import { generateCsbm } from '../datasets/csbm';
import { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { kernelGraphOps } from '../tensor/graph-ops-kernels';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import type { PeerView } from './peer-views';
import { PeerViews } from './peer-views';
import { trainStudents } from './trainer';
import { prepareTrainingData, type GraphBatch } from './training-data';

useCpuBackend();

const batchA = {} as GraphBatch;
const batchB = {} as GraphBatch;
/** views.get inside a tidy scope, as the trainer calls it */
function getInTidy(views: PeerViews, source: number, batch: GraphBatch, compute: () => PeerView): PeerView {
  let view: PeerView | undefined;
  tf.tidy(() => {
    view = views.get(source, batch, compute);
  });
  return view!;
}
const viewOf = (value: number): PeerView => ({ output: { logits: tf.fill([2, 2], value) as tf.Tensor2D, hidden: [tf.fill([2, 3], value) as tf.Tensor2D] }, targets: null });

describe('PeerViews', () => {
  it('computes a reusable view once per source and batch until that source is invalidated', () => {
    const views = new PeerViews(true);
    let computed = 0;
    const get = (source: number, batch: GraphBatch) => getInTidy(views, source, batch, () => viewOf(++computed));
    const first = get(1, batchA);
    expect(get(1, batchA)).toBe(first);
    expect(first.output.logits.isDisposed).toBe(false); // kept past the caller's tidy
    get(1, batchB);
    get(2, batchA);
    expect(computed).toBe(3);
    views.invalidate(2);
    expect(get(1, batchA)).toBe(first);
    views.invalidate(1);
    expect(first.output.logits.isDisposed).toBe(true);
    expect(get(1, batchA)).not.toBe(first);
    expect(computed).toBe(4);
    views.clear();
  });

  it('never reuses a view when peers run in train mode, and frees it at the next invalidation', () => {
    const before = tf.memory().numTensors;
    const views = new PeerViews(false);
    let computed = 0;
    const first = getInTidy(views, 1, batchA, () => viewOf(++computed));
    getInTidy(views, 1, batchA, () => viewOf(++computed));
    expect(computed).toBe(2);
    views.invalidate(0);
    expect(first.output.logits.isDisposed).toBe(true);
    views.clear();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the trainer with K = 3', () => {
  /** spmm calls of a run: every forward pass of a 2-layer GCN makes 3 (2 hidden layers + output). */
  async function spmmCalls(peerMode: 'eval' | 'train'): Promise<number> {
    let calls = 0;
    const counting: GraphOps = { ...kernelGraphOps, spmm: (...args) => (calls++, kernelGraphOps.spmm(...args)) };
    const dataset = generateCsbm({ nodes: 150, edges: 600, classes: 3, features: 8, seed: 4 });
    const config = runConfigSchema.parse({ data: dataset.name, students: 3, hidden: 8, layers: 2, epochs: 2, peerMode, dropout: 0, checkpointEvery: 0, heatmapEvery: 0 });
    const data = prepareTrainingData(dataset, config, new Rng(0).fork('split'));
    try {
      await trainStudents({ config, data, ops: counting });
    } finally {
      data.dispose();
    }
    return calls;
  }

  it('runs one forward per peer update in eval mode instead of one per consumer', async () => {
    const reused = await spmmCalls('eval');
    const fresh = await spmmCalls('train');
    // train mode: 6 peer forwards per epoch. Eval mode: 4 in the first epoch (students 1 and 2 at
    // their initial weights, then 0 and 1 after their updates), then 3 (one per update); 3 spmm each.
    expect(fresh - reused).toBe((2 * 6 - (4 + 3)) * 3);
  });
});
