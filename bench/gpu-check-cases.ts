import * as tf from '@tensorflow/tfjs';
import { runConfigSchema, type RunConfigInput } from '../contract/run-config';
import { loadDataset } from '../core/datasets/load';
import { Rng } from '../core/random';
import { getGraphOps, initBackend } from '../core/tensor/backend';
import { trainStudents, type TrainEvent } from '../core/train/trainer';
import { prepareTrainingData } from '../core/train/training-data';

/**
 * The timed cases of the GPU check. Each runs the full method (2 students, align-ahead, every
 * student taking its step; evaluation, heatmaps and checkpoints off) for a few epochs on the
 * webgpu backend and reports the median epoch (the first, which compiles the kernels, rarely
 * counts) and the GPU memory tfjs allocated (its buffer pool only grows, so the end is the peak).
 */

export interface GpuCase {
  name: string;
  /** what the case stands for, for the report */
  title: string;
  data: string;
  config: Partial<RunConfigInput>;
  epochs: number;
}

/** PPI's shape: 24 graphs, ~57k nodes, ~819k message edges, 50 features, 121 labels (ALGORITHM.md). */
export const PPI_SHAPED = 'ppi-like:24:2373:16150:121';

export function gpuCases(coraPath: string | null): GpuCase[] {
  const gat2 = { model: 'gat', layers: 2, hidden: 64, heads: 3, dropout: 0 } as const;
  return [
    ...(coraPath ? [{ name: 'cora-gcn', title: 'Cora, GCN 2×64, dropout 0.5', data: coraPath, config: { model: 'gcn', layers: 2, hidden: 64, dropout: 0.5 } as const, epochs: 11 }] : []),
    { name: 'csbm10k-gat', title: 'csbm 10k nodes / 100k draws, GAT 2 layers, 3×64', data: 'csbm:10000:100000:5', config: gat2, epochs: 5 },
    { name: 'csbm50k-gat', title: 'csbm 50k nodes / 1M draws, GAT 2 layers, 3×64', data: 'csbm:50000:1000000:5', config: gat2, epochs: 4 },
    {
      name: 'ppi-gat',
      title: 'PPI-shaped (24 graphs, ~57k nodes, ~819k edges), GAT 4 layers, 3×64, residual, batches of 2 graphs',
      data: PPI_SHAPED,
      // the authors' PPI setting (ALGORITHM.md): 4 hidden layers, 3 heads × 64, lr 0.005, no dropout, 2 graphs a batch
      config: { model: 'gat', layers: 4, hidden: 64, heads: 3, residual: true, dropout: 0, lr: 0.005, weightDecay: 0, batchGraphs: 2 },
      epochs: 4,
    },
  ];
}

export interface CaseResult {
  name: string;
  title: string;
  data: string;
  nodes: number;
  edges: number;
  graphs: number;
  students: number;
  epochs: number;
  epochMs: number[];
  /** median epoch, every student's steps */
  epochMsMedian: number;
  /** epochMsMedian / students: the per-student figure the DGL comparison uses */
  studentEpochMs: number;
  /** GPU memory tfjs allocated by the end of the case (bytes) */
  peakGpuBytes: number;
}

/**
 * Runs one case in this process on the webgpu backend. `epochs` overrides the case's own count;
 * `onEpoch` hears each epoch's time as it ends (a case cut short still tells how far it got).
 */
export async function measureCase(gpuCase: GpuCase, epochs = gpuCase.epochs, onEpoch: (ms: number) => void = () => {}): Promise<CaseResult> {
  await initBackend({ prefer: 'webgpu' });
  const dataset = await loadDataset(gpuCase.data);
  const config = runConfigSchema.parse({
    data: gpuCase.data,
    ...gpuCase.config,
    strategy: 'alignahead',
    students: 2,
    epochs,
    evalEvery: 100_000,
    heatmapEvery: 0,
    checkpointEvery: 0,
    backend: 'webgpu',
  });
  const data = prepareTrainingData(dataset, config, new Rng(0).fork('split'));
  const epochMs: number[] = [];
  try {
    const onEvent = (e: TrainEvent) => {
      if (e.type !== 'epoch') return;
      epochMs.push(e.metrics[0].epochMs);
      onEpoch(e.metrics[0].epochMs);
    };
    const outcome = await trainStudents({ config, data, ops: getGraphOps(), onEvent });
    return {
      name: gpuCase.name,
      title: gpuCase.title,
      data: gpuCase.data,
      nodes: dataset.graphs.reduce((sum, g) => sum + g.graph.numNodes, 0),
      edges: dataset.graphs.reduce((sum, g) => sum + g.graph.sources.length, 0),
      graphs: dataset.graphs.length,
      students: config.students,
      epochs: outcome.epochsDone,
      epochMs: epochMs.map((ms) => Math.round(ms)),
      epochMsMedian: Math.round(outcome.epochMsMedian),
      studentEpochMs: Math.round(outcome.epochMsMedian / config.students),
      peakGpuBytes: (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU ?? 0,
    };
  } finally {
    data.dispose();
  }
}
