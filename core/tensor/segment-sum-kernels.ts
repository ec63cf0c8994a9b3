import * as tf from '@tensorflow/tfjs';

/**
 * Linear-time UnsortedSegmentSum kernels for the 'cpu' and 'wasm' backends.
 *
 * tf's gradient of gather is an UnsortedSegmentSum, so every model that gathers rows (embeddings,
 * the training nodes of a loss, the reference graph ops) runs one in its backward pass. In tfjs 4.22
 * the WASM backend has no such kernel at all (the backward pass throws), and the CPU one builds a
 * mask per segment, costing segments × rows × columns: minutes for a 10k-node graph. Both are
 * replaced by one pass over the rows. Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */

type BackendValues = Float32Array | Int32Array;

interface CpuBackendLike {
  readSync(dataId: object): BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: BackendValues): tf.TensorInfo;
}

interface WasmBackendLike {
  readSync(dataId: object): BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): BackendValues;
}

function accumulateSegments(values: BackendValues, ids: BackendValues, rowLength: number, numSegments: number, out: BackendValues): void {
  out.fill(0);
  for (let row = 0; row < ids.length; row++) {
    const segment = ids[row];
    if (segment < 0 || segment >= numSegments) continue;
    const from = row * rowLength;
    const to = segment * rowLength;
    for (let k = 0; k < rowLength; k++) out[to + k] += values[from + k];
  }
}

function shapes(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = attrs.numSegments as number;
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const rowLength = tf.util.sizeFromShape(rowShape);
  const outShape = [numSegments, ...rowShape];
  return { x, segmentIds, numSegments, rowLength, outShape };
}

const cpuKernel: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const cpu = backend as unknown as CpuBackendLike;
    const { x, segmentIds, numSegments, rowLength, outShape } = shapes(inputs, attrs ?? {});
    const out = x.dtype === 'int32' ? new Int32Array(numSegments * rowLength) : new Float32Array(numSegments * rowLength);
    accumulateSegments(cpu.readSync(x.dataId), cpu.readSync(segmentIds.dataId), rowLength, numSegments, out);
    return cpu.makeTensorInfo(outShape, x.dtype, out);
  },
};

const wasmKernel: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const { x, segmentIds, numSegments, rowLength, outShape } = shapes(inputs, attrs ?? {});
    // Read the inputs (copies) before allocating: growing the heap detaches earlier views.
    const values = wasm.readSync(x.dataId);
    const ids = wasm.readSync(segmentIds.dataId);
    const output = wasm.makeOutput(outShape, x.dtype);
    accumulateSegments(values, ids, rowLength, numSegments, wasm.typedArrayFromHeap(output));
    return output;
  },
};

/** Installs both kernels (idempotent; replaces tfjs' own CPU kernel). */
export function installSegmentSumKernels(): void {
  for (const config of [cpuKernel, wasmKernel]) {
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (existing === config) continue;
    if (existing) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
