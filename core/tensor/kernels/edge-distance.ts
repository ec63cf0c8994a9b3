import { accumulator, allRows, type Adjacency, type RowRange } from './adjacency';

export type DistanceKind = 'dot' | 'l1' | 'sqeuclidean';

/**
 * sign(d) is computed as d / (|d| + TINY): exactly ±1 for any nonzero difference of float32 values
 * (|d| ≥ 2⁻¹⁴⁹, so adding 1e-300 rounds away) and 0 at d = 0, without the unpredictable branch of
 * Math.sign, which made the l1 backward ~2.7× slower on random data. (±Infinity inputs give NaN.)
 */
const TINY = 1e-300;

// Loops take edges four at a time so that each read of the shared row (the destination's in the
// forward, the accumulating row's in the backward) serves four neighbour rows.

/**
 * out[e] = kind(x[u], y[v]) for e = u→v; x, y: [N, features] row-major. With `rowEnds`, row v
 * stops at rowEnds[v] (the lower half of a symmetric graph, see mirrorUpperEdges).
 */
export function edgeDistance(
  offsets: Int32Array,
  sources: Int32Array,
  x: Float32Array,
  y: Float32Array,
  features: number,
  kind: DistanceKind,
  out: Float32Array,
  rowEnds: Int32Array | null = null,
  rows: RowRange = allRows(offsets),
): void {
  const l1 = kind === 'l1';
  const dot = kind === 'dot';
  for (let v = rows.start; v < rows.end; v++) {
    const yBase = v * features;
    const end = rowEnds === null ? offsets[v + 1] : rowEnds[v];
    let e = offsets[v];
    for (; e + 3 < end; e += 4) {
      const b0 = sources[e] * features;
      const b1 = sources[e + 1] * features;
      const b2 = sources[e + 2] * features;
      const b3 = sources[e + 3] * features;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      if (dot) {
        for (let f = 0; f < features; f++) {
          const t = y[yBase + f];
          s0 += x[b0 + f] * t;
          s1 += x[b1 + f] * t;
          s2 += x[b2 + f] * t;
          s3 += x[b3 + f] * t;
        }
      } else if (l1) {
        for (let f = 0; f < features; f++) {
          const t = y[yBase + f];
          s0 += Math.abs(x[b0 + f] - t);
          s1 += Math.abs(x[b1 + f] - t);
          s2 += Math.abs(x[b2 + f] - t);
          s3 += Math.abs(x[b3 + f] - t);
        }
      } else {
        for (let f = 0; f < features; f++) {
          const t = y[yBase + f];
          const d0 = x[b0 + f] - t;
          const d1 = x[b1 + f] - t;
          const d2 = x[b2 + f] - t;
          const d3 = x[b3 + f] - t;
          s0 += d0 * d0;
          s1 += d1 * d1;
          s2 += d2 * d2;
          s3 += d3 * d3;
        }
      }
      out[e] = s0;
      out[e + 1] = s1;
      out[e + 2] = s2;
      out[e + 3] = s3;
    }
    for (; e < end; e++) {
      const xBase = sources[e] * features;
      let total = 0;
      for (let f = 0; f < features; f++) {
        const a = x[xBase + f];
        const b = y[yBase + f];
        total += dot ? a * b : l1 ? Math.abs(a - b) : (a - b) * (a - b);
      }
      out[e] = total;
    }
  }
}

/**
 * Gradient of Σ_e g[e]·kind(x[u], y[v]) wrt one operand, accumulated per row of the adjacency:
 * with the by-source view and (own = x, other = y) it gives ∂/∂x; with the by-destination view and
 * (own = y, other = x) it gives ∂/∂y. Each kind is symmetric up to the sign of (own − other), so one
 * kernel serves both: dot → g·other, l1 → g·sign(own − other) (0 at ties), sqeuclidean → 2g·(own − other).
 */
export function edgeDistanceGradient(
  adjacency: Adjacency,
  own: Float32Array,
  other: Float32Array,
  gradient: Float32Array,
  features: number,
  kind: DistanceKind,
  out: Float32Array,
  rows: RowRange = allRows(adjacency.offsets),
): void {
  const { offsets, neighbours, edgeIds } = adjacency;
  const acc = accumulator(features);
  const l1 = kind === 'l1';
  const dot = kind === 'dot';
  // sqeuclidean: Σ 2g(own − other) = 2(Σg)·own − 2Σ g·other, so it shares dot's loop plus one term.
  const scale = dot ? 1 : l1 ? 1 : -2;
  const edgeGradient = (slot: number) => gradient[edgeIds === null ? slot : edgeIds[slot]];
  for (let r = rows.start; r < rows.end; r++) {
    const ownBase = r * features;
    const end = offsets[r + 1];
    let gradientSum = 0;
    let slot = offsets[r];
    for (; slot + 3 < end; slot += 4) {
      const g0 = edgeGradient(slot);
      const g1 = edgeGradient(slot + 1);
      const g2 = edgeGradient(slot + 2);
      const g3 = edgeGradient(slot + 3);
      const b0 = neighbours[slot] * features;
      const b1 = neighbours[slot + 1] * features;
      const b2 = neighbours[slot + 2] * features;
      const b3 = neighbours[slot + 3] * features;
      if (l1) {
        for (let f = 0; f < features; f++) {
          const t = own[ownBase + f];
          const d0 = t - other[b0 + f];
          const d1 = t - other[b1 + f];
          const d2 = t - other[b2 + f];
          const d3 = t - other[b3 + f];
          acc[f] += (g0 * d0) / (Math.abs(d0) + TINY) + (g1 * d1) / (Math.abs(d1) + TINY) + ((g2 * d2) / (Math.abs(d2) + TINY) + (g3 * d3) / (Math.abs(d3) + TINY));
        }
      } else {
        for (let f = 0; f < features; f++) acc[f] += g0 * other[b0 + f] + g1 * other[b1 + f] + (g2 * other[b2 + f] + g3 * other[b3 + f]);
        gradientSum += g0 + g1 + (g2 + g3);
      }
    }
    for (; slot < end; slot++) {
      const g = edgeGradient(slot);
      const base = neighbours[slot] * features;
      if (l1) {
        for (let f = 0; f < features; f++) {
          const d = own[ownBase + f] - other[base + f];
          acc[f] += (g * d) / (Math.abs(d) + TINY);
        }
      } else {
        for (let f = 0; f < features; f++) acc[f] += g * other[base + f];
        gradientSum += g;
      }
    }
    const ownScale = dot || l1 ? 0 : 2 * gradientSum;
    for (let f = 0; f < features; f++) {
      out[ownBase + f] = scale * acc[f] + ownScale * own[ownBase + f];
      acc[f] = 0;
    }
  }
}

/**
 * Completes a symmetric kernel computed on the lower half only (edgeDistance with rowEnds =
 * lowerEnds): every edge u→v with u > v takes the value of its reverse v→u.
 */
export function mirrorUpperEdges(offsets: Int32Array, lowerEnds: Int32Array, reverse: Int32Array, out: Float32Array): void {
  for (let v = 0; v < lowerEnds.length; v++) {
    for (let e = lowerEnds[v]; e < offsets[v + 1]; e++) out[e] = out[reverse[e]];
  }
}

/** g[e] + g[reverse[e]]: the weight of pair {e, reverse e} in the gradient of a symmetric kernel of one operand. */
export function pairedGradient(gradient: Float32Array, reverse: Int32Array, out: Float32Array): void {
  for (let e = 0; e < reverse.length; e++) out[e] = gradient[e] + gradient[reverse[e]];
}
