/**
 * Test-only float64 references for core/distill, written as the formulas read (explicit loops over
 * nodes and their incoming edges), plus random graphs with uneven in-degrees.
 */
import * as tf from '@tensorflow/tfjs';
import { buildGraph } from '../../graph/build';
import type { CsrGraph } from '../../graph/csr';
import { Rng } from '../../random';
import type { SimilarityKernel } from '../similarity';

export type Rows = number[][];

/** One kernel of each kind (l1 with the default τ and with a given one, poly with c of either sign): what the kernel tests run over. */
export const KERNELS_UNDER_TEST: SimilarityKernel[] = [
  { kind: 'l1' },
  { kind: 'l1', tau: 2 },
  { kind: 'rbf', sigma: 1.5 },
  { kind: 'linear' },
  { kind: 'cosine' },
  { kind: 'poly', c: 1, degree: 2 },
  { kind: 'poly', c: -0.5, degree: 3 },
];

/**
 * A directed graph on n nodes where node v gets about v·maxDegree/n random incoming edges (so
 * in-degrees range from 0 or 1 to maxDegree), with self-loops unless `selfLoops` is false, in
 * which case node 0 has no incoming edge at all.
 */
export function unevenGraph(seed: number, n: number, maxDegree: number, selfLoops = true): CsrGraph {
  const rng = new Rng(seed);
  const src: number[] = [];
  const dst: number[] = [];
  for (let v = selfLoops ? 0 : 1; v < n; v++) {
    const degree = Math.max(selfLoops ? 0 : 1, Math.round((v * maxDegree) / n));
    for (let k = 0; k < degree; k++) {
      src.push(rng.int(n));
      dst.push(v);
    }
  }
  const graph = buildGraph(n, src, dst, { symmetrise: false, selfLoops });
  if (!selfLoops) {
    // keep node 0 without incoming edges (buildGraph keeps input self-loops when selfLoops is false)
    if (graph.offsets[1] !== 0) throw new Error('unevenGraph: node 0 unexpectedly has incoming edges');
  }
  return graph;
}

export function randomRows(rng: Rng, n: number, f: number, scale = 1): Rows {
  return Array.from({ length: n }, () => Array.from({ length: f }, () => rng.normal() * scale));
}

export function flat(rows: Rows): Float32Array {
  return Float32Array.from(rows.flat());
}

export function toTensor(rows: Rows): tf.Tensor2D {
  return tf.tensor2d(flat(rows), [rows.length, rows[0].length]);
}

/** x / max(‖x‖₂, eps), the normalise option's rows */
export function naiveUnit(x: number[], eps = 1e-6): number[] {
  const norm = Math.max(Math.sqrt(x.reduce((s, y) => s + y * y, 0)), eps);
  return x.map((y) => y / norm);
}

export function naiveSimilarity(kernel: SimilarityKernel, rawA: number[], rawB: number[]): number {
  const [a, b] = kernel.normalise ? [naiveUnit(rawA), naiveUnit(rawB)] : [rawA, rawB];
  const dot = () => a.reduce((s, x, i) => s + x * b[i], 0);
  switch (kernel.kind) {
    case 'l1':
      return Math.exp(-a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0) / (kernel.tau ?? 100));
    case 'rbf':
      return Math.exp(-a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0) / (2 * kernel.sigma ** 2));
    case 'linear':
      return dot();
    case 'cosine': {
      const eps = kernel.eps ?? 1e-8;
      const norm = (x: number[]) => Math.max(Math.sqrt(x.reduce((s, y) => s + y * y, 0)), eps);
      return dot() / (norm(a) * norm(b));
    }
    case 'poly':
      return (dot() + kernel.c) ** kernel.degree;
  }
}

/** log LS per edge, by destination: softmax over each node's incoming edges (max-shifted). */
export function naiveLogStructure(graph: CsrGraph, h: Rows, kernel: SimilarityKernel): Float64Array {
  const out = new Float64Array(graph.sources.length);
  for (let v = 0; v < graph.numNodes; v++) {
    const edges: number[] = [];
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) edges.push(e);
    if (edges.length === 0) continue;
    const scores = edges.map((e) => naiveSimilarity(kernel, h[graph.sources[e]], h[v]));
    const max = Math.max(...scores);
    const logSum = max + Math.log(scores.reduce((s, x) => s + Math.exp(x - max), 0));
    edges.forEach((e, k) => (out[e] = scores[k] - logSum));
  }
  return out;
}

/** D(S,T) = mean over nodes (all, or `nodes`) of Σ_{u→v} LS_T (log LS_T − log LS_S). */
export function naiveStructureDistance(graph: CsrGraph, student: Rows, peer: Rows, kernel: SimilarityKernel, nodes?: ArrayLike<number>): number {
  const logS = naiveLogStructure(graph, student, kernel);
  const logT = naiveLogStructure(graph, peer, kernel);
  const list = nodes ? Array.from(nodes) : Array.from({ length: graph.numNodes }, (_, v) => v);
  let total = 0;
  for (const v of list) {
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) total += Math.exp(logT[e]) * (logT[e] - logS[e]);
  }
  return total / list.length;
}

/** Central finite differences of f at x (float64), one partial derivative per entry. */
export function finiteDifferences(f: (x: Rows) => number, x: Rows, step = 1e-5): Rows {
  return x.map((row, i) =>
    row.map((_, j) => {
      const plus = x.map((r) => r.slice());
      const minus = x.map((r) => r.slice());
      plus[i][j] += step;
      minus[i][j] -= step;
      return (f(plus) - f(minus)) / (2 * step);
    }),
  );
}

/** Largest |a − b| relative to the largest |b| (or 1 when b is tiny). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return worst / Math.max(scale, 1e-12);
}

/** Runs `fn` in a tensor scope and returns its plain (non-tensor) result; every tensor made inside is disposed. */
export function inTensorScope<T>(fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}

/** inTensorScope for an async body (tests run one at a time, so no other op joins the scope meanwhile). */
export async function inTensorScopeAsync<T>(fn: () => Promise<T>): Promise<T> {
  tf.engine().startScope();
  try {
    return await fn();
  } finally {
    tf.engine().endScope();
  }
}
