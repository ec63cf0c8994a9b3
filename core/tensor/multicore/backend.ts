import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { installSegmentSumKernels } from '../segment-sum-kernels';
import { adopt, isPooled, recycle } from './pool';
import { memoryProfiling, runningKernel, timed } from './kernel-profile';
import { MULTICORE_KERNELS } from './kernels';

/**
 * The 'multicore' tfjs backend: the workbench's own CPU engine. Tensors live in ordinary JS memory
 * (no 4 GiB WASM heap: the model's size is bounded by RAM only), the large ones in pooled
 * SharedArrayBuffers that every kernel thread reads in place. The dense products run as SIMD
 * kernels on every core (MULTICORE_KERNELS); every other op is tfjs's own CPU kernel.
 *
 * It is tfjs's CPU backend with two changes to storage: an output that arrives in a pooled buffer
 * is adopted without a copy and its buffer recycled when the tensor is disposed, and readSync (what
 * dataSync returns to callers) hands out a copy of pooled storage, since the buffer may be reused
 * once the tensor is gone. Kernels read storage in place through `storageOf`.
 */
export const MULTICORE_BACKEND = 'multicore';

type BackendValues = Float32Array | Int32Array | Uint8Array;

class MulticoreBackend extends MathBackendCPU {
  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object {
    const label = memoryProfiling() ? `${runningKernel() ?? 'graph op'} [${shape.join(', ')}]` : undefined;
    const stored = ArrayBuffer.isView(values) && !adopt(values, label) ? (values as BackendValues).slice() : values;
    return super.write(stored, shape, dtype);
  }

  override move(dataId: object, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    const stored = ArrayBuffer.isView(values) && !adopt(values) ? (values as BackendValues).slice() : values;
    super.move(dataId, stored, shape, dtype, refCount);
  }

  override readSync(dataId: object): tf.backend_util.BackendValues {
    const values = super.readSync(dataId);
    return ArrayBuffer.isView(values) && isPooled(values) ? (values as BackendValues).slice() : values;
  }

  override disposeData(dataId: object, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId) && ArrayBuffer.isView(values)) recycle(values);
    return released;
  }

  /** A tensor's storage itself; a kernel must not keep it beyond the tensor's life. */
  storage(dataId: object): tf.backend_util.BackendValues {
    return this.data.get(dataId).values!;
  }
}

let registered = false;

/** Registers the backend and its kernels (idempotent): every CPU kernel, then the multicore ones over them. */
export function registerMulticoreBackend(): void {
  if (registered) return;
  registered = true;
  installSegmentSumKernels();
  tf.registerBackend(MULTICORE_BACKEND, () => new MulticoreBackend(), 0);
  const own = new Set(MULTICORE_KERNELS.map((k) => k.kernelName));
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (!own.has(kernel.kernelName)) tf.registerKernel(timed({ ...kernel, backendName: MULTICORE_BACKEND }));
  }
  for (const kernel of MULTICORE_KERNELS) tf.registerKernel(timed({ ...kernel, backendName: MULTICORE_BACKEND }));
}

/** Backends whose tensors live in this process's memory and whose ops run on this CPU. */
const CPU_BACKENDS = new Set([MULTICORE_BACKEND, 'wasm', 'cpu']);

/** Whether tf computes on this CPU now (multicore, wasm or cpu): where a loop over a tensor's values is cheap. */
export function onCpuBackend(): boolean {
  return CPU_BACKENDS.has(tf.getBackend());
}

/** Whether tf computes on the multicore backend now. */
export function onMulticore(): boolean {
  return tf.getBackend() === MULTICORE_BACKEND;
}

/**
 * The values of `t` for a kernel to read: its storage itself on the multicore backend (valid while
 * `t` lives), what dataSync returns elsewhere.
 */
export function storageOf(t: tf.Tensor): tf.backend_util.BackendValues {
  const backend = tf.backend();
  if (backend instanceof MulticoreBackend && backend.data.has(t.dataId)) return backend.storage(t.dataId);
  return t.dataSync();
}
