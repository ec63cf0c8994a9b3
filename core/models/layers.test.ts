import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { CsrGraph } from '../graph/csr';
import { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { EdgeWeightCache } from './edge-weights';
import { GatLayer } from './gat-layer';
import { GcnLayer } from './gcn-layer';
import type { GraphLayer } from './layer';
import { SageLayer } from './sage-layer';
import { denseAdjacency, gatDense, gcnDense, sageDense, type Matrix } from './testing/dense-reference';
import {
  GRAPH_OPS_UNDER_TEST,
  maxRelativeError,
  randomiseVariables,
  randomMatrix,
  smallDirectedGraph,
  smallSymmetricGraph,
  toMatrix,
  variableValues,
} from './testing/fixtures';

useCpuBackend();

const GRAPHS: [string, () => CsrGraph][] = [
  ['symmetric graph', smallSymmetricGraph],
  ['directed graph', smallDirectedGraph],
];

/** Randomises the layer, runs it in eval mode and returns its output next to the parameters' values. */
function runLayer(layer: GraphLayer, graph: CsrGraph, x: Matrix, seed: number) {
  randomiseVariables(layer.parameters.values(), new Rng(seed));
  const input = tf.tensor2d(x);
  const output = layer.forward(graph, input, { training: false, rng: new Rng(0) });
  const result = { actual: toMatrix(output), p: variableValues(layer.parameters) };
  tf.dispose([input, output]);
  return result;
}

describe.each(GRAPH_OPS_UNDER_TEST.map((ops) => [ops.implementation, ops] as [string, GraphOps]))(
  'layers on %s graph ops match the dense float64 reference',
  (_name, ops) => {
    describe.each(GRAPHS)('on a %s', (_graphName, makeGraph) => {
      const graph = makeGraph();
      const a = denseAdjacency(graph);
      const x = randomMatrix(new Rng(11), graph.numNodes, 5);

      it('GCN: D^-½ (A+I) D^-½ X W + b', () => {
        const cache = new EdgeWeightCache();
        const layer = new GcnLayer(ops, cache, 5, 4, new Rng(1));
        const { actual, p } = runLayer(layer, graph, x, 2);
        expect(maxRelativeError(actual, gcnDense(a, x, p.weight as Matrix, p.bias as number[]))).toBeLessThan(1e-5);
        cache.dispose();
      });

      it.each(['mean', 'pool'] as const)('SAGE %s: W_self x_v + W_neigh agg_u(·) + b', (aggregator) => {
        const cache = new EdgeWeightCache();
        const layer = new SageLayer(ops, cache, aggregator, 5, 3, new Rng(3));
        const { actual, p } = runLayer(layer, graph, x, 4);
        const expected = sageDense(
          a,
          x,
          {
            weightSelf: p.weightSelf as Matrix,
            weightNeighbour: p.weightNeighbour as Matrix,
            bias: p.bias as number[],
            poolWeight: p.poolWeight as Matrix | undefined,
            poolBias: p.poolBias as number[] | undefined,
          },
          aggregator,
        );
        expect(maxRelativeError(actual, expected)).toBeLessThan(1e-5);
        cache.dispose();
      });

      it.each([
        ['concat', true],
        ['concat', false],
        ['mean', true],
      ] as const)('GAT, heads merged by %s, residual %s', (mergeHeads, residual) => {
        const heads = 3;
        const layer = new GatLayer(
          ops,
          { inWidth: 5, heads, headWidth: 2, mergeHeads, residual, attentionDropout: 0.5 },
          new Rng(5),
        );
        const { actual, p } = runLayer(layer, graph, x, 6);
        expect(actual[0]).toHaveLength(mergeHeads === 'concat' ? heads * 2 : 2);
        const expected = gatDense(
          a,
          x,
          {
            weight: p.weight as Matrix,
            attentionSource: p.attentionSource as Matrix,
            attentionTarget: p.attentionTarget as Matrix,
            residual: p.residual as Matrix | undefined,
            bias: p.bias as number[],
          },
          mergeHeads,
        );
        expect(maxRelativeError(actual, expected)).toBeLessThan(1e-5);
        tf.dispose([...layer.parameters.values()]);
      });
    });
  },
);

describe('GAT attention dropout', () => {
  it('applies only in training mode and changes the output', () => {
    const [ops] = GRAPH_OPS_UNDER_TEST;
    const graph = smallSymmetricGraph();
    const layer = new GatLayer(
      ops,
      { inWidth: 4, heads: 2, headWidth: 3, mergeHeads: 'concat', residual: false, attentionDropout: 0.5 },
      new Rng(7),
    );
    const x = tf.tensor2d(randomMatrix(new Rng(8), graph.numNodes, 4));
    const evalA = toMatrix(layer.forward(graph, x, { training: false, rng: new Rng(1) }));
    const evalB = toMatrix(layer.forward(graph, x, { training: false, rng: new Rng(2) }));
    const trainA = toMatrix(layer.forward(graph, x, { training: true, rng: new Rng(1) }));
    const trainAgain = toMatrix(layer.forward(graph, x, { training: true, rng: new Rng(1) }));
    expect(evalB).toEqual(evalA);
    expect(trainAgain).toEqual(trainA);
    expect(maxRelativeError(trainA, evalA)).toBeGreaterThan(1e-3);
  });
});
