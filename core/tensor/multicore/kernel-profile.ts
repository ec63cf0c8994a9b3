import * as tf from '@tensorflow/tfjs';

/**
 * Per-kernel wall time on the multicore backend, for the benchmark's profile table: with
 * ALIGNAHEAD_KERNEL_PROFILE=1 set before the backend registers, every kernel (tfjs's and ours) is
 * timed by name. Custom-gradient graph ops show up under their own names (see timeKernel).
 */
export const KERNEL_PROFILE_ENV_VAR = 'ALIGNAHEAD_KERNEL_PROFILE';
/** with this set to 1, pooled tensor storage is labelled by kernel and shape (see pool.ts's peakBreakdown) */
export const MEMORY_PROFILE_ENV_VAR = 'ALIGNAHEAD_MEMORY_PROFILE';

interface Entry {
  calls: number;
  ms: number;
}

const entries = new Map<string, Entry>();
let depth = 0;
let running: string | null = null;

export function kernelProfiling(): boolean {
  return process.env[KERNEL_PROFILE_ENV_VAR] === '1';
}

export function memoryProfiling(): boolean {
  return process.env[MEMORY_PROFILE_ENV_VAR] === '1';
}

/** The registered kernel running now (when profiling memory), for labelling what it allocates. */
export function runningKernel(): string | null {
  return running;
}

/** Runs `body`, adding its time to `name` unless it runs inside another timed kernel. */
export function timeKernel<T>(name: string, body: () => T): T {
  if (!kernelProfiling() || depth > 0) return body();
  depth++;
  const started = performance.now();
  try {
    return body();
  } finally {
    depth--;
    const entry = entries.get(name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += performance.now() - started;
    entries.set(name, entry);
  }
}

/** The kernel with its kernelFunc timed and its name made known to the memory labels (when profiling). */
export function timed(kernel: tf.KernelConfig): tf.KernelConfig {
  if (!kernelProfiling() && !memoryProfiling()) return kernel;
  const { kernelFunc, kernelName } = kernel;
  return {
    ...kernel,
    kernelFunc: (args) => {
      const outer = running;
      running = kernelName;
      try {
        return timeKernel(kernelName, () => kernelFunc(args));
      } finally {
        running = outer;
      }
    },
  };
}

/** Kernel names by total time, largest first, and the counters reset. */
export function takeKernelProfile(): { name: string; calls: number; ms: number }[] {
  const rows = [...entries].map(([name, e]) => ({ name, calls: e.calls, ms: e.ms })).sort((a, b) => b.ms - a.ms);
  entries.clear();
  return rows;
}
