import * as tf from '@tensorflow/tfjs';
import { type BinaryOp, type UnaryOp } from '../kernels/elementwise';
import { runRange } from '../parallel/kernel-threads';
import { shareable } from '../parallel/shared-buffers';
import { pooledFloat32 } from './pool';

/**
 * Element-wise kernels and reductions of the multicore backend for the shapes a training step
 * uses: tfjs's CPU kernels call a closure per element and compute every broadcast index (the
 * `[N, F] + [F]` of a bias costs ~30 ns per element there, ~1 ns here), and reduce along a leading
 * axis by transposing first. The arithmetic is the CPU kernels' (float64, rounded to float32 on
 * store; sums in the same order), so results are identical to tfjs's CPU backend. Shapes and types
 * outside the handled patterns go to the CPU kernel.
 */

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

interface StorageBackend {
  storage(dataId: object): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

/** below this, outputs are plain arrays: pooling pays for large buffers only */
const POOL_MIN_LENGTH = 4096;

export function float32Output(length: number): Float32Array {
  return length >= POOL_MIN_LENGTH ? pooledFloat32(length) : new Float32Array(length);
}

function stock(name: string, args: KernelArgs): tf.TensorInfo {
  return tf.getKernel(name, 'cpu')!.kernelFunc(args as never) as tf.TensorInfo;
}

function floats(backend: StorageBackend, t: tf.TensorInfo): Float32Array {
  return backend.storage(t.dataId) as Float32Array;
}

const BINARY: BinaryOp[] = ['Add', 'Sub', 'Multiply', 'RealDiv'];
const UNARY: UnaryOp[] = ['Exp', 'Log', 'Neg', 'Sqrt', 'Square', 'Relu', 'Elu'];

/**
 * Kernel threads read operands in shared memory only: a small one (a bias row, a scalar) is copied
 * there; a large one outside it (the input features) costs a pass to copy, so its op stays on the
 * calling thread.
 */
function threadable(values: Float32Array): Float32Array {
  return values.length <= POOL_MIN_LENGTH ? shareable(values) : values;
}

/** elements per thread range: whole cache lines, and enough to amortise the split */
const GRANULE = 1024;

/** Whether b repeats along a's leading axes (b's shape, past leading 1s, is a suffix of the output's). */
function repeatsAlongLeadingAxes(shape: number[], outShape: number[]): boolean {
  const dims = shape.slice(shape.findIndex((d) => d !== 1));
  if (shape.every((d) => d === 1)) return true;
  return dims.length <= outShape.length && dims.every((d, i) => d === outShape[outShape.length - dims.length + i]);
}

function binaryKernel(name: BinaryOp): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(name, args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const size = tf.util.sizeFromShape(outShape);
    const backend = args.backend as StorageBackend;
    const aValues = threadable(floats(backend, a));
    const bValues = threadable(floats(backend, b));
    let repeatA: boolean;
    if (aValues.length === size && repeatsAlongLeadingAxes(b.shape, outShape)) repeatA = false;
    else if (bValues.length === size && repeatsAlongLeadingAxes(a.shape, outShape)) repeatA = true;
    else return stock(name, args);
    const out = float32Output(size);
    runRange('binaryRange', size, GRANULE, size, [name, aValues, bValues, out, repeatA]);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
  return { kernelName: name, backendName: 'multicore', kernelFunc: kernelFunc as tf.KernelFunc };
}

function unaryKernel(name: UnaryOp): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return stock(name, args);
    const backend = args.backend as StorageBackend;
    const values = floats(backend, x);
    const out = float32Output(values.length);
    // exp and log cost ~10 ns: worth splitting at a fifth of the size of a cheap op
    const work = name === 'Exp' || name === 'Log' || name === 'Elu' ? 5 * values.length : values.length;
    runRange('unaryRange', values.length, GRANULE, work, [name, values, out]);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
  return { kernelName: name, backendName: 'multicore', kernelFunc: kernelFunc as tf.KernelFunc };
}

const leakyRelu: tf.KernelConfig = {
  kernelName: 'LeakyRelu',
  backendName: 'multicore',
  kernelFunc: ((args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const alpha = (args.attrs as { alpha: number }).alpha;
    const backend = args.backend as StorageBackend;
    const values = floats(backend, x);
    const out = float32Output(values.length);
    runRange('leakyReluRange', values.length, GRANULE, values.length, [values, alpha, out]);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  }) as tf.KernelFunc,
};

