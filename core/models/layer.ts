import type * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { Rng } from '../random';

/** What a layer needs to know about the current pass besides its input. */
export interface LayerContext {
  training: boolean;
  /** stream for dropout masks inside the layer (GAT attention dropout) */
  rng: Rng;
  /** the input carries no gradient (the dataset's features): its products skip computing one */
  constantInput: boolean;
}

/** One message-passing layer: its parameters by local name, and a forward that reads as its formula. */
export interface GraphLayer {
  /** local parameter names ("weight", "bias", ...) in a fixed order */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  forward(graph: CsrGraph, x: tf.Tensor2D, context: LayerContext): tf.Tensor2D;
}
