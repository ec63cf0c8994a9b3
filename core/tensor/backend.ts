import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../errors';
import type { GraphOps } from './graph-ops';
import { kernelGraphOps } from './graph-ops-kernels';
import { nativeGraphOps } from './graph-ops-native';
import { kernelThreadCount, startKernelThreads } from './parallel/kernel-threads';
import { MULTICORE_BACKEND, registerMulticoreBackend } from './multicore/backend';
import { installSegmentSumKernels } from './segment-sum-kernels';
import { loadWebgpuBackend, type GpuAdapterReport } from './webgpu/device';
import { webgpuGraphOps } from './webgpu/graph-ops-webgpu';

/**
 * Chooses the tfjs backend the workbench computes on, best first:
 * tfjs-node-gpu (TensorFlow with CUDA) → WebGPU (Dawn: Vulkan, Metal or D3D12; a real GPU only) →
 * tfjs-node (TensorFlow, CPU) → multicore (the workbench's own CPU engine: SIMD kernels on every
 * core, tensors in JS memory; see multicore/backend.ts) → WASM (XNNPACK, SIMD, one thread, a 4 GiB
 * heap) → the pure-JS 'cpu' backend. The TensorFlow bindings and the WebGPU packages are optional
 * dependencies: they are imported lazily and any failure to load them (or a missing or software-only
 * GPU adapter) is a reason to skip, never an error, unless the user forced that backend; a forced
 * webgpu accepts a software adapter. The graph ops follow the backend: native tf ops on TensorFlow,
 * our WGSL kernels on WebGPU, the project's typed-array kernels elsewhere.
 */

export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'multicore', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendPreference = 'auto' | BackendName;

/** environment variable that forces a backend when no explicit preference is given */
export const BACKEND_ENV_VAR = 'ALIGNAHEAD_BACKEND';

export interface SkippedBackend {
  backend: BackendName;
  reason: string;
}

export interface BackendReport {
  /** the backend chosen, in the workbench's names */
  backend: BackendName;
  /** tf.getBackend() for it ('tensorflow' for both TensorFlow flavours) */
  tfBackend: string;
  /** npm package providing it, and its version */
  package: string;
  version: string;
  /** GraphOps implementation in use ("native" or "kernels") */
  graphOps: string;
  /** compute threads; null where the native library or the GPU decides (TensorFlow, WebGPU) */
  threads: number | null;
  /** threads running the project's graph kernels; null with native graph ops */
  kernelThreads: number | null;
  /** WASM only: whether the SIMD binary was loaded */
  simd?: boolean;
  /** WebGPU only: the GPU adapter (vendor, device, the native API Dawn drives it through) */
  adapter?: GpuAdapterReport;
  /** backends preferred over the chosen one that were not used, and why */
  skipped: SkippedBackend[];
}

interface Candidate {
  name: BackendName;
  tfBackend: string;
  package: string;
  /**
   * makes the backend available to tf (import, register); throws with the reason when it cannot.
   * `forced`: the user named this backend (WebGPU then accepts a software adapter).
   */
  load(forced: boolean): Promise<void>;
}

const require = createRequire(import.meta.url);

function installedVersion(pkg: string): string {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].trim();
}

/** Imports an optional TensorFlow binding, turning each way it can fail into a one-line reason. */
async function loadTensorflowBinding(pkg: string): Promise<void> {
  try {
    // A variable specifier keeps bundlers and tsc from requiring the optional package to exist.
    const specifier: string = pkg;
    await import(specifier);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const line = firstLine(error);
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && line.includes(pkg)) {
      throw new Error('not installed');
    }
    if (/libcud|cuda|libnvinfer/i.test(line)) throw new Error(`CUDA library not found: ${line}`);
    throw new Error(`failed to load: ${line}`);
  }
  // The binding registers its backend with the tfjs-core it resolved; a second copy of tfjs-core
  // (version mismatch) would register it somewhere our tf never looks.
  if (!tf.findBackendFactory('tensorflow')) {
    throw new Error(`failed to load: ${pkg} registered no 'tensorflow' backend with @tensorflow/tfjs ${tf.version.tfjs} (version mismatch?)`);
  }
}

async function loadWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Point the loader at the package's own .wasm files, wherever node_modules is (Electron, tests).
  wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
}

installSegmentSumKernels();

/** the adapter the webgpu candidate loaded, for its report */
let adapter: GpuAdapterReport | undefined;

const CANDIDATES: Candidate[] = [
  {
    name: 'tensorflow-gpu',
    tfBackend: 'tensorflow',
    package: '@tensorflow/tfjs-node-gpu',
    load: () => loadTensorflowBinding('@tensorflow/tfjs-node-gpu'),
  },
  {
    name: 'webgpu',
    tfBackend: 'webgpu',
    package: '@tensorflow/tfjs-backend-webgpu',
    load: async (forced) => {
      adapter = await loadWebgpuBackend(forced);
    },
  },
  {
    name: 'tensorflow',
    tfBackend: 'tensorflow',
    package: '@tensorflow/tfjs-node',
    load: () => loadTensorflowBinding('@tensorflow/tfjs-node'),
  },
  {
    name: 'multicore',
    tfBackend: MULTICORE_BACKEND,
    package: '@tensorflow/tfjs-backend-cpu',
    load: async () => registerMulticoreBackend(),
  },
  { name: 'wasm', tfBackend: 'wasm', package: '@tensorflow/tfjs-backend-wasm', load: loadWasm },
  { name: 'cpu', tfBackend: 'cpu', package: '@tensorflow/tfjs', load: async () => undefined },
];

