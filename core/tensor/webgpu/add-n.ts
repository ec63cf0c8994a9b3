import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-webgpu's AddN binds every input at once. Past the device's storage-buffer limit per
 * shader stage (8 by WebGPU's default) the pipeline is invalid and the whole batch of commands
 * recorded with it silently computes nothing. Losses summed over many plan pairs or peers reach
 * that. This replaces the kernel with one that sums in chunks the device can bind, each through the
 * original kernel. Sums of at most limit − 1 inputs are unchanged.
 */

interface DeviceBackend {
  device: { limits: Record<string, number> };
  disposeData(dataId: object): void;
}

let installed = false;

// tfjs hands AddN its inputs as an array (typed as a map), and the webgpu kernel maps over it.
const asInputs = (list: tf.TensorInfo[]) => list as unknown as tf.NamedTensorInfoMap;

export function installChunkedAddN(): void {
  if (installed) return;
  const original = tf.getKernel('AddN', 'webgpu');
  if (!original) return;
  const kernelFunc: tf.KernelFunc = (args) => {
    const inputs = Object.values(args.inputs) as tf.TensorInfo[];
    const backend = args.backend as unknown as DeviceBackend;
    const chunk = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= chunk) return original.kernelFunc(args);
    let partial = inputs;
    while (partial.length > chunk) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < partial.length; i += chunk) {
        const group = partial.slice(i, i + chunk);
        next.push(group.length === 1 ? group[0] : (original.kernelFunc({ ...args, inputs: asInputs(group) }) as tf.TensorInfo));
      }
      // intermediate sums (not the caller's inputs) are ours to release
      for (const t of partial) if (!inputs.includes(t) && !next.includes(t)) backend.disposeData(t.dataId);
      partial = next;
    }
    const result = original.kernelFunc({ ...args, inputs: asInputs(partial) }) as tf.TensorInfo;
    for (const t of partial) if (!inputs.includes(t)) backend.disposeData(t.dataId);
    return result;
  };
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ kernelName: 'AddN', backendName: 'webgpu', kernelFunc });
  installed = true;
}
