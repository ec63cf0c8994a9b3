import type { CsrGraph } from '../../graph/csr';
import type { StudentConfig } from '../types';

/**
 * Test oracle: the student's math written naively in float64 over a dense adjacency matrix with
 * explicit loops, sharing no code with the layers or the graph ops. Only for tiny graphs.
 */

export type Matrix = number[][];
/** parameter values by public name, as plain float64 arrays (row-major) with their shapes */
export type DenseWeights = Record<string, { shape: number[]; data: ArrayLike<number> }>;

/** adjacency[v][u] = 1 when the graph has the message edge u→v */
export function denseAdjacency(graph: CsrGraph): Matrix {
  const a = zeros(graph.numNodes, graph.numNodes);
  for (let v = 0; v < graph.numNodes; v++) {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) a[v][graph.sources[e]] = 1;
  }
  return a;
}

export function zeros(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

export function matmul(x: Matrix, w: Matrix): Matrix {
  const out = zeros(x.length, w[0].length);
  for (let i = 0; i < x.length; i++) {
    for (let k = 0; k < w.length; k++) {
      for (let j = 0; j < w[0].length; j++) out[i][j] += x[i][k] * w[k][j];
    }
  }
  return out;
}

function addRow(x: Matrix, b: ArrayLike<number>): Matrix {
  return x.map((row) => row.map((value, j) => value + b[j]));
}

function add(x: Matrix, y: Matrix): Matrix {
  return x.map((row, i) => row.map((value, j) => value + y[i][j]));
}

function asMatrix(entry: { shape: number[]; data: ArrayLike<number> }): Matrix {
  const [rows, cols] = entry.shape;
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => entry.data[i * cols + j]));
}

function inDegree(a: Matrix, v: number): number {
  return a[v].reduce((s, x) => s + x, 0);
}

export function gcnDense(a: Matrix, x: Matrix, w: Matrix, b: ArrayLike<number>): Matrix {
  const xw = matmul(x, w);
  const out = zeros(x.length, w[0].length);
  for (let v = 0; v < a.length; v++) {
    for (let u = 0; u < a.length; u++) {
      if (!a[v][u]) continue;
      const norm = 1 / Math.sqrt(inDegree(a, u) * inDegree(a, v));
      for (let j = 0; j < out[v].length; j++) out[v][j] += norm * xw[u][j];
    }
  }
  return addRow(out, b);
}

export interface DenseGatParameters {
  weight: Matrix;
  attentionSource: Matrix; // [H, D]
  attentionTarget: Matrix;
  residual?: Matrix;
  /** absent under the authors' init */
  bias?: ArrayLike<number>;
}

/** One GAT head's output (before merging), [N, D]: Σ_{u→v} α_uv z_u (+ the head's residual slice). */
export function gatDenseHead(a: Matrix, x: Matrix, p: DenseGatParameters, h: number): Matrix {
  const heads = p.attentionSource.length;
  const d = p.attentionSource[0].length;
  if (h < 0 || h >= heads) throw new Error(`gatDenseHead: head ${h} of ${heads}`);
  const single: DenseGatParameters = {
    weight: p.weight.map((row) => row.slice(h * d, (h + 1) * d)),
    attentionSource: [p.attentionSource[h]],
    attentionTarget: [p.attentionTarget[h]],
    residual: p.residual?.map((row) => row.slice(h * d, (h + 1) * d)),
  };
  return gatDense(a, x, single, 'concat');
}

