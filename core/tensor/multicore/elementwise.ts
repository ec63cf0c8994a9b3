import * as tf from '@tensorflow/tfjs';
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

const BINARY = {
  Add: (a: number, b: number) => a + b,
  Sub: (a: number, b: number) => a - b,
  Multiply: (a: number, b: number) => a * b,
  RealDiv: (a: number, b: number) => a / b,
} as const;
type BinaryName = keyof typeof BINARY;

/** How b lines up with a (or a with b) when one repeats along leading axes: its period, or null. */
function trailingPeriod(shape: number[], outShape: number[]): number | null {
  const rank = shape.length;
  if (rank > outShape.length) return null;
  for (let i = 1; i <= rank; i++) {
    // leading size-1 axes of the shorter operand are fine; a trailing 1 that broadcasts is not
    if (shape[rank - i] !== outShape[outShape.length - i] && !(shape[rank - i] === 1 && shape.slice(0, rank - i + 1).every((d) => d === 1))) return null;
  }
  return tf.util.sizeFromShape(shape);
}

/**
 * out[i] = op(a[i], b[i mod period]) (or a[i mod period], b[i] with `repeatA`). Written out per op
 * so that each loop is monomorphic (no call per element).
 */
function binaryLoop(name: BinaryName, a: Float32Array, b: Float32Array, out: Float32Array, repeatA: boolean): void {
  const n = out.length;
  const period = repeatA ? a.length : b.length;
  for (let start = 0; start < n; start += period) {
    const end = Math.min(n, start + period);
    const x = repeatA ? a.subarray(0, end - start) : a.subarray(start, end);
    const y = repeatA ? b.subarray(start, end) : b.subarray(0, end - start);
    const o = out.subarray(start, end);
    const len = o.length;
    switch (name) {
      case 'Add':
        for (let i = 0; i < len; i++) o[i] = x[i] + y[i];
        break;
      case 'Sub':
        for (let i = 0; i < len; i++) o[i] = x[i] - y[i];
        break;
      case 'Multiply':
        for (let i = 0; i < len; i++) o[i] = x[i] * y[i];
        break;
      case 'RealDiv':
        for (let i = 0; i < len; i++) o[i] = x[i] / y[i];
        break;
    }
  }
}

function binaryScalar(name: BinaryName, a: Float32Array, s: number, out: Float32Array, scalarFirst: boolean): void {
  const n = out.length;
  const op = BINARY[name];
  if (scalarFirst) {
    for (let i = 0; i < n; i++) out[i] = op(s, a[i]);
    return;
  }
  switch (name) {
    case 'Add':
      for (let i = 0; i < n; i++) out[i] = a[i] + s;
      break;
    case 'Sub':
      for (let i = 0; i < n; i++) out[i] = a[i] - s;
      break;
    case 'Multiply':
      for (let i = 0; i < n; i++) out[i] = a[i] * s;
      break;
    case 'RealDiv':
      for (let i = 0; i < n; i++) out[i] = a[i] / s;
      break;
  }
}

function binaryKernel(name: BinaryName): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(name, args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const size = tf.util.sizeFromShape(outShape);
    const backend = args.backend as StorageBackend;
    const aValues = floats(backend, a);
    const bValues = floats(backend, b);
    const out = float32Output(size);
    if (bValues.length === 1 && aValues.length === size) binaryScalar(name, aValues, bValues[0], out, false);
    else if (aValues.length === 1 && bValues.length === size) binaryScalar(name, bValues, aValues[0], out, true);
    else if (aValues.length === size && trailingPeriod(b.shape, outShape) !== null) binaryLoop(name, aValues, bValues, out, false);
    else if (bValues.length === size && trailingPeriod(a.shape, outShape) !== null) binaryLoop(name, aValues, bValues, out, true);
    else return stock(name, args);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
  return { kernelName: name, backendName: 'multicore', kernelFunc: kernelFunc as tf.KernelFunc };
}

const UNARY = ['Exp', 'Log', 'Neg', 'Sqrt', 'Square', 'Relu', 'Elu'] as const;
type UnaryName = (typeof UNARY)[number];

function unaryLoop(name: UnaryName, x: Float32Array, out: Float32Array): void {
  const n = x.length;
  switch (name) {
    case 'Exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      break;
    case 'Log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      break;
    case 'Neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      break;
    case 'Sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      break;
    case 'Square':
      for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      break;
    case 'Relu':
      for (let i = 0; i < n; i++) out[i] = Math.max(0, x[i]);
      break;
    case 'Elu':
      for (let i = 0; i < n; i++) out[i] = x[i] >= 0 ? x[i] : Math.exp(x[i]) - 1;
      break;
  }
}

function unaryKernel(name: UnaryName): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return stock(name, args);
    const backend = args.backend as StorageBackend;
    const values = floats(backend, x);
    const out = float32Output(values.length);
    unaryLoop(name, values, out);
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
    for (let i = 0; i < values.length; i++) out[i] = values[i] < 0 ? alpha * values[i] : values[i];
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
    const dyValues = floats(backend, dy);
    const out = float32Output(yValues.length);
    for (let i = 0; i < yValues.length; i++) out[i] = yValues[i] >= 0 ? dyValues[i] : dyValues[i] * (yValues[i] + 1);
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
  ...(Object.keys(BINARY) as BinaryName[]).map(binaryKernel),
  ...UNARY.map(unaryKernel),
  leakyRelu,
  eluGrad,
  sum,
  transpose,
  splitV,
];
