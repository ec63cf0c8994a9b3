/** Test fixtures: backend reports as the trainer stores them (core/tensor's report, saved as JSON). */

/** Mesa's software Vulkan adapter, as WebGPU describes it on a machine without a GPU. */
export const LAVAPIPE_ADAPTER = {
  vendor: 'mesa',
  architecture: '',
  device: 'llvmpipe (LLVM 15.0.7, 256 bits)',
  description: 'Mesa 24.2.8',
  backendType: 'vulkan',
  fallback: true,
};

/** A stored report of a run on WebGPU over lavapipe, after tensorflow-gpu was skipped for `skippedReason`. */
export function storedWebgpuReport(skippedReason: string) {
  return {
    backend: 'webgpu',
    tfBackend: 'webgpu',
    package: '@tensorflow/tfjs-backend-webgpu',
    version: '4.22.0',
    graphOps: 'webgpu-kernels',
    threads: null,
    kernelThreads: null,
    adapter: LAVAPIPE_ADAPTER,
    skipped: [{ backend: 'tensorflow-gpu', reason: skippedReason }],
  };
}
