import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store';
import { NOTHING_SELECTED, selectAfter } from '../train/selection';
import { captureIo } from './testing/capture-io';
import { main } from './main';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'alignahead-train-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUN = ['--data', 'csbm:300:1500:3:16:noise=3', '--hidden', '16', '--epochs', '12', '--checkpoint-every', '2', '--heatmap-every', '4', '--backend', 'cpu'];

async function runCli(argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, io, json: io.stdout.length ? JSON.parse(io.stdout[io.stdout.length - 1]) : null };
}

describe('alignahead train', () => {
  it('prints the JSON summary the checks rely on and records the run', async () => {
    const db = join(dir, 'summary.sqlite');
    const { code, json } = await runCli(['train', ...RUN, '--epochs', '3', '--students', '3', '--strategy', 'oc', '--db', db, '--json', '--quiet']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ runId: 1, status: 'completed', backend: 'cpu', epochs: 3, plan: '1<-1,2<-2' });
    expect(json.epochMsMedian).toBeGreaterThan(0);
    expect(json.students).toHaveLength(3);
    for (const s of json.students) expect(Object.keys(s)).toEqual(expect.arrayContaining(['bestVal', 'test', 'bestEpoch']));
    const list = await runCli(['runs', 'list', '--db', db, '--json']);
    expect(list.json.runs[0]).toMatchObject({ id: 1, status: 'completed', epochs: 3 });
  });

  it('rejects bad flags with one line naming the problem, before touching the database', async () => {
    const db = join(dir, 'never.sqlite');
    for (const [argv, message] of [
      [['train', '--epochs', '0', '--db', db], /epochs/],
      [['train', '--model', 'mlp', '--db', db], /model/],
      [['train', '--bogus', '--db', db], /bogus/],
      [['train', '--dropout', 'half', '--db', db], /--dropout: 'half' is not a number/],
      [['train', '--strategy', 'custom', '--plan', '9<-1', '--data', 'csbm:100:300:3:8', '--db', db], /layer/],
    ] as const) {
      const { code, io } = await runCli([...argv]);
      expect(code).not.toBe(0);
      expect(io.stderr.join('\n')).toMatch(message);
      expect(io.stderr.join('\n')).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses a graph the tfjs WASM heap cannot hold before training, saying why and what to use instead', async () => {
    const db = join(dir, 'wasm-heap.sqlite');
    const argv = ['train', '--data', 'csbm:200000:1000000:5', '--model', 'gat', '--hidden', '64', '--heads', '3', '--backend', 'wasm', '--epochs', '1', '--db', db];
    const { code, io } = await runCli(argv);
    expect(code).not.toBe(0);
    expect(io.stderr.join('\n')).toMatch(/does not fit the tfjs WASM backend: its tensors need about \d+\.\d GiB .* at most 4 GiB\. Use the multicore backend/);
    // refused before anything is recorded: a config that cannot run never becomes a run
    const store = openStore(db);
    expect(store.listRuns()).toEqual([]);
    store.close();
  });

  it('shows a run killed from outside as interrupted, and resumes it to the numbers of an uninterrupted run', async () => {
    const db = join(dir, 'killed.sqlite');
    const child = spawn(process.execPath, ['bin/alignahead.js', 'train', ...RUN, '--db', db, '--json'], { cwd: root, stdio: 'ignore' });
    // Wait until a checkpoint exists past epoch 2, then kill without warning.
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        const store = openStore(db, { mustExist: true });
        const epoch = store.latestCheckpoint(1)?.epoch ?? 0;
        store.close();
        if (epoch >= 4) break;
      } catch {
        // not created yet
      }
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const afterKill = await runCli(['runs', 'list', '--db', db, '--json']);
    const killed = afterKill.json.runs[0];
    expect(killed.status).toBe('interrupted');
    expect(killed.epochs).toBeGreaterThanOrEqual(4);
    expect(killed.epochs).toBeLessThan(12);
    const store = openStore(db, { mustExist: true });
    expect(store.integrityCheck()).toBe('ok');
    store.close();

    const resumed = await runCli(['train', '--resume', String(killed.id), '--db', db, '--json', '--quiet']);
    expect(resumed.code).toBe(0);
    expect(resumed.json.epochs).toBe(12);

    const reference = await runCli(['train', ...RUN, '--db', join(dir, 'reference.sqlite'), '--json', '--quiet']);
    const pick = (j: { students: { bestVal: number; test: number; bestEpoch: number }[] }) => j.students.map(({ bestVal, test, bestEpoch }) => ({ bestVal, test, bestEpoch }));
    expect(pick(resumed.json)).toEqual(pick(reference.json));

    const finalList = await runCli(['runs', 'list', '--db', db, '--json']);
    expect(finalList.json.runs[0]).toMatchObject({ status: 'completed', epochs: 12 });
  });

  it('--preset paper-ppi trains the authors\' protocol (scaled down by later flags) and records what their rule selects', async () => {
    const db = join(dir, 'preset.sqlite');
    const small = ['--data', 'ppi-like:6:40:200:6:8', '--hidden', '8', '--heads', '2', '--layers', '2', '--epochs', '6', '--eval-every', '2', '--backend', 'cpu'];
    const { code, json } = await runCli(['train', '--preset', 'paper-ppi', ...small, '--db', db, '--json', '--quiet']);
    expect(code).toBe(0);
    const store = openStore(db, { mustExist: true });
    try {
      const run = store.getRun(json.runId)!;
      expect(run.config).toMatchObject({ model: 'gat', outHeads: 3, init: 'authors', selection: 'authors', f1Threshold: 0.5, redrawBatches: true, sharedInit: true, lr: 0.005, hidden: 8, epochs: 6 });
      // what each student reports is the authors' rule folded over its recorded evaluations
      const metrics = store.getMetrics(json.runId);
      store.getStudents(json.runId).forEach((student, k) => {
        let selection = NOTHING_SELECTED;
        for (const m of metrics.filter((m) => m.student === k && m.valMetric !== null)) {
          selection = selectAfter('authors', selection, { epoch: m.epoch, val: m.valMetric!, test: m.testMetric!, trainLoss: m.taskLoss! + m.distillLoss! }).selection;
        }
        expect(student).toMatchObject({ bestEpoch: selection.epoch, bestVal: selection.val, testAtBest: selection.test });
      });
      // the diagnostic: before training and at each evaluation, 2 ordered pairs × the 2 align-ahead layer pairs
      const signal = store.getSignal(json.runId);
      expect([...new Set(signal.map((r) => r.epoch))]).toEqual([0, 2, 4, 6]);
      expect(signal.filter((r) => r.epoch === 0)).toHaveLength(4);
    } finally {
      store.close();
    }
  });
});