async function activate(candidate: Candidate, forced: boolean): Promise<BackendReport> {
  await candidate.load(forced);
  let ready: boolean;
  try {
    ready = await tf.setBackend(candidate.tfBackend);
  } catch (error) {
    throw new Error(`failed to initialise: ${firstLine(error)}`);
  }
  if (!ready) throw new Error(`failed to initialise: tf.setBackend('${candidate.tfBackend}') returned false`);
  await tf.ready();
  const report: BackendReport = {
    backend: candidate.name,
    tfBackend: candidate.tfBackend,
    package: candidate.package,
    version: installedVersion(candidate.package),
    graphOps: graphOpsFor(candidate.tfBackend).implementation,
    threads: candidate.tfBackend === 'tensorflow' || candidate.tfBackend === 'webgpu' ? null : 1,
    kernelThreads: null,
    skipped: [],
  };
  if (graphOpsFor(candidate.tfBackend) === kernelGraphOps) {
    report.kernelThreads = kernelThreadCount() > 1 ? kernelThreadCount() : await startKernelThreads();
    // the multicore backend computes its dense products on the same threads
    if (candidate.name === 'multicore') report.threads = report.kernelThreads;
  }
  if (candidate.name === 'webgpu') report.adapter = adapter;
  if (candidate.name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    report.threads = wasm.getThreadsCount();
    report.simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  }
  return report;
}

function resolvePreference(prefer: BackendPreference | undefined): BackendPreference {
  const valid = ['auto', ...BACKEND_NAMES];
  const check = (value: string, source: string): BackendPreference => {
    if (!valid.includes(value)) {
      throw new UserError(`${source}: unknown backend '${value}'; valid backends: ${valid.join(', ')}`);
    }
    return value as BackendPreference;
  };
  if (prefer !== undefined && prefer !== 'auto') return check(prefer, 'backend option');
  const fromEnv = process.env[BACKEND_ENV_VAR]?.trim().toLowerCase();
  if (fromEnv) return check(fromEnv, `environment variable ${BACKEND_ENV_VAR}`);
  return 'auto';
}

async function choose(preference: BackendPreference): Promise<BackendReport> {
  if (preference !== 'auto') {
    const candidate = CANDIDATES.find((c) => c.name === preference)!;
    try {
      return await activate(candidate, true);
    } catch (error) {
      throw new UserError(`backend '${preference}' is unavailable: ${firstLine(error)}`, { cause: error });
    }
  }
  const skipped: SkippedBackend[] = [];
  for (const candidate of CANDIDATES) {
    try {
      const report = await activate(candidate, false);
      report.skipped = skipped;
      return report;
    } catch (error) {
      skipped.push({ backend: candidate.name, reason: firstLine(error) });
    }
  }
  // Unreachable in practice: the pure-JS backend always loads.
  throw new Error(`no tfjs backend could be initialised: ${skipped.map((s) => `${s.backend} (${s.reason})`).join('; ')}`);
}

let current: { preference: BackendPreference; report: Promise<BackendReport> } | null = null;
let lastReport: BackendReport | null = null;

/**
 * Selects and initialises the backend. `prefer` (other than 'auto') wins over ALIGNAHEAD_BACKEND,
 * which wins over the automatic order. A repeated call with the same effective preference returns
 * the same report (re-activating the backend if something switched tf away from it meanwhile).
 * Forcing an unavailable backend, or naming an unknown one, is a UserError.
 */
export async function initBackend(options: { prefer?: BackendPreference } = {}): Promise<BackendReport> {
  const preference = resolvePreference(options.prefer);
  // tfjs's production mode only silences its console advice (e.g. "install tfjs-node" on every
  // process): the report's skipped reasons already say that, in one place the UI and CLI show.
  tf.enableProdMode();
  if (current && current.preference === preference) {
    const report = await current.report;
    if (tf.getBackend() !== report.tfBackend) await tf.setBackend(report.tfBackend);
    return report;
  }
  const attempt = { preference, report: choose(preference) };
  current = attempt;
  try {
    lastReport = await attempt.report;
    return lastReport;
  } catch (error) {
    if (current === attempt) current = null;
    throw error;
  }
}

/** The report of the last successful initBackend, or null before any. */
export function activeBackendReport(): BackendReport | null {
  return lastReport;
}

function graphOpsFor(tfBackend: string): GraphOps {
  if (tfBackend === 'webgpu') return webgpuGraphOps;
  return tfBackend === 'tensorflow' ? nativeGraphOps : kernelGraphOps;
}

/** The GraphOps implementation for the backend tf is using now. */
export function getGraphOps(): GraphOps {
  return graphOpsFor(tf.getBackend());
}
