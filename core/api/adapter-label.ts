import type { GpuAdapterInfo } from '../../contract/api';

/** "mesa llvmpipe-… (vulkan, software adapter)": the GPU a webgpu run computes on, in one phrase. */
export function adapterLabel(adapter: GpuAdapterInfo): string {
  return `${adapter.vendor} ${adapter.device} (${adapter.backendType}${adapter.fallback ? ', software adapter' : ''})`;
}

/** The adapter label of a stored backend report, or null for runs that did not compute on a GPU. */
export function gpuOf(backendReport: unknown): string | null {
  const adapter = (backendReport as { adapter?: GpuAdapterInfo | null } | null)?.adapter;
  return adapter ? adapterLabel(adapter) : null;
}
