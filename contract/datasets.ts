import type { Task } from './api';

/** The dataset records of the API (contract/api.ts re-exports them): catalog entries and statistics. */

export interface CatalogItem {
  name: string;
  title: string;
  task: Task;
  citation: string;
  synthetic: boolean;
  /** downloaded (or synthetic, always available) */
  available: boolean;
  /** where it is downloaded from; null for generated and imported datasets */
  url: string | null;
  /** exact size of the download (or of the imported file) in bytes; null when not published yet */
  bytes: number | null;
  /** SHA-256 of the download: the published one, or the one recorded at the first download */
  sha256: string | null;
  /** published: checked on every download; first-download: recorded then, later downloads are compared */
  sha256Source: 'published' | 'first-download' | null;
}

/** Whether a catalog download can succeed now, checked before the user asks for it. */
export interface DownloadCheck {
  name: string;
  possible: boolean;
  /** why, in a few words: "raw.githubusercontent.com answers", "offline: cannot reach data.dgl.ai (ENOTFOUND)" */
  reason: string;
  /** ISO time of the check */
  checkedAt: string;
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
