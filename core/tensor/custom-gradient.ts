import * as tf from '@tensorflow/tfjs';

export interface ForwardResult<T extends tf.Tensor> {
  value: T;
  /**
   * One thunk per input returning its gradient (same shape as the input). Only the thunks of
   * inputs that the requested gradient depends on are called.
   */
  gradients: (dy: T, saved: tf.Tensor[]) => Array<() => tf.Tensor>;
}

/** The engine entry point tf.customGrad itself uses; it accepts lazy per-input gradients. */
interface EngineWithKernelFunc {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: Record<string, tf.Tensor>;
  }): tf.Tensor;
}

/**
 * Runs `forward` on `inputs` as a single tape node whose backward is `gradients`. Ops inside
 * `forward` are not recorded on the tape (tf runs it at kernel depth, inside a tidy), so index
 * tensors computed there are never differentiated.
 *
 * Unlike tf.customGrad, which evaluates every input's gradient, this leaves the gradient of an
 * input the caller does not differentiate (GCN's constant normalisation weights, raw input
 * features, a frozen peer's tensors) uncomputed: an edges × features kernel saved per backward.
 * It calls the engine's runKernelFunc directly: the internal entry point tf.customGrad itself uses
 * (tfjs 4.x), which takes lazy per-input gradient thunks where customGrad forces them all.
 */
export function withCustomGradient<T extends tf.Tensor>(
  inputs: tf.Tensor[],
  forward: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => ForwardResult<T>,
): T {
  const engine = tf.engine() as unknown as EngineWithKernelFunc;
  let result: ForwardResult<T> | undefined;
  return engine.runKernelFunc({
    forwardFunc: (_backend, save) => {
      result = forward(inputs, save);
      return result.value;
    },
    backwardsFunc: (dy, saved) => Object.fromEntries(result!.gradients(dy as T, saved).map((thunk, i) => [String(i), thunk])),
    inputs: Object.fromEntries(inputs.map((t, i) => [String(i), t])),
  }) as T;
}

/** A value computed on first use and reused, e.g. the upstream gradient read once for two thunks. */
export function lazy<V>(compute: () => V): () => V {
  let cached: { value: V } | undefined;
  return () => (cached ??= { value: compute() }).value;
}
