import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../../../graph/csr';
import type { GraphOps } from '../../graph-ops';
import { toTensors, type OpCase } from '../../testing/cases';

/**
 * valueAndGradients (testing/cases) for backends that only read asynchronously (WebGPU): values and
 * gradients of L = Σ op(inputs) · R wrt every input, read with data() after the whole computation.
 */
export async function valueAndGradientsAsync(
  ops: GraphOps,
  graph: CsrGraph,
  opCase: OpCase,
  inputs: Float64Array[],
  weightsR: Float64Array,
): Promise<{ value: Float32Array; gradients: Float32Array[] }> {
  const results = tf.tidy(() => {
    const tensors = toTensors(inputs, opCase.shapes);
    const value = opCase.run(ops, graph, tensors);
    const r = tf.tensor(Float32Array.from(weightsR));
    const loss = (...xs: tf.Tensor[]) => opCase.run(ops, graph, xs).reshape([-1]).mul(r).sum();
    return [value, ...tf.grads(loss)(tensors)];
  });
  const arrays = await Promise.all(results.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(results);
  return { value: arrays[0], gradients: arrays.slice(1) };
}

/** max over entries of |actual − expected| / (1 + |expected|): the measure expectClose bounds by its tolerance. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(error <= worst)) worst = Number.isNaN(error) ? Infinity : error;
  }
  return worst;
}
