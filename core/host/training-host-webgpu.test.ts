import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../contract/api';
import { openStore } from '../store';
import { probeAdapter } from '../tensor/webgpu/device';
import { webgpuSkipReason } from '../tensor/webgpu/testing/availability';
import { createTrainingHost } from './training-host';

/**
 * Serve mode's path to the GPU: the training host forks a real worker process, the worker holds
 * the WebGPU device and trains, and the backend it reports (what the UI's status bar shows)
 * names the adapter. The host process itself never touches the GPU.
 */

const skip = await webgpuSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'alignahead-host-webgpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(skip)('a webgpu run in a worker process', () => {
  it('trains there and reports the adapter to the host', async () => {
    const adapter = await probeAdapter();
    const store = openStore(join(dir, 'db.sqlite'));
    const events: ApiEvent[] = [];
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => (finished = resolve));
    const host = createTrainingHost({
      databasePath: join(dir, 'db.sqlite'),
      cacheDir: join(dir, 'cache'),
      store,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'run.status' && (event.status === 'completed' || event.status === 'failed')) finished();
      },
    });
    try {
      const config = { data: 'demo', epochs: 2, hidden: 16, checkpointEvery: 0, heatmapEvery: 0, backend: 'webgpu' };
      const runId = store.createRun({ config, dataset: 'demo', model: 'gcn', strategy: 'alignahead', numStudents: 2, numLayers: 2, seed: 0 }).id;
      host.enqueue(runId);
      await done;
      expect(store.getRun(runId)).toMatchObject({ status: 'completed', backend: 'webgpu' });
      const backend = events.find((e): e is Extract<ApiEvent, { type: 'backend' }> => e.type === 'backend')!.backend;
      expect(backend).toMatchObject({ backend: 'webgpu', graphOps: 'webgpu', adapter });
      expect(host.lastBackend()).toEqual(backend);
      expect(events.filter((e) => e.type === 'run.epoch')).toHaveLength(2);
    } finally {
      await host.dispose();
      store.close();
    }
  });
});
