/**
 * The row view every kernel loops over: for row r, the slots offsets[r] .. offsets[r+1] name a
 * neighbour and an edge id. By destination (forward passes), rows are destinations, neighbours the
 * sources and the edge id is the slot itself (edgeIds null). By source (backward passes), rows are
 * sources, neighbours the destinations and edgeIds maps each slot back to the by-destination edge.
 */
export interface Adjacency {
  readonly offsets: Int32Array;
  readonly neighbours: Int32Array;
  readonly edgeIds: Int32Array | null;
}

/** Rows start ≤ r < end of a kernel's row view: kernels take one so that threads can split the rows. */
export interface RowRange {
  readonly start: number;
  readonly end: number;
}

/** Every row of a view with these offsets. */
export function allRows(offsets: Int32Array): RowRange {
  return { start: 0, end: offsets.length - 1 };
}

let scratch = new Float64Array(256);

/**
 * A zeroed float64 accumulator of `length`, reused across calls (kernels run one at a time on the
 * JS thread, and none holds it across a call to another kernel). Accumulating in float64 keeps
 * sums over high-degree nodes as accurate as the float32 inputs allow.
 */
export function accumulator(length: number): Float64Array {
  if (scratch.length < length) scratch = new Float64Array(Math.max(length, scratch.length * 2));
  const view = scratch.subarray(0, length);
  view.fill(0);
  return view;
}