const eluGrad: tf.KernelConfig = {
  kernelName: 'EluGrad',
  backendName: 'multicore',
  kernelFunc: ((args: KernelArgs) => {
    const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
    const backend = args.backend as StorageBackend;
    const yValues = floats(backend, y);
    const out = float32Output(yValues.length);
    runRange('eluGradRange', yValues.length, GRANULE, yValues.length, [floats(backend, dy), yValues, out]);
    return backend.makeTensorInfo(y.shape, 'float32', out);
  }) as tf.KernelFunc,
};

/**
 * Sum over a block of leading axes (column sums of the flattened [outer, inner]) or of trailing
 * axes (row sums), each output in ascending input order as the CPU kernel sums after transposing.
 */
const sum: tf.KernelConfig = {
  kernelName: 'Sum',
  backendName: 'multicore',
  kernelFunc: ((args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    if (x.dtype !== 'float32') return stock('Sum', args);
    const rank = x.shape.length;
    const axes = [...tf.util.parseAxisParam(axis, x.shape)].sort((p, q) => p - q);
    const leading = axes.every((a, i) => a === i);
    const trailing = axes.every((a, i) => a === rank - axes.length + i);
    if (!leading && !trailing) return stock('Sum', args);
    const backend = args.backend as StorageBackend;
    const values = floats(backend, x);
    const reduced = axes.reduce((p, a) => p * x.shape[a], 1);
    const kept = tf.util.sizeFromShape(x.shape.filter((_, i) => !axes.includes(i)));
    const out = float32Output(kept);
    if (trailing) {
      for (let i = 0; i < out.length; i++) {
        let total = 0;
        const base = i * reduced;
        for (let j = 0; j < reduced; j++) total += values[base + j];
        out[i] = total;
      }
    } else {
      const totals = new Float64Array(kept);
      for (let r = 0; r < reduced; r++) {
        const base = r * kept;
        for (let c = 0; c < kept; c++) totals[c] += values[base + c];
      }
      out.set(totals);
    }
    const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return backend.makeTensorInfo(shape, 'float32', out);
  }) as tf.KernelFunc,
};

/** Transpose of a 2-D float32 tensor, in cache-sized blocks. */
const transpose: tf.KernelConfig = {
  kernelName: 'Transpose',
  backendName: 'multicore',
  kernelFunc: ((args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as { perm: number[] };
    if (x.dtype !== 'float32' || x.shape.length !== 2 || perm[0] !== 1) return stock('Transpose', args);
    const backend = args.backend as StorageBackend;
    const [rows, cols] = x.shape;
    const values = floats(backend, x);
    const out = float32Output(values.length);
    const block = 32;
    for (let r0 = 0; r0 < rows; r0 += block) {
      for (let c0 = 0; c0 < cols; c0 += block) {
        for (let r = r0; r < Math.min(rows, r0 + block); r++) {
          for (let c = c0; c < Math.min(cols, c0 + block); c++) out[c * rows + r] = values[r * cols + c];
        }
      }
    }
    return backend.makeTensorInfo([cols, rows], 'float32', out);
  }) as tf.KernelFunc,
};

/** Split along one axis into consecutive pieces: each piece copies runs of its width per leading index. */
const splitV: tf.KernelConfig = {
  kernelName: 'SplitV',
  backendName: 'multicore',
  kernelFunc: ((args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    if (x.dtype !== 'float32') return stock('SplitV', args);
    const backend = args.backend as StorageBackend;
    const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, $axis);
    const outer = x.shape.slice(0, $axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice($axis + 1).reduce((p, d) => p * d, 1);
    const rowLength = x.shape[$axis] * inner;
    const values = floats(backend, x);
    let offset = 0;
    return sizes.map((size) => {
      const width = size * inner;
      const out = float32Output(outer * width);
      for (let o = 0; o < outer; o++) out.set(values.subarray(o * rowLength + offset, o * rowLength + offset + width), o * width);
      offset += width;
      const shape = x.shape.slice();
      shape[$axis] = size;
      return backend.makeTensorInfo(shape, 'float32', out);
    });
  }) as tf.KernelFunc,
};

export const ELEMENTWISE_KERNELS: tf.KernelConfig[] = [
  ...BINARY.map(binaryKernel),
  ...UNARY.map(unaryKernel),
  leakyRelu,
  eluGrad,
  sum,
  transpose,
  splitV,
];
