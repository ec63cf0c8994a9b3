/**
 * Symmetric graphs pair every edge with its reverse (core/graph/views' ReverseIndex), so a kernel of
 * one operand that is symmetric in an edge's two ends (every edge distance of h with itself) is
 * computed on the lower half only and mirrored, and its gradient takes each pair's combined weight.
 */

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
