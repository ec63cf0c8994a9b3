import type { CsrGraph } from '../../graph/csr';
import { Rng } from '../../random';

/**
 * A raw CsrGraph (not through buildGraph, which would dedupe) with the awkward cases the graph ops
 * must handle: nodes without incoming edges, duplicate edges, self-loops, and one hub whose
 * in-degree spills into a wide degree bucket. Sources are sorted within each destination.
 */
export function awkwardGraph(rng: Rng, numNodes = 12): CsrGraph {
  const rows: number[][] = [];
  for (let v = 0; v < numNodes; v++) {
    const row: number[] = [];
    const isolated = v % 4 === 1;
    const degree = isolated ? 0 : v === 0 ? 2 * numNodes - 3 : 1 + rng.int(5);
    for (let k = 0; k < degree; k++) row.push(rng.int(numNodes));
    if (!isolated && v % 3 === 0) row.push(v); // self-loop
    if (row.length > 1 && v % 2 === 0) row.push(row[0]); // duplicate edge
    rows.push(row.sort((a, b) => a - b));
  }
  const offsets = new Int32Array(numNodes + 1);
  rows.forEach((row, v) => (offsets[v + 1] = offsets[v] + row.length));
  return { numNodes, offsets, sources: Int32Array.from(rows.flat()) };
}

export function randomArray(rng: Rng, size: number, scale = 1): Float64Array {
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal() * scale;
  return out;
}

/**
 * awkwardGraph made symmetric: every edge u→v gains a reverse v→u, copies included (a duplicated
 * u→v has a duplicated reverse); self-loops stay as they are, and isolated nodes stay isolated.
 */
export function symmetricAwkwardGraph(rng: Rng, numNodes = 12): CsrGraph {
  const base = awkwardGraph(rng, numNodes);
  const rows: number[][] = Array.from({ length: numNodes }, () => []);
  for (let v = 0; v < numNodes; v++) {
    for (let e = base.offsets[v]; e < base.offsets[v + 1]; e++) {
      const u = base.sources[e];
      rows[v].push(u);
      if (u !== v) rows[u].push(v);
    }
  }
  rows.forEach((row) => row.sort((a, b) => a - b));
  const offsets = new Int32Array(numNodes + 1);
  rows.forEach((row, v) => (offsets[v + 1] = offsets[v] + row.length));
  return { numNodes, offsets, sources: Int32Array.from(rows.flat()) };
}
