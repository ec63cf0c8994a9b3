import { accumulator, allRows, type RowRange } from './adjacency';

/**
 * Softmax (or log-softmax) of scores [E, heads] over the edges entering each destination, per
 * head. The per-destination max is subtracted first, so exp never overflows; log-softmax is
 * s − (max + log Σ exp(s − max)), finite even where the softmax itself underflows to 0.
 */
export function edgeSoftmax(
  offsets: Int32Array,
  scores: Float32Array,
  heads: number,
  log: boolean,
  out: Float32Array,
  rows: RowRange = allRows(offsets),
): void {
  softmaxByRow(offsets, heads, log, out, rows, (_, start, end, maxima) => {
    for (let i = start, h = 0; i < end; i++) {
      if (scores[i] > maxima[h]) maxima[h] = scores[i];
      if (++h === heads) h = 0;
    }
    return scores;
  });
}

/**
 * The per-destination softmax loop shared by the edge softmax and the fused attention: for each
 * destination v with incoming edges (entries [start, end) of [E, heads]), `scoresOf` raises the
 * per-head `maxima` (filled with −∞) to the row's maxima and returns the array holding its scores
 * (it may write them into `out` first); the row is then normalised into `out`.
 */
export function softmaxByRow(
  offsets: Int32Array,
  heads: number,
  log: boolean,
  out: Float32Array,
  rows: RowRange,
  scoresOf: (v: number, start: number, end: number, maxima: Float64Array) => Float32Array,
): void {
  const maxima = new Float64Array(heads);
  const sums = new Float64Array(heads);
  for (let v = rows.start; v < rows.end; v++) {
    const start = offsets[v] * heads;
    const end = offsets[v + 1] * heads;
    if (start === end) continue;
    maxima.fill(-Infinity);
    const scores = scoresOf(v, start, end, maxima);
    normaliseRow(scores, start, end, heads, log, maxima, sums, out);
  }
}

/**
 * The softmax (or log-softmax) of one destination's entries [start, end) given their per-head
 * maxima; `scores` may be `out` itself. exp once per entry: kept in `out` (float64 sums of the
 * float32 values) and rescaled. `sums` is scratch of `heads` entries.
 */
function normaliseRow(
  scores: Float32Array,
  start: number,
  end: number,
  heads: number,
  log: boolean,
  maxima: Float64Array,
  sums: Float64Array,
  out: Float32Array,
): void {
  sums.fill(0);
  for (let i = start, h = 0; i < end; i++) {
    const shifted = Math.exp(scores[i] - maxima[h]);
    if (log) {
      sums[h] += shifted;
    } else {
      out[i] = shifted;
      sums[h] += out[i];
    }
    if (++h === heads) h = 0;
  }
  if (log) {
    for (let h = 0; h < heads; h++) sums[h] = maxima[h] + Math.log(sums[h]);
    for (let i = start, h = 0; i < end; i++) {
      out[i] = scores[i] - sums[h];
      if (++h === heads) h = 0;
    }
  } else {
    for (let h = 0; h < heads; h++) sums[h] = 1 / sums[h];
    for (let i = start, h = 0; i < end; i++) {
      out[i] *= sums[h];
      if (++h === heads) h = 0;
    }
  }
}

/**
 * Backward of edgeSoftmax from its output y and upstream gradient g, per destination and head:
 * softmax:     ∂s = y · (g − Σ_in y·g)
 * log-softmax: ∂s = g − exp(y) · Σ_in g
 */
export function edgeSoftmaxGradient(
  offsets: Int32Array,
  output: Float32Array,
  gradient: Float32Array,
  heads: number,
  log: boolean,
  out: Float32Array,
  rows: RowRange = allRows(offsets),
): void {
  const totals = accumulator(heads);
  for (let v = rows.start; v < rows.end; v++) {
    const start = offsets[v] * heads;
    const end = offsets[v + 1] * heads;
    if (start === end) continue;
    totals.fill(0);
    for (let i = start, h = 0; i < end; i++) {
      totals[h] += log ? gradient[i] : output[i] * gradient[i];
      if (++h === heads) h = 0;
    }
    for (let i = start, h = 0; i < end; i++) {
      out[i] = log ? gradient[i] - Math.exp(output[i]) * totals[h] : output[i] * (gradient[i] - totals[h]);
      if (++h === heads) h = 0;
    }
  }
}
