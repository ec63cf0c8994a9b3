import * as tf from '@tensorflow/tfjs';
import { matMul, matMulTransposedA } from '../wasm/calls';
import { ELEMENTWISE_KERNELS, float32Output } from './elementwise';

/**
 * The kernels the multicore backend runs itself instead of tfjs's CPU ones: those whose share of a
 * training step is large. Each reads its inputs' storage in place and writes a pooled output.
 */

interface StorageBackend {
  storage(dataId: object): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

function float32Storage(backend: StorageBackend, t: tf.TensorInfo): Float32Array {
  return backend.storage(t.dataId) as Float32Array;
}

/** rows × cols → cols × rows */
function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  }
  return out;
}

const stockBatchMatMul = () => tf.getKernel('BatchMatMul', 'cpu')!.kernelFunc;

/**
 * BatchMatMul on the SIMD GEMM over every core. Batches of equal size (or one side unbatched) are
 * done here; anything else (broadcast batch shapes, non-float inputs) goes to tfjs's CPU kernel.
 */
function batchMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA: boolean; transposeB: boolean };
  const backend = args.backend as StorageBackend;
  const rank = a.shape.length;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || b.shape.length !== rank || (batchA !== batchB && batchB !== 1)) {
    return stockBatchMatMul()(args as never) as tf.TensorInfo;
  }
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = b.shape.slice(-2);
  const n = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const m = transposeB ? bRows : bCols;
  if ((transposeB ? bCols : bRows) !== k) {
    throw new Error(`matMul: inner dimensions differ, a [${a.shape}] and b [${b.shape}] (transposeA ${transposeA}, transposeB ${transposeB})`);
  }
  const aValues = float32Storage(backend, a);
  const bValues = float32Storage(backend, b);
  const out = float32Output(batchA * n * m);
  for (let batch = 0; batch < batchA; batch++) {
    const aSlice = aValues.subarray(batch * n * k, (batch + 1) * n * k);
    const bBase = batchB === 1 ? 0 : batch * k * m;
    let bSlice = bValues.subarray(bBase, bBase + k * m);
    if (transposeB) bSlice = transposed(bSlice, m, k);
    const outSlice = out.subarray(batch * n * m, (batch + 1) * n * m);
    if (transposeA) matMulTransposedA(aSlice, k, n, bSlice, m, outSlice);
    else matMul(aSlice, n, k, bSlice, m, outSlice);
  }
  return backend.makeTensorInfo([...a.shape.slice(0, -2), n, m], 'float32', out);
}

export const MULTICORE_KERNELS: tf.KernelConfig[] = [
  { kernelName: 'BatchMatMul', backendName: 'multicore', kernelFunc: batchMatMul as tf.KernelFunc },
  ...ELEMENTWISE_KERNELS,
];
