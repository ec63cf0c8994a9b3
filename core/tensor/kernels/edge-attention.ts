import { allRows, type RowRange } from './adjacency';
import { softmaxByRow } from './edge-softmax';

/**
 * GAT's attention in one pass per destination, per head: the logit of edge e = u→v is
 * LeakyReLU(src[u, h] + dst[v, h]), and α[e, h] the softmax of the logits over the edges entering v.
 * The fused form keeps neither the sums nor the logits ([E, H] each): the backward recomputes them
 * from src and dst. Intermediates are rounded to float32 where the unfused ops (edgeAdd, leakyRelu,
 * edgeSoftmax) store them, so both give the same numbers.
 */

const { fround } = Math;

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
  // the logits, kept in `out` (float32, as leakyRelu stores them), and their per-head max
  softmaxByRow(offsets, heads, false, out, rows, (v, start, end, maxima) => {
    const dBase = v * heads;
    for (let i = start, e = offsets[v]; i < end; e++) {
      const sBase = sources[e] * heads;
      for (let h = 0; h < heads; h++, i++) {
        const pre = fround(src[sBase + h] + dst[dBase + h]);
        out[i] = pre < 0 ? slope * pre : pre;
        if (out[i] > maxima[h]) maxima[h] = out[i];
      }
    }
    return out;
  });
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
  const totals = new Float64Array(heads);
  const dstSums = new Float64Array(heads);
  for (let v = rows.start; v < rows.end; v++) {
    const start = offsets[v] * heads;
    const end = offsets[v + 1] * heads;
    const dBase = v * heads;
    totals.fill(0);
    dstSums.fill(0);
    for (let i = start; i < end; ) {
      for (let h = 0; h < heads; h++, i++) totals[h] += attention[i] * gradient[i];
    }
    for (let i = start, e = offsets[v]; i < end; e++) {
      const sBase = sources[e] * heads;
      for (let h = 0; h < heads; h++, i++) {
        const dLogit = fround(attention[i] * (gradient[i] - totals[h]));
        const pre = fround(src[sBase + h] + dst[dBase + h]);
        edgeGradient[i] = pre > 0 ? dLogit : slope32 * dLogit;
        dstSums[h] += edgeGradient[i];
      }
    }
    for (let h = 0; h < heads; h++) dstGradient[dBase + h] = dstSums[h];
  }
}
