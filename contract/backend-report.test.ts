import { describe, expect, it } from 'vitest';
import { adapterLabel, gpuOf, readBackendReport } from './backend-report';
import { LAVAPIPE_ADAPTER, storedWebgpuReport } from './testing/backend-reports';

describe('readBackendReport', () => {
  it('reads a webgpu run report as stored by the trainer', () => {
    const view = readBackendReport(storedWebgpuReport('libtensorflow not installed'));
    expect(view).toEqual({
      backend: 'webgpu',
      graphOps: 'webgpu-kernels',
      threads: null,
      kernelThreads: null,
      adapter: LAVAPIPE_ADAPTER,
      skipped: [{ backend: 'tensorflow-gpu', reason: 'libtensorflow not installed' }],
      library: '@tensorflow/tfjs-backend-webgpu 4.22.0',
      simd: null,
    });
  });

  it('fills what an older or damaged report lacks, and refuses what is not a report at all', () => {
    const view = readBackendReport({ backend: 'wasm', threads: 'two', skipped: 'none', adapter: { vendor: 1 } });
    expect(view).toMatchObject({ backend: 'wasm', graphOps: '—', threads: null, kernelThreads: null, adapter: null, skipped: [], library: null });
    for (const junk of [null, undefined, 'wasm', 42, [], {}, { backend: 3 }]) expect(readBackendReport(junk)).toBeNull();
  });
});

describe('adapter labels', () => {
  it('names vendor, device and native API, and says when the adapter is software', () => {
    expect(adapterLabel(LAVAPIPE_ADAPTER)).toBe('mesa llvmpipe (LLVM 15.0.7, 256 bits) (vulkan, software adapter)');
    expect(adapterLabel({ ...LAVAPIPE_ADAPTER, vendor: 'nvidia', device: 'RTX 4090', fallback: false })).toBe('nvidia RTX 4090 (vulkan)');
  });

  it('gpuOf: the label of a stored report with an adapter, null without', () => {
    expect(gpuOf({ backend: 'webgpu', adapter: LAVAPIPE_ADAPTER, skipped: [] })).toMatch(/^mesa llvmpipe/);
    expect(gpuOf({ backend: 'wasm', skipped: [] })).toBeNull();
    expect(gpuOf(null)).toBeNull();
  });
});
