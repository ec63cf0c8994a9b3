import { allRows, type RowRange } from './adjacency';

/**
 * GAT's attention in one pass per destination, per head: the logit of edge e = u→v is
 * LeakyReLU(src[u, h] + dst[v, h]), and α[e, h] the softmax of the logits over the edges entering v.
 * The fused form keeps neither the sums nor the logits ([E, H] each): the backward recomputes them
 * from src and dst. Intermediates are rounded to float32 where the unfused ops (edgeAdd, leakyRelu,
 * edgeSoftmax) store them, so both give the same numbers.
 */

const { fround } = Math;

function logit(src: Float32Array, dst: Float32Array, u: number, v: number, heads: number, h: number, slope: number): number {
  const pre = fround(src[u * heads + h] + dst[v * heads + h]);
  return pre < 0 ? fround(slope * pre) : pre;
}

/** α [E, heads] for destinations `rows`; the per-destination max is subtracted before exp. */
export function edgeAttention(
  offsets: Int32Array,
  sources: Int32Array,
  src: Float32Array,
  dst: Float32Array,
  heads: number,
  slope: number,
  out: Float32Array,
  rows: RowRange = allRows(offsets),
): void {
  for (let v = rows.start; v < rows.end; v++) {
    const start = offsets[v];
    const end = offsets[v + 1];
    for (let h = 0; h < heads; h++) {
      let max = -Infinity;
      for (let e = start; e < end; e++) max = Math.max(max, logit(src, dst, sources[e], v, heads, h, slope));
      let sum = 0;
      for (let e = start; e < end; e++) {
        const shifted = Math.exp(logit(src, dst, sources[e], v, heads, h, slope) - max);
        out[e * heads + h] = shifted;
        sum += out[e * heads + h];
      }
      const scale = 1 / sum;
      for (let e = start; e < end; e++) out[e * heads + h] *= scale;
    }
  }
}

/**
 * Backward of edgeAttention from α and its upstream gradient g, per destination and head:
 * ∂logit = α·(g − Σ_in α·g), ∂pre = ∂logit where pre > 0, else slope·∂logit (slope as float32, as
 * tf's leakyRelu gradient multiplies). Writes ∂pre per edge (summed into sources by the caller, over
 * the by-source view) and its per-destination sums ∂dst.
 */
export function edgeAttentionGradient(
  offsets: Int32Array,
  sources: Int32Array,
  src: Float32Array,
  dst: Float32Array,
  attention: Float32Array,
  gradient: Float32Array,
  heads: number,
  slope: number,
  edgeGradient: Float32Array,
  dstGradient: Float32Array,
  rows: RowRange = allRows(offsets),
): void {
  const slope32 = fround(slope);
  for (let v = rows.start; v < rows.end; v++) {
    const start = offsets[v];
    const end = offsets[v + 1];
    for (let h = 0; h < heads; h++) {
      let total = 0;
      for (let e = start; e < end; e++) total += attention[e * heads + h] * gradient[e * heads + h];
      let dstSum = 0;
      for (let e = start; e < end; e++) {
        const i = e * heads + h;
        const dLogit = fround(attention[i] * (gradient[i] - total));
        const pre = fround(src[sources[e] * heads + h] + dst[v * heads + h]);
        edgeGradient[i] = pre > 0 ? dLogit : slope32 * dLogit;
        dstSum += edgeGradient[i];
      }
      dstGradient[v * heads + h] = dstSum;
    }
  }
}
