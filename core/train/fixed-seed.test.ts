import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { kernelGraphOps } from '../tensor/graph-ops-kernels';
import { expectTraceClose, FIXED_SEED_FIXTURE, FIXED_SEED_RUNS, fixedSeedTrace, type Trace } from './testing/fixed-seed-runs';

/**
 * Fixed-seed runs pinned across optimisations: the per-epoch losses and metrics of a few small
 * runs on the CPU backend are stored in testing/fixed-seed-runs.json and must stay within 1e-5
 * (float reassociation) whatever the kernels, threads or caching do. A change to the method
 * itself regenerates the file on purpose: UPDATE_FIXED_SEED=1 npx vitest run core/train/fixed-seed.
 */
const TOLERANCE = 1e-5;

useCpuBackend();

describe('fixed-seed runs', () => {
  it('match the pinned traces within float reassociation', async () => {
    const actual: Record<string, Trace> = {};
    for (const [name, config] of Object.entries(FIXED_SEED_RUNS)) actual[name] = await fixedSeedTrace(config, kernelGraphOps);
    if (process.env.UPDATE_FIXED_SEED === '1') writeFileSync(FIXED_SEED_FIXTURE, `${JSON.stringify(actual, null, 1)}\n`);
    expect(existsSync(FIXED_SEED_FIXTURE), 'the pinned traces are missing: run with UPDATE_FIXED_SEED=1 on a trusted commit').toBe(true);
    const pinned = JSON.parse(readFileSync(FIXED_SEED_FIXTURE, 'utf8')) as Record<string, Trace>;
    expect(Object.keys(actual)).toEqual(Object.keys(pinned));
    for (const [name, rows] of Object.entries(pinned)) expectTraceClose(name, actual[name], rows, TOLERANCE);
  });
});
