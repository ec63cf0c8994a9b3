import type * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { Rng } from '../random';

export type ModelKind = 'gcn' | 'gat' | 'sage';
export type Activation = 'relu' | 'elu';
export type SageAggregator = 'mean' | 'pool';
export type InitScheme = 'glorot' | 'authors';

/**
 * A student GNN as a user writes it: L hidden layers then an output layer. Optional fields get the
 * defaults of `validateStudentConfig` (the authors' choices where they exist).
 */
export interface StudentConfigInput {
  model: ModelKind;
  inFeatures: number;
  numClasses: number;
  /** number of hidden layers L (≥ 1); the output layer comes on top */
  layers: number;
  /** width of one hidden layer (per head for GAT) */
  hidden: number;
  /** GAT attention heads per hidden layer (default 3); always 1 for the other models */
  heads?: number;
  /** GAT heads of the output layer, averaged (default 1, as the PyTorch peer) */
  outputHeads?: number;
  /** feature dropout on the input of every layer, output layer included (default 0.5; GAT 0 as the authors' PPI setting) */
  dropout?: number;
  /** dropout on the GAT attention coefficients (default 0) */
  attentionDropout?: number;
  /** GAT residual connections from the second hidden layer on and in the output layer (default true) */
  residual?: boolean;
  /** non-linearity between layers (default relu; GAT elu) */
  activation?: Activation;
  /** GraphSAGE neighbour aggregator (default mean) */
  aggregator?: SageAggregator;
  /**
   * parameter initialisation: glorot (default; Glorot-uniform, zero biases) or, for GAT, authors
   * (DGL's GATConv: Xavier-normal with gain √2, no bias parameter). The authors' GCN uses DGL's
   * GraphConv, whose init is ours, so only GAT has an 'authors' variant.
   */
  init?: InitScheme;
}

/**
 * A validated config with every field set; fields that do not apply to the model hold neutral values.
 * `init` is present only when it is 'authors', so that configs and checkpoints of runs made before
 * the option existed stay byte-identical.
 */
export type StudentConfig = Required<Omit<StudentConfigInput, 'init'>> & { init?: 'authors' };

export interface StudentOutput {
  /** [N, numClasses] */
  logits: tf.Tensor2D;
  /** the L hidden outputs BEFORE the activation ([N, heads·hidden] for GAT, heads concatenated) */
  hidden: tf.Tensor2D[];
}

export interface ForwardOptions {
  /** train mode applies dropout; eval mode is deterministic */
  training: boolean;
  /** stream for the dropout masks; default: the student's own dropout stream, forked at creation */
  rng?: Rng;
}

/** A named parameter's values, as checkpoints and shared initialisation carry them. */
export interface WeightValues {
  shape: number[];
  data: Float32Array;
}

export type StudentWeights = Record<string, WeightValues>;

export interface Student {
  readonly config: StudentConfig;
  trainableVariables(): tf.Variable[];
  /** Tensors are the caller's to dispose; no intermediate outlives the call except what gradients record. */
  forward(graph: CsrGraph, features: tf.Tensor2D, options: ForwardOptions): StudentOutput;
  /** widths of the L hidden outputs */
  hiddenWidths(): number[];
  /** parameter values by name ("hidden1.weight", ..., "output.bias") */
  getWeights(): StudentWeights;
  /** Overwrites every parameter; names and shapes must match this student exactly (UserError otherwise). */
  setWeights(weights: StudentWeights): void;
  dispose(): void;
}
