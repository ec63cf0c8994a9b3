import { UserError } from '../errors';
import type { Rng } from '../random';

/**
 * Which training graphs of inductive (multi-graph) data share a batch, as lists of graph indices.
 *
 * - fixedGroups (our default): consecutive groups of `size` in the dataset's order, made once; the
 *   trainer visits them in a shuffled order each epoch.
 * - redrawnGroups (config redrawBatches, the authors' shuffled DataLoader): every pass shuffles the
 *   graphs and groups them anew, so over a run each graph meets many partners. A pass is one
 *   student's sweep over the data: as in the authors' loop, each student draws its own grouping.
 *
 * The last group is smaller when `size` does not divide the graph count (nothing is dropped).
 */
export function fixedGroups(graphs: readonly number[], size: number): number[][] {
  checkSize(size);
  const groups: number[][] = [];
  for (let start = 0; start < graphs.length; start += size) groups.push(graphs.slice(start, start + size));
  return groups;
}

/** A fresh grouping for one pass, drawn from `rng` (which is advanced). */
export function redrawnGroups(graphs: readonly number[], size: number, rng: Rng): number[][] {
  const order = [...graphs];
  rng.shuffle(order);
  return fixedGroups(order, size);
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) throw new UserError(`batches: graphs per batch must be an integer ≥ 1, got ${size}`);
}
