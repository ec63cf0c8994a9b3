import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { project, type LayerInput } from '../tensor/sparse-rows';
import type { EdgeWeightCache } from './edge-weights';
import { glorotMatrix, zerosVariable } from './init';
import type { GraphLayer } from './layer';

/**
 * Graph convolution (Kipf & Welling): out = D^-½ (A+I) D^-½ · X W + b, the self-loops being part of
 * the graph. X W comes first because the layer usually narrows (Cora: 1433 → 64), so the sparse
 * product runs on the thin matrix.
 */
export class GcnLayer implements GraphLayer {
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(
    private readonly ops: GraphOps,
    private readonly edgeWeights: EdgeWeightCache,
    inWidth: number,
    outWidth: number,
    rng: Rng,
  ) {
    this.weight = glorotMatrix(rng, inWidth, outWidth);
    this.bias = zerosVariable([outWidth]);
    this.parameters = new Map([
      ['weight', this.weight],
      ['bias', this.bias],
    ]);
  }

  forward(graph: CsrGraph, x: LayerInput): tf.Tensor2D {
    const normalisedAdjacency = this.edgeWeights.get(graph, 'gcn');
    const xw = project(x, this.weight as tf.Tensor2D);
    return tf.add(this.ops.spmm(graph, xw, normalisedAdjacency), this.bias);
  }
}
