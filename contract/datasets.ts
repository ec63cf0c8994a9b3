import type { Task } from './api';

/** The dataset records of the API (contract/api.ts re-exports them): catalog entries and statistics. */

export interface CatalogItem {
  name: string;
  title: string;
  task: Task;
  sizeHint: string;
  citation: string;
  synthetic: boolean;
  /** downloaded (or synthetic, always available) */
  available: boolean;
}

/** Summary statistics of a dataset, as `datasets inspect` reports them. */
export interface DatasetStats {
  name: string;
  task: Task;
  graphs: number;
  nodes: number;
  /** directed message edges, self-loops included, summed over graphs */
  edges: number;
  features: number;
  classes: number;
  /** fraction of non-self-loop edges joining same-label nodes (multiclass only) */
  homophily: number | null;
  isolatedNodes: number;
  /** histogram of in-degrees (self-loop included): counts[i] nodes with degree in bucket i */
  degreeHistogram: { bucketEdges: number[]; counts: number[] };
}

/** A dataset's statistics with the reference (path, name or spec) they were computed for. */
export interface DatasetStatsView extends DatasetStats {
  ref: string;
}
