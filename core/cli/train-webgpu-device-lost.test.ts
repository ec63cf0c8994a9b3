import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main';
import { openStore } from '../store';
import { DeviceFailureError } from '../tensor/readback';
import { webgpuDevice } from '../tensor/webgpu/device';
import { webgpuSkipReason } from '../tensor/webgpu/testing/availability';
import { runExperiment } from '../runs/run-experiment';

/**
 * A GPU lost in the middle of a run (driver reset, eGPU unplugged; simulated by destroying the
 * device) fails the run with a message saying so, and its last checkpoint resumes on another
 * backend. Its own test file: the device stays lost for the rest of the process.
 */

const skip = await webgpuSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'alignahead-device-lost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(skip)('a GPU device lost during a run', () => {
  it('fails the run with a clear message, and the checkpoint resumes on the CPU', async () => {
    const db = join(dir, 'lost.sqlite');
    const store = openStore(db);
    const config = { data: 'csbm:300:1500:3:16:noise=3', hidden: 16, epochs: 6, checkpointEvery: 2, heatmapEvery: 0, backend: 'webgpu' } as const;
    const attempt = runExperiment({ store, config, onEvent: (e) => e.type === 'run.epoch' && e.epoch === 3 && webgpuDevice()!.destroy() });
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceFailureError);
    expect((error as Error).message).toMatch(/^the GPU device was lost \(destroyed.*\); training stopped \(the run's last checkpoint can be resumed, on any backend\)$/);
    const run = store.getRun(1)!;
    expect(run.status).toBe('failed');
    expect(run.error).toContain('the GPU device was lost');
    expect(store.latestCheckpoint(1)?.epoch).toBe(2);
    store.close();

    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['train', '--resume', '1', '--backend', 'cpu', '--db', db, '--json', '--quiet'], { out: (l) => out.push(l), err: (l) => err.push(l), interactive: false });
    expect(code, err.join('\n')).toBe(0);
    expect(JSON.parse(out[out.length - 1])).toMatchObject({ runId: 1, status: 'completed', backend: 'cpu', epochs: 6, adapter: null });
    const after = openStore(db);
    expect(after.getRun(1)).toMatchObject({ status: 'completed', backend: 'cpu' });
    expect(after.finishedEpochs(1)).toBe(6);
    after.close();
  });
});
