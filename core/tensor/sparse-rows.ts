import * as tf from '@tensorflow/tfjs';
import { withCustomGradient } from './custom-gradient';
import { matMul } from './matmul';
import { storageOf } from './multicore/backend';
import { pooledFloat32 } from './multicore/pool';

/**
 * Sparse input features. Bag-of-words inputs (Cora, CiteSeer, PubMed) are about 1% non-zero, so a
 * first layer's X·W as a CSR × dense product does about 1/density less work than the dense
 * product, and input dropout only needs a mask for the non-zeros. The CSR form of a feature tensor
 * is derived once, on first use, and only when its measured density makes it worth it.
 */

/** A matrix stored by rows (CSR): row r's non-zeros are values[offsets[r] .. offsets[r+1]) in columns `columns`. */
export interface SparseRows {
  readonly rows: number;
  readonly cols: number;
  readonly offsets: Int32Array;
  readonly columns: Int32Array;
  readonly values: Float32Array;
}

/** A first layer's input: the dense feature tensor, or its sparse form. */
export type LayerInput = tf.Tensor2D | SparseRows;

/**
 * Densities up to this take the sparse product: it costs nnz·M scalar multiply-adds against N·K·M
 * for the dense SIMD product (about 10× faster per multiply-add), plus dropout draws per entry.
 */
export const SPARSE_DENSITY_LIMIT = 0.05;

/** Backends whose dense products run on this CPU, where the sparse product is computed too. */
const CPU_BACKENDS = new Set(['multicore', 'wasm', 'cpu']);

const forms = new WeakMap<tf.Tensor, SparseRows | null>();

/** The CSR form of `x` (2-D, float32, constant) when it is sparse enough to multiply as such; cached per tensor. */
export function sparseFormOf(x: tf.Tensor2D): SparseRows | null {
  if (!CPU_BACKENDS.has(tf.getBackend())) return null;
  let form = forms.get(x);
  if (form === undefined) {
    form = toSparseRows(x.dataSync() as Float32Array, x.shape[0], x.shape[1]);
    if (form.values.length > SPARSE_DENSITY_LIMIT * x.size) form = null;
    forms.set(x, form);
  }
  return form;
}

/** The non-zeros of a dense rows × cols matrix, by rows. */
export function toSparseRows(dense: ArrayLike<number>, rows: number, cols: number): SparseRows {
  let count = 0;
  for (let i = 0; i < rows * cols; i++) if (dense[i] !== 0) count++;
  const offsets = new Int32Array(rows + 1);
  const columns = new Int32Array(count);
  const values = new Float32Array(count);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const value = dense[r * cols + c];
      if (value !== 0) {
        columns[k] = c;
        values[k++] = value;
      }
    }
    offsets[r + 1] = k;
  }
  return { rows, cols, offsets, columns, values };
}

/** The same pattern with other values (e.g. after dropout). */
export function withValues(x: SparseRows, values: Float32Array): SparseRows {
  return { ...x, values };
}

/** out [rows × M] = x · w for x sparse [rows × K] and w [K × M]. */
function sparseTimesDense(x: SparseRows, w: Float32Array, m: number, out: Float32Array): void {
  const { rows, offsets, columns, values } = x;
  const acc = new Float64Array(m);
  for (let r = 0; r < rows; r++) {
    for (let p = offsets[r]; p < offsets[r + 1]; p++) {
      const v = values[p];
      const base = columns[p] * m;
      for (let j = 0; j < m; j++) acc[j] += v * w[base + j];
    }
    const o = r * m;
    for (let j = 0; j < m; j++) {
      out[o + j] = acc[j];
      acc[j] = 0;
    }
  }
}

/** out [K × M] = xᵀ · g for x sparse [rows × K] and g [rows × M]. */
function sparseTransposeTimesDense(x: SparseRows, g: Float32Array, m: number, out: Float32Array): void {
  const { rows, offsets, columns, values } = x;
  const acc = new Float64Array(x.cols * m);
  for (let r = 0; r < rows; r++) {
    const gBase = r * m;
    for (let p = offsets[r]; p < offsets[r + 1]; p++) {
      const v = values[p];
      const base = columns[p] * m;
      for (let j = 0; j < m; j++) acc[base + j] += v * g[gBase + j];
    }
  }
  for (let i = 0; i < acc.length; i++) out[i] = acc[i];
}

function floatValues(t: tf.Tensor): Float32Array {
  const data = storageOf(t);
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}

function outputArray(length: number): Float32Array {
  return tf.getBackend() === 'multicore' ? pooledFloat32(length) : new Float32Array(length);
}

/** x · w for a sparse x (a constant: only w gets a gradient, xᵀ·dy). */
export function sparseMatMul(x: SparseRows, w: tf.Tensor2D): tf.Tensor2D {
  const [k, m] = w.shape;
  if (k !== x.cols) throw new RangeError(`sparseMatMul: x has ${x.cols} columns but w has ${k} rows`);
  return withCustomGradient<tf.Tensor2D>([w], () => {
    const out = outputArray(x.rows * m);
    sparseTimesDense(x, floatValues(w), m, out);
    return {
      value: tf.tensor2d(out, [x.rows, m]),
      gradients: (dy) => [
        () => {
          const dw = outputArray(k * m);
          sparseTransposeTimesDense(x, floatValues(dy), m, dw);
          return tf.tensor2d(dw, [k, m]);
        },
      ],
    };
  });
}

/** x · w for a layer input, dense or sparse. */
export function project(x: LayerInput, w: tf.Tensor2D): tf.Tensor2D {
  return x instanceof tf.Tensor ? matMul(x, w) : sparseMatMul(x, w);
}
