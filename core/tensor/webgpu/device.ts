import * as tf from '@tensorflow/tfjs';
import type { GpuAdapterInfo } from '../../../contract/api';
import { installChunkedAddN } from './add-n';
import { importDawn, importTfjsWebgpu } from './packages';
import type { GpuAdapterLike, GpuDeviceLike, GpuLike } from './types';

/**
 * The process's one WebGPU device, through Dawn's Node binding (`webgpu`), registered as tfjs's
 * 'webgpu' backend. Dawn drives the platform's native API: Vulkan on Linux, Metal on macOS, D3D12
 * (else Vulkan) on Windows. See ../shared/docs/GPU.md for the facts and traps this follows.
 */

/** What the backend report says about the GPU (also stored with each run and shown in the UI). */
export type GpuAdapterReport = GpuAdapterInfo;

const BACKEND_TYPES: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['vulkan'],
  darwin: ['metal'],
  win32: ['d3d12', 'vulkan'],
};

interface FoundAdapter {
  gpu: GpuLike;
  adapter: GpuAdapterLike;
  report: GpuAdapterReport;
}

// Every Dawn object stays reachable for the life of the process: if V8 collects the instance while
// its device works, Dawn aborts ("futex facility returned an unexpected error code") or crashes.
const held: unknown[] = [];
let found: Promise<FoundAdapter> | null = null;
let device: GpuDeviceLike | null = null;
let loss: { reason: string; message: string } | null = null;
let firstError: string | null = null;
let registered = false;

function adapterReport(adapter: GpuAdapterLike, backendType: string): GpuAdapterReport {
  const info = adapter.info ?? {};
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
  return {
    vendor: info.vendor || 'unknown',
    architecture: info.architecture ?? '',
    device: info.device || info.description || 'unknown',
    description: info.description ?? '',
    backendType,
    // Dawn flags lavapipe as a fallback; SwiftShader-style adapters are caught by name as well.
    fallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || /software|llvmpipe|lavapipe|swiftshader|softpipe/i.test(text),
  };
}

/** Makes Dawn's instance the process's WebGPU: its globals (GPUBufferUsage, …) and navigator.gpu. */
function installGlobals(globals: Record<string, unknown>, gpu: GpuLike): void {
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const holder = globalThis as { navigator?: object };
  // Node ≥ 21 and Electron already have a navigator (without gpu): extend it rather than replace it.
  if (holder.navigator) Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

async function findAdapter(): Promise<FoundAdapter> {
  const dawn = await importDawn();
  const types = BACKEND_TYPES[process.platform] ?? [''];
  for (const type of types) {
    const gpu = dawn.create(type ? [`backend=${type}`] : []);
    held.push(gpu);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) continue;
    held.push(adapter);
    installGlobals(dawn.globals, gpu);
    return { gpu, adapter, report: adapterReport(adapter, type || 'default') };
  }
  const hint = process.platform === 'linux' ? ' (it needs a Vulkan driver and libvulkan.so.1)' : '';
  throw new Error(`no WebGPU adapter: Dawn found no ${types.join(' or ')} device${hint}`);
}

/** The adapter Dawn offers this process (probed once; a failure is cached with its reason). */
export function probeAdapter(): Promise<GpuAdapterReport> {
  found ??= findAdapter();
  return found.then((f) => f.report);
}

async function requestDevice(adapter: GpuAdapterLike): Promise<GpuDeviceLike> {
  const limits = adapter.limits;
  // The largest buffers and dispatches the adapter allows (WebGPU's defaults are far smaller), as
  // tfjs-backend-webgpu asks for them itself.
  const wanted = [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
    'maxStorageBuffersPerShaderStage',
  ];
  const created = await adapter.requestDevice({ requiredLimits: Object.fromEntries(wanted.map((name) => [name, limits[name]])) });
  held.push(created);
  void created.lost.then((info) => {
    loss = { reason: info.reason, message: info.message };
  });
  const target = created as unknown as { addEventListener?(type: string, listener: (event: { error?: { message?: string } }) => void): void };
  target.addEventListener?.('uncapturederror', (event) => {
    firstError ??= event.error?.message ?? 'unknown WebGPU error';
  });
  device = created;
  return created;
}

/**
 * Makes tfjs's 'webgpu' backend available on the probed adapter. `allowSoftware` accepts a
 * software adapter (a forced `--backend webgpu`, the tests); auto selection wants a real GPU.
 * Throws a one-line reason when it cannot. The device itself is created when tf first activates
 * the backend.
 */
export async function loadWebgpuBackend(allowSoftware: boolean): Promise<GpuAdapterReport> {
  const { adapter, report } = await (found ??= findAdapter());
  if (report.fallback && !allowSoftware) {
    throw new Error(`only a software adapter (${report.vendor} ${report.device}): correct but slower than the CPU; force it with --backend webgpu`);
  }
  if (!registered) {
    const { WebGPUBackend } = await importTfjsWebgpu();
    // Importing the package registers kernels, and a backend factory of its own only where a
    // navigator.gpu existed at import; ours uses the adapter probed above and watches its device.
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', async () => new WebGPUBackend(await requestDevice(adapter), adapter.info), 0);
    installChunkedAddN();
    registered = true;
  }
  return report;
}

/**
 * Why the device can no longer be trusted: lost (driver reset, GPU removed, destroyed) or an
 * uncaptured validation error (a kernel that did not compile computes nothing, silently). Null
 * while all is well or before any device exists.
 */
export function webgpuDeviceFailure(): string | null {
  if (loss) return `the GPU device was lost (${loss.reason}${loss.message ? `: ${loss.message}` : ''})`;
  if (firstError) return `the GPU reported an error: ${firstError.split('\n')[0]}`;
  return null;
}

/** The device of the registered backend, once tf has activated it (tests use it to simulate a loss). */
export function webgpuDevice(): GpuDeviceLike | null {
  return device;
}
