import * as tf from '@tensorflow/tfjs';

/**
 * τ auto's gradient cap (why: core/distill/auto-tau.ts): the gradient of `rest + term` with the
 * term's share scaled down, where it is the larger, to the norm of the rest's:
 *
 *   g = ∇rest + min(1, ‖∇rest‖ / ‖∇term‖) · ∇term        (norms over all `variables` together)
 *
 * so the term can steer the step but never outweigh the task. The scale is a tensor: nothing is
 * read back (asynchronous backends keep their one read-back per epoch).
 *
 * `parts` runs the forward pass and returns both parts; it runs twice (one gradient each), and
 * `replay` is called between the two runs so that the second sees the same randomness (dropout
 * masks) as the first. Call inside tf.tidy; gradients come in `variables`' order.
 */
export function cappedTermGradients(
  variables: readonly tf.Variable[],
  parts: () => { rest: tf.Scalar; term: tf.Scalar },
  replay: () => void,
): tf.Tensor[] {
  const rest = tf.variableGrads(() => parts().rest, [...variables]).grads;
  replay();
  const term = tf.variableGrads(() => parts().term, [...variables]).grads;
  const scale = tf.minimum(1, globalNorm(rest).div(tf.maximum(globalNorm(term), 1e-30)));
  return variables.map((v) => {
    const r = rest[v.name];
    const t = term[v.name];
    if (!t) return r ?? tf.zerosLike(v);
    const scaled = t.mul(scale);
    return r ? r.add(scaled) : scaled;
  });
}

/** ‖g‖ over every tensor of a gradient map together */
function globalNorm(grads: Record<string, tf.Tensor>): tf.Scalar {
  const squares = Object.values(grads).map((g) => g.square().sum());
  return (squares.length > 0 ? tf.addN(squares) : tf.scalar(0)).sqrt() as tf.Scalar;
}
