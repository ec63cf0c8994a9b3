import type { Adjacency } from '../kernels/adjacency';
import { runRange, runRows } from '../parallel/kernel-threads';
import { residentInt32, withScratch } from './arena';

/**
 * The SIMD kernels as functions of JS arrays: each call copies its operands into the kernels'
 * memory, runs the kernel over all rows (split across the kernel threads when the work is large),
 * and copies the result into `out`, which it writes in full. Graph structure is resident.
 */

export type DistanceKind = 'dot' | 'l1' | 'sqeuclidean';
const DISTANCE_CODE: Record<DistanceKind, number> = { dot: 0, l1: 1, sqeuclidean: 2 };

const roundUp4 = (n: number) => (n + 3) & ~3;

/** out [rows × cols] = a [rows × inner] · b [inner × cols]. */
export function matMul(a: Float32Array, rows: number, inner: number, b: Float32Array, cols: number, out: Float32Array): void {
  const cols4 = roundUp4(cols);
  withScratch((scratch) => {
    const pa = scratch.input(a);
    const pb = scratch.paddedInput(b, inner, cols, cols4);
    const pc = scratch.output(rows * cols4);
    runRange('wasm', rows, 4, rows * inner * cols4, ['gemm_nn', [pa, inner, pb, cols4, pc, inner]]);
    scratch.readPadded(pc, rows, cols, cols4, out);
  });
}

/** out [cols × gCols] = aᵀ · g for a [rows × cols] and g [rows × gCols]: a product over the long side. */
export function matMulTransposedA(a: Float32Array, rows: number, cols: number, g: Float32Array, gCols: number, out: Float32Array): void {
  const cols4 = roundUp4(cols);
  const gCols4 = roundUp4(gCols);
  withScratch((scratch) => {
    const pa = scratch.paddedInput(a, rows, cols, cols4);
    const pg = scratch.paddedInput(g, rows, gCols, gCols4);
    const pc = scratch.output(cols4 * gCols4);
    runRange('wasm', cols4, 4, rows * cols4 * gCols4, ['gemm_tn', [pa, cols4, pg, gCols4, pc, rows]]);
    scratch.readPadded(pc, cols, gCols, gCols4, out);
  });
}

function residentAdjacency(adjacency: Adjacency): [number, number, number] {
  const { offsets, neighbours, edgeIds } = adjacency;
  return [residentInt32(offsets), residentInt32(neighbours), edgeIds === null ? 0 : residentInt32(edgeIds)];
}

/**
 * out[r] = Σ_slots w · x[neighbour] over the view's rows (SpMM by destination, its gradient wrt x
 * by source). weights: null (ones), [E] (heads 1) or [E, heads] scaling each head's columns.
 */
export function aggregateRows(adjacency: Adjacency, x: Float32Array, features: number, weights: Float32Array | null, heads: number, out: Float32Array): void {
  const edges = adjacency.neighbours.length;
  withScratch((scratch) => {
    const [offsets, neighbours, edgeIds] = residentAdjacency(adjacency);
    const px = scratch.input(x);
    const pw = weights ? scratch.input(weights) : 0;
    const po = scratch.output(out.length);
    runRows('wasm', adjacency.offsets, edges * features, ['aggregate_rows', [offsets, neighbours, edgeIds, px, features, pw, heads, po]]);
    scratch.read(po, out);
  });
}

/** out[e, h] = Σ_{f in head h} byDestination[v, f] · bySource[u, f] for e = u→v (SpMM's weight gradient). */
export function edgeHeadDots(
  offsets: Int32Array,
  sources: Int32Array,
  byDestination: Float32Array,
  bySource: Float32Array,
  features: number,
  heads: number,
  out: Float32Array,
): void {
  withScratch((scratch) => {
    const pd = scratch.input(byDestination);
    const ps = bySource === byDestination ? pd : scratch.input(bySource);
    const po = scratch.output(out.length);
    runRows('wasm', offsets, sources.length * features, ['edge_head_dots', [residentInt32(offsets), residentInt32(sources), pd, ps, features, heads, po]]);
    scratch.read(po, out);
  });
}

/** out[e] = kind(x[u], y[v]) for e = u→v; with `rowEnds`, row v stops at rowEnds[v] and out's later entries are undefined. */
export function edgeDistance(
  offsets: Int32Array,
  sources: Int32Array,
  x: Float32Array,
  y: Float32Array,
  features: number,
  kind: DistanceKind,
  out: Float32Array,
  rowEnds: Int32Array | null,
): void {
  withScratch((scratch) => {
    const px = scratch.input(x);
    const py = y === x ? px : scratch.input(y);
    const po = scratch.output(out.length);
    const ends = rowEnds === null ? 0 : residentInt32(rowEnds);
    const work = (rowEnds === null ? sources.length : sources.length / 2) * features;
    runRows('wasm', offsets, work, ['edge_distance', [residentInt32(offsets), residentInt32(sources), px, py, features, DISTANCE_CODE[kind], po, ends]]);
    scratch.read(po, out);
  });
}

/**
 * Gradient of Σ_e g[e]·kind(x[u], y[v]) wrt one operand over the view's rows: by source with
 * (own = x, other = y) for ∂/∂x, by destination with (own = y, other = x) for ∂/∂y.
 */
export function edgeDistanceGradient(
  adjacency: Adjacency,
  own: Float32Array,
  other: Float32Array,
  gradient: Float32Array,
  features: number,
  kind: DistanceKind,
  out: Float32Array,
): void {
  withScratch((scratch) => {
    const [offsets, neighbours, edgeIds] = residentAdjacency(adjacency);
    const pOwn = scratch.input(own);
    const pOther = other === own ? pOwn : scratch.input(other);
    const pg = scratch.input(gradient);
    const po = scratch.output(out.length);
    runRows('wasm', adjacency.offsets, adjacency.neighbours.length * features, [
      'edge_distance_gradient',
      [offsets, neighbours, edgeIds, pOwn, pOther, pg, features, DISTANCE_CODE[kind], po],
    ]);
    scratch.read(po, out);
  });
}
