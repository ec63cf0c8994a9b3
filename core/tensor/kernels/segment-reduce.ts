import { accumulator, allRows, type RowRange } from './adjacency';

/** out[v] = Σ_{e into v} values[e] (÷ in-degree when `mean`), values [E, columns]; 0 where no edges. */
export function segmentSum(
  offsets: Int32Array,
  values: Float32Array,
  columns: number,
  mean: boolean,
  out: Float32Array,
  rows: RowRange = allRows(offsets),
): void {
  const acc = accumulator(columns);
  for (let v = rows.start; v < rows.end; v++) {
    const start = offsets[v];
    const end = offsets[v + 1];
    for (let e = start; e < end; e++) {
      const base = e * columns;
      for (let c = 0; c < columns; c++) acc[c] += values[base + c];
    }
    const scale = mean && end > start ? 1 / (end - start) : 1;
    const o = v * columns;
    for (let c = 0; c < columns; c++) {
      out[o + c] = acc[c] * scale;
      acc[c] = 0;
    }
  }
}

/** Backward of segmentSum: every edge into v receives ∂out[v] (÷ in-degree when `mean`). */
export function segmentSumGradient(
  offsets: Int32Array,
  gradient: Float32Array,
  columns: number,
  mean: boolean,
  out: Float32Array,
  rows: RowRange = allRows(offsets),
): void {
  for (let v = rows.start; v < rows.end; v++) {
    const start = offsets[v];
    const end = offsets[v + 1];
    const scale = mean && end > start ? 1 / (end - start) : 1;
    const g = v * columns;
    for (let e = start; e < end; e++) {
      const o = e * columns;
      for (let c = 0; c < columns; c++) out[o + c] = gradient[g + c] * scale;
    }
  }
}

/**
 * Column-wise max over rows picked per destination, recording where it came from:
 * out[v, c] = max over slots s of v of table[pick(s), c], argRow[v, c] = the first such row
 * (strict > keeps the first), or −1 and out 0 for a destination without incoming edges.
 * pick = null reads table rows by edge id (segment max over [E, columns] values);
 * pick = sources reads source-node rows (neighbour max over [N, columns] features).
 */
export function gatherMax(
  offsets: Int32Array,
  pick: Int32Array | null,
  table: Float32Array,
  columns: number,
  out: Float32Array,
  argRow: Int32Array,
  rows: RowRange = allRows(offsets),
): void {
  for (let v = rows.start; v < rows.end; v++) {
    const start = offsets[v];
    const end = offsets[v + 1];
    const o = v * columns;
    if (start === end) {
      for (let c = 0; c < columns; c++) {
        out[o + c] = 0;
        argRow[o + c] = -1;
      }
      continue;
    }
    const first = pick === null ? start : pick[start];
    const firstBase = first * columns;
    for (let c = 0; c < columns; c++) {
      out[o + c] = table[firstBase + c];
      argRow[o + c] = first;
    }
    for (let s = start + 1; s < end; s++) {
      const row = pick === null ? s : pick[s];
      const base = row * columns;
      for (let c = 0; c < columns; c++) {
        const value = table[base + c];
        if (value > out[o + c]) {
          out[o + c] = value;
          argRow[o + c] = row;
        }
      }
    }
  }
}

/** Backward of gatherMax: ∂table[argRow[v, c], c] += ∂out[v, c]. `out` must be zeroed, [tableRows, columns]. */
export function gatherMaxGradient(argRow: Int32Array, gradient: Float32Array, columns: number, out: Float32Array): void {
  for (let i = 0, c = 0; i < argRow.length; i++) {
    const row = argRow[i];
    if (row >= 0) out[row * columns + c] += gradient[i];
    if (++c === columns) c = 0;
  }
}
