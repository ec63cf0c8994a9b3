import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import { gcnEdgeWeights, meanEdgeWeights } from '../graph/normalise';

export type EdgeWeightKind = 'gcn' | 'mean';

const COMPUTE: Record<EdgeWeightKind, (graph: CsrGraph) => Float32Array> = {
  gcn: gcnEdgeWeights,
  mean: meanEdgeWeights,
};

interface GraphEntry {
  byKind: Partial<Record<EdgeWeightKind, tf.Tensor1D>>;
  /** the same tensors as a list, handed to the FinalizationRegistry (it must not reference the graph) */
  tensors: tf.Tensor1D[];
}

/**
 * The per-edge normalisation weights of one model as tf tensors, uploaded once per graph (the
 * typed arrays themselves are cached by core/graph/normalise). Looked up through a WeakMap so a
 * graph is never kept alive by the cache; tensors of graphs that were garbage-collected are
 * released by a FinalizationRegistry (inductive training may build a new batch graph per step),
 * and `dispose()` releases the rest with the model.
 */
export class EdgeWeightCache {
  private readonly byGraph = new WeakMap<CsrGraph, GraphEntry>();
  private readonly live = new Set<tf.Tensor1D>();
  private readonly release = new FinalizationRegistry<tf.Tensor1D[]>((tensors) => this.disposeAll(tensors));

  get(graph: CsrGraph, kind: EdgeWeightKind): tf.Tensor1D {
    let entry = this.byGraph.get(graph);
    if (!entry) {
      entry = { byKind: {}, tensors: [] };
      this.byGraph.set(graph, entry);
      this.release.register(graph, entry.tensors);
    }
    let weights = entry.byKind[kind];
    if (!weights) {
      // kept: the first lookup usually happens inside the student's tf.tidy
      weights = tf.keep(tf.tensor1d(COMPUTE[kind](graph)));
      entry.byKind[kind] = weights;
      entry.tensors.push(weights);
      this.live.add(weights);
    }
    return weights;
  }

  dispose(): void {
    this.disposeAll([...this.live]);
  }

  private disposeAll(tensors: tf.Tensor1D[]): void {
    for (const tensor of tensors) {
      tensor.dispose();
      this.live.delete(tensor);
    }
  }
}
