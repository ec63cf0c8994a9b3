import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { initBackend } from '../tensor/backend';
import { kernelGraphOps } from '../tensor/graph-ops-kernels';
import { stopKernelThreads } from '../tensor/parallel/kernel-threads';
import { expectTraceClose, FIXED_SEED_FIXTURE, FIXED_SEED_RUNS, fixedSeedTrace, type Trace } from './testing/fixed-seed-runs';

/**
 * The production CPU path (the multicore backend: SIMD products, its own element-wise kernels,
 * one-pass Adam, kernel threads) trains the pinned fixed-seed runs to the CPU backend's numbers
 * within float reassociation, the tolerance of core/train/fixed-seed.test.ts.
 */
beforeAll(async () => {
  await initBackend({ prefer: 'multicore' });
});
afterAll(stopKernelThreads);

describe('fixed-seed runs on the multicore backend', () => {
  const pinned = JSON.parse(readFileSync(FIXED_SEED_FIXTURE, 'utf8')) as Record<string, Trace>;
  it.each(Object.entries(FIXED_SEED_RUNS))('%s: match the pinned traces within 1e-5', async (name, config) => {
    expectTraceClose(name, await fixedSeedTrace(config, kernelGraphOps), pinned[name], 1e-5);
  });
});
