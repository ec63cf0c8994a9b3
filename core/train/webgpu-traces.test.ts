import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../tensor/backend';
import { webgpuGraphOps } from '../tensor/webgpu/graph-ops-webgpu';
import { webgpuSkipReason } from '../tensor/webgpu/testing/availability';
import { expectTraceClose, FIXED_SEED_FIXTURE, FIXED_SEED_RUNS, fixedSeedTrace, type Trace } from './testing/fixed-seed-runs';

/**
 * The fixed-seed runs (GCN with dropout, GAT, SAGE with K = 3 and DML) trained on WebGPU with the
 * WGSL graph kernels agree with the pinned CPU traces to 1e-4 in every loss and metric, epoch by
 * epoch.
 */

const skip = await webgpuSkipReason();
const TOLERANCE = 1e-4;
const gaps: string[] = [];

beforeAll(async () => {
  if (!skip) await initBackend({ prefer: 'webgpu' });
});

afterAll(() => {
  if (gaps.length > 0) console.log(`webgpu vs pinned CPU traces, worst |a − e| / (1 + |e|):\n${gaps.join('\n')}`);
});

describe.skipIf(skip)('fixed-seed runs on webgpu', () => {
  const pinned = JSON.parse(readFileSync(FIXED_SEED_FIXTURE, 'utf8')) as Record<string, Trace>;
  it.each(Object.keys(FIXED_SEED_RUNS))('%s: the CPU trace to 1e-4', async (name) => {
    expect(tf.getBackend()).toBe('webgpu');
    const actual = await fixedSeedTrace(FIXED_SEED_RUNS[name], webgpuGraphOps);
    gaps.push(`  ${name.padEnd(36)} ${expectTraceClose(name, actual, pinned[name], TOLERANCE).toExponential(1)}`);
  });
});
