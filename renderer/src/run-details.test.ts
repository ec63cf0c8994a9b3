import { describe, expect, it } from 'vitest';
import { readBackendReport } from '../../contract/backend-report';
import { backendRows, versionsText } from './run-details';

describe('backendRows', () => {
  it('a CPU run: library, threads, SIMD and no adapter', () => {
    const report = readBackendReport({ backend: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: '4.22.0', graphOps: 'kernels', threads: 1, kernelThreads: 2, simd: true, skipped: [] })!;
    expect(backendRows(report)).toEqual([
      ['backend', 'wasm'],
      ['library', '@tensorflow/tfjs-backend-wasm 4.22.0'],
      ['graph ops', 'kernels'],
      ['threads', '1 thread'],
      ['graph kernels', '2 threads'],
      ['SIMD', 'yes'],
      ['adapter', 'none (computed on the CPU)'],
    ]);
  });

  it('a webgpu run names its adapter', () => {
    const adapter = { vendor: 'mesa', architecture: '', device: 'llvmpipe', description: '', backendType: 'vulkan', fallback: true };
    const rows = backendRows(readBackendReport({ backend: 'webgpu', graphOps: 'webgpu', threads: null, adapter, skipped: [] })!);
    expect(rows).toContainEqual(['threads', 'decided by the library or GPU']);
    expect(rows).toContainEqual(['adapter', 'mesa llvmpipe (vulkan, software adapter)']);
  });
});

describe('versionsText', () => {
  it('joins the stored versions, platform last as it is', () => {
    expect(versionsText({ app: '0.1.0', tfjs: '4.22.0', node: 'v20.20.2', platform: 'linux-x64' })).toBe('app 0.1.0 · tfjs 4.22.0 · node v20.20.2 · linux-x64');
    expect(versionsText(null)).toBeNull();
    expect(versionsText({ nested: { x: 1 } })).toBeNull();
    expect(versionsText(['a'])).toBeNull();
  });
});
