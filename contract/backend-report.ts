import { z } from 'zod';
import type { BackendInfo, GpuAdapterInfo } from './api';

/**
 * A run's stored backend report (RunDetail.backendReport, JSON written by the trainer) read back for
 * display: what BackendInfo carries plus the library and its version. Stored JSON is data from disk,
 * possibly from an older version: it is parsed, never trusted, and what does not parse is null.
 */

export interface BackendReportView extends BackendInfo {
  /** the npm package computing, with its version: "@tensorflow/tfjs-backend-wasm 4.22.0" */
  library: string | null;
  /** WASM only: whether the SIMD binary was loaded */
  simd: boolean | null;
}

const adapterSchema = z.object({
  vendor: z.string(),
  architecture: z.string().catch(''),
  device: z.string(),
  description: z.string().catch(''),
  backendType: z.string(),
  fallback: z.boolean().catch(false),
});

const reportSchema = z.object({
  backend: z.string(),
  graphOps: z.string().catch('—'),
  threads: z.number().int().nullable().catch(null),
  kernelThreads: z.number().int().nullable().optional().catch(null),
  package: z.string().optional().catch(undefined),
  version: z.string().optional().catch(undefined),
  simd: z.boolean().optional().catch(undefined),
  adapter: adapterSchema.nullable().optional().catch(null),
  skipped: z.array(z.object({ backend: z.string(), reason: z.string() })).catch([]),
});

export function readBackendReport(stored: unknown): BackendReportView | null {
  const parsed = reportSchema.safeParse(stored);
  if (!parsed.success) return null;
  const report = parsed.data;
  return {
    backend: report.backend,
    graphOps: report.graphOps,
    threads: report.threads,
    kernelThreads: report.kernelThreads ?? null,
    adapter: report.adapter ?? null,
    skipped: report.skipped,
    library: report.package ? `${report.package}${report.version ? ` ${report.version}` : ''}` : null,
    simd: report.simd ?? null,
  };
}

/** "mesa llvmpipe-… (vulkan, software adapter)": the GPU a webgpu run computes on, in one phrase. */
export function adapterLabel(adapter: GpuAdapterInfo): string {
  return `${adapter.vendor} ${adapter.device} (${adapter.backendType}${adapter.fallback ? ', software adapter' : ''})`;
}

/** The adapter label of a stored backend report, or null for runs that did not compute on a GPU. */
export function gpuOf(stored: unknown): string | null {
  const adapter = readBackendReport(stored)?.adapter;
  return adapter ? adapterLabel(adapter) : null;
}

/** "2 threads" / "decided by the library": how many threads the tensor library computes on. */
export function threadsLabel(threads: number | null): string {
  return threads === null ? 'decided by the library or GPU' : `${threads} thread${threads === 1 ? '' : 's'}`;
}
