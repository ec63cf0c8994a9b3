import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { matMul } from '../tensor/matmul';
import { project, type LayerInput } from '../tensor/sparse-rows';
import type { EdgeWeightCache } from './edge-weights';
import { glorotMatrix, zerosVariable } from './init';
import type { GraphLayer } from './layer';
import type { SageAggregator } from './types';

/**
 * GraphSAGE (Hamilton et al.) with separate self and neighbour weights:
 *   mean: out_v = W_self x_v + W_neigh · mean_{u→v} x_u + b
 *   pool: out_v = W_self x_v + W_neigh · max_{u→v} ReLU(W_pool x_u + b_pool) + b
 * The neighbourhood is every edge entering v, INCLUDING v's self-loop, which every workbench graph
 * has: an isolated node then aggregates its own features instead of zeros, and the self term keeps
 * its own weight either way. (PyG's SAGEConv aggregates whatever edges it is given; on graphs
 * without self-loops it excludes v.) The pool projection is as wide as the layer's output (DGL
 * uses the input width, too costly on bag-of-words inputs). The mean is linear, so W_neigh is
 * applied before aggregating, on the narrower matrix.
 */
export class SageLayer implements GraphLayer {
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  private readonly weightSelf: tf.Variable;
  private readonly weightNeighbour: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly poolWeight?: tf.Variable;
  private readonly poolBias?: tf.Variable;

  constructor(
    private readonly ops: GraphOps,
    private readonly edgeWeights: EdgeWeightCache,
    private readonly aggregator: SageAggregator,
    inWidth: number,
    outWidth: number,
    rng: Rng,
  ) {
    this.weightSelf = glorotMatrix(rng, inWidth, outWidth);
    const parameters: [string, tf.Variable][] = [['weightSelf', this.weightSelf]];
    if (aggregator === 'pool') {
      this.poolWeight = glorotMatrix(rng, inWidth, outWidth);
      this.poolBias = zerosVariable([outWidth]);
      this.weightNeighbour = glorotMatrix(rng, outWidth, outWidth);
      parameters.push(['poolWeight', this.poolWeight], ['poolBias', this.poolBias]);
    } else {
      this.weightNeighbour = glorotMatrix(rng, inWidth, outWidth);
    }
    this.bias = zerosVariable([outWidth]);
    parameters.push(['weightNeighbour', this.weightNeighbour], ['bias', this.bias]);
    this.parameters = new Map(parameters);
  }

  forward(graph: CsrGraph, x: LayerInput): tf.Tensor2D {
    const self = project(x, this.weightSelf as tf.Tensor2D);
    return tf.add(tf.add(self, this.neighbourTerm(graph, x)), this.bias);
  }

  private neighbourTerm(graph: CsrGraph, x: LayerInput): tf.Tensor2D {
    if (this.aggregator === 'pool') {
      const projected = tf.relu(tf.add(project(x, this.poolWeight! as tf.Tensor2D), this.poolBias!)) as tf.Tensor2D;
      return matMul(this.ops.neighbourMax(graph, projected), this.weightNeighbour as tf.Tensor2D);
    }
    return this.ops.spmm(graph, project(x, this.weightNeighbour as tf.Tensor2D), this.edgeWeights.get(graph, 'mean'));
  }
}
