import { describe, expect, it } from 'vitest';
import { runConfigSchema, type RunConfigInput } from '../../contract/run-config';
import { generateCsbm } from '../datasets/csbm';
import { Rng } from '../random';
import { kernelGraphOps } from '../tensor/graph-ops-kernels';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { trainStudents, type TrainEvent } from './trainer';
import { prepareTrainingData } from './training-data';

useCpuBackend();

const dataset = generateCsbm({ nodes: 300, edges: 1500, classes: 3, features: 12, seed: 5 });

async function losses(input: Partial<RunConfigInput>, reorderFrom?: number) {
  const config = runConfigSchema.parse({ data: dataset.name, hidden: 8, epochs: 3, checkpointEvery: 0, heatmapEvery: 2, evalEvery: 1, ...input });
  const data = prepareTrainingData(dataset, config, new Rng(config.seed).fork('split'), { reorderFrom });
  const events: TrainEvent[] = [];
  try {
    await trainStudents({ config, data, ops: kernelGraphOps, onEvent: (e) => events.push(e) });
    return { events, graph: data.trainBatches[0].graph };
  } finally {
    data.dispose();
  }
}

describe('training in a locality order', () => {
  it.each([
    ['gat', { model: 'gat', layers: 2, heads: 2, dropout: 0 }],
    ['gcn', { model: 'gcn', layers: 2, dropout: 0 }],
  ] as const)('%s: gives the losses, metrics and alignment matrices of the dataset order, up to float reassociation', async (_, config) => {
    const plain = await losses({ ...config, seed: 3 });
    const reordered = await losses({ ...config, seed: 3 }, 0);
    expect(reordered.graph.sources).not.toEqual(plain.graph.sources); // the nodes were renumbered
    expect(reordered.events.length).toBe(plain.events.length);
    reordered.events.forEach((event, i) => {
      const other = plain.events[i];
      if (event.type === 'epoch' && other.type === 'epoch') {
        event.metrics.forEach((s, k) => {
          for (const key of ['taskLoss', 'distillLoss', 'trainMetric', 'valMetric', 'testMetric'] as const) {
            expect(Math.abs((s[key] ?? 0) - (other.metrics[k][key] ?? 0)), `epoch ${event.epoch} student ${k} ${key}`).toBeLessThan(1e-5);
          }
        });
      }
      if (event.type === 'alignment' && other.type === 'alignment') {
        event.matrices.forEach((m, k) => m.data.forEach((v, j) => expect(Math.abs(v - other.matrices[k].data[j]), `epoch ${event.epoch} ${v} vs ${other.matrices[k].data[j]}`).toBeLessThan(1e-6)));
      }
    });
  });

  it('keeps the dataset order when the run draws dropout masks', async () => {
    const plain = await losses({ model: 'gcn', layers: 2, dropout: 0.5 });
    const asked = await losses({ model: 'gcn', layers: 2, dropout: 0.5 }, 0);
    expect(asked.graph.sources).toEqual(plain.graph.sources);
  });
});
