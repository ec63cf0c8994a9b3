import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random';

/**
 * Glorot (Xavier) uniform init, U(−√(6/(fanIn+fanOut)), +√(6/(fanIn+fanOut))), drawn from our Rng
 * in row-major order, so the same seed gives the same weights on every backend.
 */
export function glorotUniform(rng: Rng, shape: number[], fanIn: number, fanOut: number): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng.next() - 1) * limit;
  return variableFrom(tf.tensor(values, shape));
}

/**
 * Xavier (Glorot) normal init, N(0, gain² · 2/(fanIn+fanOut)), drawn from our Rng in row-major order.
 * With gain √2 (the ReLU gain) it is DGL's GATConv default, which the authors' students use.
 */
export function xavierNormal(rng: Rng, shape: number[], fanIn: number, fanOut: number, gain: number): tf.Variable {
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = std * rng.normal();
  return variableFrom(tf.tensor(values, shape));
}

/** A [fanIn, fanOut] weight matrix, Glorot-uniform. */
export function glorotMatrix(rng: Rng, fanIn: number, fanOut: number): tf.Variable {
  return glorotUniform(rng, [fanIn, fanOut], fanIn, fanOut);
}

export function zerosVariable(shape: number[]): tf.Variable {
  return variableFrom(tf.zeros(shape));
}

/** tf.variable shares the initial tensor's data but leaves the tensor itself to dispose. */
function variableFrom(initial: tf.Tensor): tf.Variable {
  const variable = tf.variable(initial, true);
  initial.dispose();
  return variable;
}
