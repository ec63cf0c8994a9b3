import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../contract/run-config';
import { UserError } from '../errors';
import { kernelThreadCount } from './parallel/kernel-threads';
import { BACKEND_ENV_VAR, BACKEND_NAMES, getGraphOps, initBackend } from './backend';
import { kernelGraphOps } from './graph-ops-kernels';
import { probeAdapter, type GpuAdapterReport } from './webgpu/device';
import { webgpuGraphOps } from './webgpu/graph-ops-webgpu';
import { webgpuSkipReason } from './webgpu/testing/availability';

function isInstalled(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const webgpuSkip = await webgpuSkipReason();
const adapter: GpuAdapterReport | null = webgpuSkip ? null : await probeAdapter();

const savedEnv = process.env[BACKEND_ENV_VAR];
afterEach(() => {
  if (savedEnv === undefined) delete process.env[BACKEND_ENV_VAR];
  else process.env[BACKEND_ENV_VAR] = savedEnv;
});

describe('initBackend', () => {
  it('forces the pure-JS cpu backend, with the typed-array kernels', async () => {
    const report = await initBackend({ prefer: 'cpu' });
    expect(report).toMatchObject({ backend: 'cpu', tfBackend: 'cpu', graphOps: 'kernels', threads: 1, skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect(getGraphOps()).toBe(kernelGraphOps);
    // the graph kernels run on one thread per core unless ALIGNAHEAD_THREADS says otherwise
    expect(report.kernelThreads).toBe(process.env.ALIGNAHEAD_THREADS ? Number(process.env.ALIGNAHEAD_THREADS) : availableParallelism());
    expect(kernelThreadCount()).toBe(report.kernelThreads);
  });

  it('forces the WASM backend and reports SIMD and its thread count', async () => {
    const report = await initBackend({ prefer: 'wasm' });
    expect(report).toMatchObject({ backend: 'wasm', tfBackend: 'wasm', package: '@tensorflow/tfjs-backend-wasm', graphOps: 'kernels' });
    expect(report.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof report.simd).toBe('boolean');
    expect(report.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getBackend()).toBe('wasm');
    expect(getGraphOps()).toBe(kernelGraphOps);
  });

  it('forces the multicore engine, which computes on every kernel thread', async () => {
    const report = await initBackend({ prefer: 'multicore' });
    expect(report).toMatchObject({ backend: 'multicore', tfBackend: 'multicore', package: '@tensorflow/tfjs-backend-cpu', graphOps: 'kernels' });
    expect(tf.getBackend()).toBe('multicore');
    expect(getGraphOps()).toBe(kernelGraphOps);
    expect(report.threads).toBe(kernelThreadCount());
    expect(report.kernelThreads).toBe(kernelThreadCount());
  });

  it('returns the same report for a repeated request and switches on a different one', async () => {
    const first = await initBackend({ prefer: 'cpu' });
    expect(await initBackend({ prefer: 'cpu' })).toBe(first);
    const wasm = await initBackend({ prefer: 'wasm' });
    expect(wasm.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const again = await initBackend({ prefer: 'cpu' });
    expect(again.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('re-activates its backend when something switched tf away meanwhile', async () => {
    const report = await initBackend({ prefer: 'cpu' });
    await tf.setBackend('wasm');
    expect(await initBackend({ prefer: 'cpu' })).toBe(report);
    expect(tf.getBackend()).toBe('cpu');
  });

  it.skipIf(isInstalled('@tensorflow/tfjs-node'))('says clearly that a forced TensorFlow backend is not installed', async () => {
    await expect(initBackend({ prefer: 'tensorflow' })).rejects.toThrow(UserError);
    await expect(initBackend({ prefer: 'tensorflow' })).rejects.toThrow("backend 'tensorflow' is unavailable: not installed");
  });

  it.skipIf(isInstalled('@tensorflow/tfjs-node-gpu'))('says clearly that a forced TensorFlow GPU backend is not installed', async () => {
    await expect(initBackend({ prefer: 'tensorflow-gpu' })).rejects.toThrow("backend 'tensorflow-gpu' is unavailable: not installed");
  });

  it.skipIf(isInstalled('@tensorflow/tfjs-node') || isInstalled('@tensorflow/tfjs-node-gpu'))(
    'in auto mode skips the missing TensorFlow bindings, saying why, and takes WebGPU only on a real GPU (else the multicore engine, saying why not)',
    async () => {
      delete process.env[BACKEND_ENV_VAR];
      const report = await initBackend();
      if (adapter && !adapter.fallback) {
        expect(report).toMatchObject({ backend: 'webgpu', adapter, skipped: [{ backend: 'tensorflow-gpu', reason: 'not installed' }] });
        return;
      }
      expect(report.backend).toBe('multicore');
      expect(report.skipped).toEqual([
        { backend: 'tensorflow-gpu', reason: 'not installed' },
        { backend: 'webgpu', reason: expect.any(String) },
        { backend: 'tensorflow', reason: 'not installed' },
      ]);
      const webgpu = report.skipped[1].reason;
      if (adapter) expect(webgpu).toBe(`only a software adapter (${adapter.vendor} ${adapter.device}): correct but slower than the CPU; force it with --backend webgpu`);
      else expect(webgpu).toMatch(/not installed|no WebGPU adapter/);
    },
  );

  it.skipIf(webgpuSkip)('forces WebGPU, on a software adapter too, with the WGSL graph ops, and names the adapter', async () => {
    const report = await initBackend({ prefer: 'webgpu' });
    expect(report).toMatchObject({ backend: 'webgpu', tfBackend: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu', graphOps: 'webgpu', threads: null, kernelThreads: null, skipped: [] });
    expect(report.adapter).toEqual(adapter);
    expect(report.adapter!.vendor).not.toBe('');
    expect(report.adapter!.backendType).toBe({ linux: 'vulkan', darwin: 'metal', win32: 'd3d12' }[process.platform as string] ?? report.adapter!.backendType);
    expect(tf.getBackend()).toBe('webgpu');
    expect(getGraphOps()).toBe(webgpuGraphOps);
    process.env[BACKEND_ENV_VAR] = 'webgpu';
    expect(await initBackend()).toBe(report);
    expect((await initBackend({ prefer: 'cpu' })).backend).toBe('cpu');
  });

  it('offers the contract exactly the backends it can choose from', () => {
    expect(BACKENDS).toEqual(['auto', ...BACKEND_NAMES]);
  });

  it('rejects an unknown backend name, listing the valid ones', async () => {
    const attempt = initBackend({ prefer: 'vulkan' as never });
    await expect(attempt).rejects.toThrow(UserError);
    await expect(initBackend({ prefer: 'vulkan' as never })).rejects.toThrow(
      `unknown backend 'vulkan'; valid backends: auto, ${BACKEND_NAMES.join(', ')}`,
    );
  });

  it(`honours ${BACKEND_ENV_VAR} when no backend is asked for, and an explicit choice over it`, async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    expect((await initBackend()).backend).toBe('cpu');
    expect((await initBackend({ prefer: 'auto' })).backend).toBe('cpu');
    expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
    process.env[BACKEND_ENV_VAR] = ' WASM ';
    expect((await initBackend()).backend).toBe('wasm');
  });

  it(`names ${BACKEND_ENV_VAR} when it holds an unknown backend`, async () => {
    process.env[BACKEND_ENV_VAR] = 'gpu';
    await expect(initBackend()).rejects.toThrow(`environment variable ${BACKEND_ENV_VAR}: unknown backend 'gpu'`);
  });
});
