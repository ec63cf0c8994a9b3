import type { CsrGraph } from '../../graph/csr';

/**
 * The graph ops written the obvious way, in float64 plain JS, over an explicit edge list: the
 * ground truth for the implementations' forward values and (through finite differences) gradients.
 * Matrices are row-major Float64Arrays.
 */

export interface Edge {
  id: number;
  source: number;
  target: number;
}

export function edgeList(graph: CsrGraph): Edge[] {
  const edges: Edge[] = [];
  for (let v = 0; v < graph.numNodes; v++) {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) edges.push({ id: e, source: graph.sources[e], target: v });
  }
  return edges;
}

function incoming(graph: CsrGraph, v: number): Edge[] {
  return edgeList(graph).filter((edge) => edge.target === v);
}

/** weights: null, [E] (heads = 1) or [E, heads] */
export function naiveSpmm(graph: CsrGraph, x: Float64Array, features: number, weights: Float64Array | null, heads: number): Float64Array {
  const out = new Float64Array(graph.numNodes * features);
  const width = features / heads;
  for (const { id, source, target } of edgeList(graph)) {
    for (let f = 0; f < features; f++) {
      const w = weights === null ? 1 : weights[id * heads + Math.floor(f / width)];
      out[target * features + f] += w * x[source * features + f];
    }
  }
  return out;
}

export function naiveEdgeAdd(graph: CsrGraph, src: Float64Array, dst: Float64Array, heads: number): Float64Array {
  const edges = edgeList(graph);
  const out = new Float64Array(edges.length * heads);
  for (const { id, source, target } of edges) {
    for (let h = 0; h < heads; h++) out[id * heads + h] = src[source * heads + h] + dst[target * heads + h];
  }
  return out;
}

export function naiveEdgeDistance(graph: CsrGraph, x: Float64Array, y: Float64Array, features: number, kind: string): Float64Array {
  const edges = edgeList(graph);
  const out = new Float64Array(edges.length);
  for (const { id, source, target } of edges) {
    let total = 0;
    for (let f = 0; f < features; f++) {
      const a = x[source * features + f];
      const b = y[target * features + f];
      total += kind === 'dot' ? a * b : kind === 'l1' ? Math.abs(a - b) : (a - b) ** 2;
    }
    out[id] = total;
  }
  return out;
}

/** Direct exp(s) / Σ exp(s) per destination and head (inputs kept moderate so it does not overflow). */
export function naiveEdgeSoftmax(graph: CsrGraph, scores: Float64Array, heads: number, log: boolean): Float64Array {
  const out = new Float64Array(scores.length);
  for (let v = 0; v < graph.numNodes; v++) {
    const edges = incoming(graph, v);
    for (let h = 0; h < heads; h++) {
      const total = edges.reduce((sum, edge) => sum + Math.exp(scores[edge.id * heads + h]), 0);
      for (const edge of edges) {
        const i = edge.id * heads + h;
        out[i] = log ? scores[i] - Math.log(total) : Math.exp(scores[i]) / total;
      }
    }
  }
  return out;
}

export function naiveSegmentReduce(graph: CsrGraph, values: Float64Array, columns: number, op: string): Float64Array {
  const out = new Float64Array(graph.numNodes * columns);
  for (let v = 0; v < graph.numNodes; v++) {
    const edges = incoming(graph, v);
    if (edges.length === 0) continue;
    for (let c = 0; c < columns; c++) {
      const column = edges.map((edge) => values[edge.id * columns + c]);
      const sum = column.reduce((a, b) => a + b, 0);
      out[v * columns + c] = op === 'max' ? Math.max(...column) : op === 'mean' ? sum / edges.length : sum;
    }
  }
  return out;
}

export function naiveNeighbourMax(graph: CsrGraph, x: Float64Array, features: number): Float64Array {
  const out = new Float64Array(graph.numNodes * features);
  for (let v = 0; v < graph.numNodes; v++) {
    const edges = incoming(graph, v);
    if (edges.length === 0) continue;
    for (let f = 0; f < features; f++) out[v * features + f] = Math.max(...edges.map((edge) => x[edge.source * features + f]));
  }
  return out;
}

/**
 * Central finite differences of L(inputs) = Σ f(inputs) · R with respect to input `which`,
 * in float64 (step h, error O(h²)).
 */
export function finiteDifferenceGradient(
  f: (inputs: Float64Array[]) => Float64Array,
  inputs: Float64Array[],
  which: number,
  weightsR: Float64Array,
  h = 1e-6,
): Float64Array {
  const loss = (values: Float64Array[]) => f(values).reduce((sum, value, i) => sum + value * weightsR[i], 0);
  const gradient = new Float64Array(inputs[which].length);
  for (let i = 0; i < gradient.length; i++) {
    const plus = inputs.map((a) => a.slice());
    const minus = inputs.map((a) => a.slice());
    plus[which][i] += h;
    minus[which][i] -= h;
    gradient[i] = (loss(plus) - loss(minus)) / (2 * h);
  }
  return gradient;
}
