import type { Task } from '../../contract/api';
import type { GraphData } from '../graph/graph-data';

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
