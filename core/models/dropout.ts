import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random';

/**
 * Inverted dropout: each entry is zeroed with probability `rate` and the survivors scaled by
 * 1/(1−rate), so eval mode needs no rescaling. The mask is drawn from our Rng (not tf's own seeded
 * generator) so that runs replay exactly from the run's seed on any backend.
 *
 * Each 32-bit draw decides two entries (16 bits each): input dropout on bag-of-words features
 * draws millions of entries per step and the generator call is the cost. The rate is thereby
 * quantised to a multiple of 1/65536, and the scale uses that quantised rate, keeping the
 * expectation exact.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, rng: Rng): T {
  if (rate === 0) return x;
  return tf.mul(x, tf.tensor(dropoutMask(x.size, rate, rng), x.shape)) as T;
}

/** The mask of `size` entries: 0 with probability `rate`, else the inverse keep rate. */
function dropoutMask(size: number, rate: number, rng: Rng): Float32Array {
  const threshold = Math.round(rate * 65536);
  const scale = 65536 / (65536 - threshold);
  const mask = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    const bits = rng.nextUint32();
    mask[i] = (bits & 0xffff) < threshold ? 0 : scale;
    if (i + 1 < size) mask[i + 1] = bits >>> 16 < threshold ? 0 : scale;
  }
  return mask;
}

/**
 * Dropout of a sparse matrix's non-zeros (the zeros stay zero whatever the mask): one mask entry
 * per stored value, which makes input dropout on bag-of-words features ~1/density cheaper. The
 * same seed gives a different mask than the dense form's, with the same distribution.
 */
export function dropoutValues(values: Float32Array, rate: number, rng: Rng): Float32Array {
  if (rate === 0) return values;
  const mask = dropoutMask(values.length, rate, rng);
  for (let i = 0; i < mask.length; i++) mask[i] *= values[i];
  return mask;
}
