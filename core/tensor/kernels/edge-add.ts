import { accumulator, allRows, type Adjacency, type RowRange } from './adjacency';

/** out[e, h] = src[u, h] + dst[v, h] for e = u→v (by-destination order); src, dst: [N, heads]. */
export function edgeAdd(
  offsets: Int32Array,
  sources: Int32Array,
  src: Float32Array,
  dst: Float32Array,
  heads: number,
  out: Float32Array,
  rows: RowRange = allRows(offsets),
): void {
  for (let v = rows.start; v < rows.end; v++) {
    const dBase = v * heads;
    const end = offsets[v + 1];
    for (let e = offsets[v]; e < end; e++) {
      const sBase = sources[e] * heads;
      const o = e * heads;
      for (let h = 0; h < heads; h++) out[o + h] = src[sBase + h] + dst[dBase + h];
    }
  }
}

/**
 * Sums per-edge rows into the view's rows: out[r] = Σ_slots values[edge(slot)], values [E, columns].
 * By destination this is segment sum; by source it is the gradient of gathering source rows.
 */
export function sumEdgesIntoRows(
  adjacency: Adjacency,
  values: Float32Array,
  columns: number,
  out: Float32Array,
  rows: RowRange = allRows(adjacency.offsets),
): void {
  const { offsets, edgeIds } = adjacency;
  const acc = accumulator(columns);
  for (let r = rows.start; r < rows.end; r++) {
    const end = offsets[r + 1];
    for (let slot = offsets[r]; slot < end; slot++) {
      const base = (edgeIds === null ? slot : edgeIds[slot]) * columns;
      for (let c = 0; c < columns; c++) acc[c] += values[base + c];
    }
    const o = r * columns;
    for (let c = 0; c < columns; c++) {
      out[o + c] = acc[c];
      acc[c] = 0;
    }
  }
}
