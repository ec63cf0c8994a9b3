import type { CsrGraph } from '../graph/csr';

/** multiclass: one int label per node, softmax CE + accuracy; multilabel: C binary labels per node, BCE + micro-F1. */
export type Task = 'multiclass' | 'multilabel';

/** One graph with its node data, ready for training (message edges symmetrised, self-loops added). */
export interface GraphData {
  readonly graph: CsrGraph;
  /** row-major [numNodes, numFeatures] */
  readonly features: Float32Array;
  /** multiclass: Int32Array [numNodes]; multilabel: Uint8Array [numNodes * numClasses] row-major */
  readonly labels: Int32Array | Uint8Array;
}

/** Node indices of a transductive split (single-graph data). */
export interface NodeSplit {
  readonly train: Int32Array;
  readonly val: Int32Array;
  readonly test: Int32Array;
}

/** Graph indices of an inductive split (multi-graph data such as PPI). */
export interface GraphSplit {
  readonly train: number[];
  readonly val: number[];
  readonly test: number[];
}

export interface Dataset {
  /** a display name: "cora", "csbm:2000:20000:5", a file's base name */
  readonly name: string;
  readonly task: Task;
  readonly numFeatures: number;
  readonly numClasses: number;
  /** one entry for single-graph (transductive) data, several for multi-graph (inductive) data */
  readonly graphs: GraphData[];
  /** present for multi-graph data that ships its own split (PPI: 20/2/2) */
  readonly graphSplit?: GraphSplit;
  readonly nodeNames?: string[];
  readonly classNames?: string[];
  /** where it came from: a file path, a catalog name, a generator spec */
  readonly source: string;
}

/** Summary statistics, as `datasets inspect` reports them. */
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
  /** histogram of in-degrees (self-loop included): counts[i] nodes with degree in bucket i */
  degreeHistogram: { bucketEdges: number[]; counts: number[] };
  isolatedNodes: number;
}