export function gatDense(a: Matrix, x: Matrix, p: DenseGatParameters, merge: 'concat' | 'mean'): Matrix {
  const heads = p.attentionSource.length;
  const d = p.attentionSource[0].length;
  const n = x.length;
  const z = matmul(x, p.weight);
  const res = p.residual ? matmul(x, p.residual) : zeros(n, heads * d);
  const out = zeros(n, merge === 'concat' ? heads * d : d);
  for (let h = 0; h < heads; h++) {
    const dotHead = (u: number, att: number[]) => att.reduce((s, aj, j) => s + aj * z[u][h * d + j], 0);
    for (let v = 0; v < n; v++) {
      const neighbours = a[v].flatMap((edge, u) => (edge ? [u] : []));
      const scores = neighbours.map((u) => {
        const s = dotHead(u, p.attentionSource[h]) + dotHead(v, p.attentionTarget[h]);
        return s > 0 ? s : 0.2 * s;
      });
      const top = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - top));
      const total = exps.reduce((s, e) => s + e, 0);
      for (let j = 0; j < d; j++) {
        let value = res[v][h * d + j];
        neighbours.forEach((u, k) => (value += (exps[k] / total) * z[u][h * d + j]));
        if (merge === 'concat') out[v][h * d + j] = value;
        else out[v][j] += value / heads;
      }
    }
  }
  return p.bias ? addRow(out, p.bias) : out;
}

export interface DenseSageParameters {
  weightSelf: Matrix;
  weightNeighbour: Matrix;
  bias: ArrayLike<number>;
  poolWeight?: Matrix;
  poolBias?: ArrayLike<number>;
}

/** Neighbourhood = every incoming edge, the self-loop included (see SageLayer). */
export function sageDense(a: Matrix, x: Matrix, p: DenseSageParameters, aggregator: 'mean' | 'pool'): Matrix {
  const n = x.length;
  const messages =
    aggregator === 'pool'
      ? addRow(matmul(x, p.poolWeight!), p.poolBias!).map((row) => row.map((value) => Math.max(0, value)))
      : x;
  const width = messages[0].length;
  const aggregated = zeros(n, width);
  for (let v = 0; v < n; v++) {
    const neighbours = a[v].flatMap((edge, u) => (edge ? [u] : []));
    for (let j = 0; j < width; j++) {
      const column = neighbours.map((u) => messages[u][j]);
      aggregated[v][j] =
        neighbours.length === 0 ? 0 : aggregator === 'pool' ? Math.max(...column) : column.reduce((s, c) => s + c, 0) / column.length;
    }
  }
  return addRow(add(matmul(x, p.weightSelf), matmul(aggregated, p.weightNeighbour)), p.bias);
}

/** The whole student in eval mode: hidden layers (outputs recorded before the activation), then the output layer. */
export function studentDense(
  config: StudentConfig,
  graph: CsrGraph,
  features: Matrix,
  weights: DenseWeights,
): { logits: Matrix; hidden: Matrix[] } {
  const a = denseAdjacency(graph);
  const activate = (value: number) => (config.activation === 'relu' ? Math.max(0, value) : value > 0 ? value : Math.expm1(value));
  const layer = (prefix: string, x: Matrix, role: 'hidden' | 'output'): Matrix => {
    const m = (name: string) => asMatrix(weights[`${prefix}.${name}`]);
    const v = (name: string) => weights[`${prefix}.${name}`].data;
    const has = (name: string) => `${prefix}.${name}` in weights;
    switch (config.model) {
      case 'gcn':
        return gcnDense(a, x, m('weight'), v('bias'));
      case 'sage':
        return sageDense(
          a,
          x,
          {
            weightSelf: m('weightSelf'),
            weightNeighbour: m('weightNeighbour'),
            bias: v('bias'),
            poolWeight: has('poolWeight') ? m('poolWeight') : undefined,
            poolBias: has('poolBias') ? v('poolBias') : undefined,
          },
          config.aggregator,
        );
      case 'gat':
        return gatDense(
          a,
          x,
          {
            weight: m('weight'),
            attentionSource: m('attentionSource'),
            attentionTarget: m('attentionTarget'),
            residual: has('residual') ? m('residual') : undefined,
            bias: has('bias') ? v('bias') : undefined,
          },
          role === 'hidden' ? 'concat' : 'mean',
        );
    }
  };
  const hidden: Matrix[] = [];
  let h = features;
  for (let l = 1; l <= config.layers; l++) {
    const z = layer(`hidden${l}`, h, 'hidden');
    hidden.push(z);
    h = z.map((row) => row.map(activate));
  }
  return { logits: layer('output', h, 'output'), hidden };
}
