import { afterAll, beforeAll, describe, it } from 'vitest';
import { initBackend } from '../tensor/backend';
import { kernelGraphOps } from '../tensor/graph-ops-kernels';
import { stopKernelThreads } from '../tensor/parallel/kernel-threads';
import { expectPinned, PINNED_RUNS, pinnedRunTrace } from './testing/pinned-traces';

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
  it.each(Object.entries(PINNED_RUNS))('%s: match the pinned traces within 1e-5', async (name, config) => {
    expectPinned(name, await pinnedRunTrace(config, kernelGraphOps), 1e-5);
  });
});
