import * as tf from '@tensorflow/tfjs';
import { withCustomGradient } from './custom-gradient';
import type { Adjacency } from './kernels/adjacency';
import { matMul } from './matmul';
import { onCpuBackend, storageOf } from './multicore/backend';
import { pooledFloat32 } from './multicore/pool';
import { aggregateRows } from './wasm/calls';

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

const forms = new WeakMap<tf.Tensor, SparseRows | null>();

/** The CSR form of `x` (2-D, float32, constant) when it is sparse enough to multiply as such; cached per tensor. */
export function sparseFormOf(x: tf.Tensor2D): SparseRows | null {
  // on a GPU or TensorFlow backend the dense product stays: the sparse one runs on this CPU
  if (!onCpuBackend()) return null;
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

/**
 * x · w is SpMM with the CSR's columns as neighbours and its values as edge weights (row r sums
 * values[p]·w[columns[p]]), and xᵀ · g the same over the by-column view: both run on the graph
 * kernels (SIMD, split over the kernel threads).
 */
function byRows(x: SparseRows): Adjacency {
  return { offsets: x.offsets, neighbours: x.columns, edgeIds: null };
}

// A pattern's by-column view, built once: dropout keeps the pattern and only changes the values.
const byColumnCache = new WeakMap<Int32Array, Adjacency>();

function byColumns(x: SparseRows): Adjacency {
  let view = byColumnCache.get(x.columns);
  if (!view) {
    const offsets = new Int32Array(x.cols + 1);
    for (let p = 0; p < x.columns.length; p++) offsets[x.columns[p] + 1]++;
    for (let c = 0; c < x.cols; c++) offsets[c + 1] += offsets[c];
    const rows = new Int32Array(x.columns.length);
    const entries = new Int32Array(x.columns.length);
    const fill = offsets.slice(0, x.cols);
    for (let r = 0; r < x.rows; r++) {
      for (let p = x.offsets[r]; p < x.offsets[r + 1]; p++) {
        const slot = fill[x.columns[p]]++;
        rows[slot] = r;
        entries[slot] = p;
      }
    }
    view = { offsets, neighbours: rows, edgeIds: entries };
    byColumnCache.set(x.columns, view);
  }
  return view;
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
    aggregateRows(byRows(x), floatValues(w), m, x.values, 1, out);
    return {
      value: tf.tensor2d(out, [x.rows, m]),
      gradients: (dy) => [
        () => {
          const dw = outputArray(k * m);
          aggregateRows(byColumns(x), floatValues(dy), m, x.values, 1, dw);
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
