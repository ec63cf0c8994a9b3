import type { CsrGraph } from './csr';

/** Node labels: multiclass Int32Array [N] (one class per node); multilabel Uint8Array [N × C] row-major. */
export type Labels = Int32Array | Uint8Array;

/** One graph with its node data, ready for training (message edges symmetrised, self-loops added). */
export interface GraphData {
  readonly graph: CsrGraph;
  /** row-major [numNodes, numFeatures] */
  readonly features: Float32Array;
  readonly labels: Labels;
}
