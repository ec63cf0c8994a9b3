import type * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { Rng } from '../random';
import type { LayerInput } from '../tensor/sparse-rows';

/** What a layer needs to know about the current pass besides its input. */
export interface LayerContext {
  training: boolean;
  /** stream for dropout masks inside the layer (GAT attention dropout) */
  rng: Rng;
}

/**
 * One message-passing layer: its parameters by local name, and a forward that reads as its formula.
 * A first layer's input may be the sparse form of the features: layers use it only through
 * products with their weights (`project`).
 */
export interface GraphLayer {
  /** local parameter names ("weight", "bias", ...) in a fixed order */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  forward(graph: CsrGraph, x: LayerInput, context: LayerContext): tf.Tensor2D;
}
