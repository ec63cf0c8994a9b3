import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDetailOf } from '../api/run-views';
import { openStore } from '../store';
import { probeAdapter } from '../tensor/webgpu/device';
import { webgpuSkipReason } from '../tensor/webgpu/testing/availability';
import { runExperiment } from '../runs/run-experiment';
import { parseRunConfig } from '../train/run-config';
import { captureIo } from './testing/capture-io';
import { main } from './main';

/**
 * `alignahead train --backend webgpu` end to end: the summary and the progress line name the
 * adapter, and a webgpu run is recorded, interrupted, resumed and compared like any other run.
 */

const skip = await webgpuSkipReason();
const adapter = skip ? null : await probeAdapter();
const dir = mkdtempSync(join(tmpdir(), 'alignahead-train-webgpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runCli(argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, io, json: argv.includes('--json') && io.stdout.length ? JSON.parse(io.stdout[io.stdout.length - 1]) : null };
}

const RUN = ['--data', 'csbm:300:1500:3:16:noise=3', '--hidden', '16', '--epochs', '6', '--checkpoint-every', '2', '--heatmap-every', '2', '--seed', '4'];

describe.skipIf(skip)('alignahead train on webgpu', () => {
  it('trains the demo data and names the adapter in the progress line and the JSON summary', async () => {
    const db = join(dir, 'demo.sqlite');
    const { code, io, json } = await runCli(['train', '--backend', 'webgpu', '--data', 'demo', '--epochs', '3', '--db', db, '--json']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ status: 'completed', backend: 'webgpu', graphOps: 'webgpu', epochs: 3, adapter });
    expect(io.stderr.join('\n')).toContain(`backend webgpu on ${adapter!.vendor} ${adapter!.device} (${adapter!.backendType}`);
    const show = await runCli(['runs', 'show', String(json.runId), '--db', db]);
    expect(show.io.stdout.join('\n')).toMatch(new RegExp(`gpu\\s+${adapter!.vendor} `));
  });

  it('records a run, resumes it after an interruption to the numbers of an uninterrupted one, and compares it with a CPU run', async () => {
    const db = join(dir, 'resume.sqlite');
    const cpu = await runCli(['train', ...RUN, '--backend', 'cpu', '--db', db, '--json', '--quiet']);
    const whole = await runCli(['train', ...RUN, '--backend', 'webgpu', '--db', db, '--json', '--quiet']);
    expect([cpu.code, whole.code]).toEqual([0, 0]);

    // Interrupted after epoch 3 (its last checkpoint is epoch 2), then resumed from the CLI.
    const store = openStore(db);
    const stop = new AbortController();
    const config = parseRunConfig({ ...store.getRun(whole.json.runId)!.config });
    const cut = await runExperiment({ store, config, signal: stop.signal, onEvent: (e) => e.type === 'run.epoch' && e.epoch === 3 && stop.abort() });
    store.close();
    expect(cut).toMatchObject({ status: 'cancelled', epochsDone: 3 });
    const resumed = await runCli(['train', '--resume', String(cut.runId), '--db', db, '--json', '--quiet']);
    expect(resumed.json).toMatchObject({ runId: cut.runId, status: 'completed', backend: 'webgpu', epochs: 6, adapter });

    const check = openStore(db);
    try {
      const [cpuRun, wholeRun, resumedRun] = [cpu, whole, resumed].map(({ json }) => ({ detail: runDetailOf(check, json.runId), metrics: check.getMetrics(json.runId) }));
      expect(resumedRun.detail.backend).toBe('webgpu');
      expect((resumedRun.detail.backendReport as { adapter: unknown }).adapter).toEqual(adapter);
      expect(check.alignmentEpochs(cut.runId)).toEqual(check.alignmentEpochs(whole.json.runId));
      const figures = (rows: typeof wholeRun.metrics) => rows.map((m) => [m.epoch, m.student, m.taskLoss, m.distillLoss, m.trainMetric, m.valMetric, m.testMetric]);
      // the same device and kernels: the resumed run replays the uninterrupted one exactly
      expect(figures(resumedRun.metrics)).toEqual(figures(wholeRun.metrics));
      // and the webgpu run tracks the CPU run of the same config
      expect(wholeRun.metrics).toHaveLength(cpuRun.metrics.length);
      wholeRun.metrics.forEach((m, i) => {
        const c = cpuRun.metrics[i];
        expect([m.epoch, m.student]).toEqual([c.epoch, c.student]);
        for (const key of ['taskLoss', 'distillLoss', 'valMetric'] as const) {
          expect(Math.abs(m[key]! - c[key]!), `epoch ${m.epoch} student ${m.student} ${key}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(c[key]!)));
        }
      });
    } finally {
      check.close();
    }
  });
});
