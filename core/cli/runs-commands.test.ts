import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store';
import { captureIo } from './testing/capture-io';
import { main } from './main';
import { formatTable } from './runs-commands';

let dir: string;
let db: string;
let completedId: number;
let queuedId: number;

/** Two runs: a completed one with 3 epochs × 2 students (epoch 2 has a NaN loss), and a queued one. */
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-runs-cli-'));
  db = join(dir, 'store.sqlite');
  const store = openStore(db);
  const base = { config: { lr: 0.01 }, dataset: 'cora', model: 'gcn', numStudents: 2, numLayers: 2, seed: 3 };
  completedId = store.createRun({ ...base, name: 'done run', strategy: 'alignahead', plannedEpochs: 3, tags: ['paper'] }).id;
  store.setStatus(completedId, 'running');
  for (let epoch = 1; epoch <= 3; epoch++) {
    store.recordEpoch(
      completedId,
      [0, 1].map((student) => ({
        epoch,
        student,
        taskLoss: epoch === 2 && student === 1 ? Number.NaN : 1 / epoch,
        distillLoss: 0.25,
        trainMetric: 0.5,
        valMetric: 0.6 + 0.1 * student + 0.01 * epoch,
        testMetric: epoch === 3 ? 0.7 : null,
        epochMs: 10,
        elapsedMs: 10 * epoch,
      })),
    );
  }
  const signal = { tau: 100, distanceOverTauQ1: 0.001, distanceOverTauMedian: 0.002, distanceOverTauQ3: 0.004, meanKl: 1e-7, contrast: 7.3e-7, studentContrast: Number.NaN, state: 'near-uniform' } as const;
  store.recordSignal(completedId, [
    { epoch: 0, student: 0, peer: 1, studentLayer: 1, peerLayer: 0, ...signal },
    { epoch: 0, student: 1, peer: 0, studentLayer: 0, peerLayer: 1, ...signal },
  ]);
  store.setStatus(completedId, 'completed');
  queuedId = store.createRun({ ...base, name: 'waiting', strategy: 'dml' }).id;
  store.close();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr, lastJson: () => JSON.parse(io.stdout[io.stdout.length - 1]) };
}

describe('runs list', () => {
  it('--json ends with one object listing each run with id, status and finished epochs', async () => {
    const result = await cli('runs', 'list', '--db', db, '--json');
    expect(result.code).toBe(0);
    const { runs, total } = result.lastJson();
    expect(total).toBe(2);
    expect(runs.map((r: { id: number; status: string; epochs: number }) => [r.id, r.status, r.epochs])).toEqual([
      [queuedId, 'queued', 0],
      [completedId, 'completed', 3],
    ]);
    expect(runs[1].students.map((s: { bestEpoch: number }) => s.bestEpoch)).toEqual([3, 3]);
  });

  it('filters by status and prints an aligned table', async () => {
    const filtered = await cli('runs', 'list', '--db', db, '--json', '--status', 'queued');
    expect(filtered.lastJson().runs.map((r: { id: number }) => r.id)).toEqual([queuedId]);

    const table = await cli('runs', 'list', '--db', db);
    expect(table.code).toBe(0);
    expect(table.stdout).toHaveLength(3);
    const [header, ...rows] = table.stdout;
    expect(header).toMatch(/^ID\s+NAME\s+STATUS/);
    const statusColumn = header.indexOf('STATUS');
    expect(rows.map((row) => row.slice(statusColumn).split(/\s+/)[0])).toEqual(['queued', 'completed']);
    expect(rows[1]).toContain('3/3');
  });

  it('reports bad options and a missing database as one-line errors', async () => {
    const status = await cli('runs', 'list', '--db', db, '--status', 'finished');
    expect(status.code).toBe(2);
    expect(status.stderr[0]).toMatch(/--status: unknown status 'finished'/);

    const missing = join(dir, 'nowhere', 'x.sqlite');
    const absent = await cli('runs', 'list', '--db', missing);
    expect(absent.code).toBe(2);
    expect(absent.stderr[0]).toContain(`${missing}: no experiment database there`);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('runs show', () => {
  it('--json gives the run, students, finished epochs and the last epoch', async () => {
    const result = await cli('runs', 'show', String(completedId), '--db', db, '--json');
    expect(result.code).toBe(0);
    const shown = result.lastJson();
    expect(shown.run).toMatchObject({ id: completedId, name: 'done run', status: 'completed', config: { lr: 0.01 }, tags: ['paper'] });
    expect(shown.epochs).toBe(3);
    expect(shown.lastEpoch.map((m: { epoch: number; student: number }) => [m.epoch, m.student])).toEqual([
      [3, 0],
      [3, 1],
    ]);
    expect(shown.students[1].bestVal).toBeCloseTo(0.73, 12);
  });

  it('prints facts, a students table and the last epoch for people', async () => {
    const result = await cli('runs', 'show', String(completedId), '--db', db);
    const text = result.stdout.join('\n');
    expect(text).toContain(`run ${completedId}: done run`);
    expect(text).toMatch(/status\s+completed/);
    expect(text).toMatch(/epochs\s+3\/3/);
    expect(text).toContain('epoch 3:');
    expect(text).toContain('0.7300');
  });

  it('names a missing run and a malformed id', async () => {
    const missing = await cli('runs', 'show', '999', '--db', db);
    expect(missing.code).toBe(2);
    expect(missing.stderr[0]).toMatch(/run 999 not found/);
    const bad = await cli('runs', 'show', 'abc', '--db', db);
    expect(bad.stderr[0]).toMatch(/run id: expected a positive integer, got 'abc'/);
  });
});

describe('runs export', () => {
  it('writes CSV with a header and one line per epoch and student, blanks for missing values', async () => {
    const result = await cli('runs', 'export', String(completedId), '--db', db, '--format', 'csv');
    expect(result.code).toBe(0);
    const [header, ...lines] = result.stdout;
    expect(header).toBe('run_id,run_name,epoch,student,task_loss,distill_loss,train_metric,val_metric,test_metric,epoch_ms,elapsed_ms');
    expect(lines).toHaveLength(6);
    // the same export format as the API's: run id and name first, so exports of several runs concatenate
    const rows = lines.map((line) => line.split(',').slice(2));
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['1', '0'],
      ['1', '1'],
      ['2', '0'],
      ['2', '1'],
      ['3', '0'],
      ['3', '1'],
    ]);
    expect(rows[3][2]).toBe(''); // the NaN loss
    expect(rows[0][6]).toBe(''); // not evaluated on test
    expect(Number(rows[5][5])).toBeCloseTo(0.73, 12);
  });

  it('writes JSON to --out', async () => {
    const out = join(dir, 'run.json');
    const result = await cli('runs', 'export', String(completedId), '--db', db, '--format', 'json', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stderr[0]).toContain(`wrote 6 metric rows of run ${completedId} to ${out}`);
    const exported = JSON.parse(readFileSync(out, 'utf8'));
    expect(exported.run.id).toBe(completedId);
    expect(exported.metrics).toHaveLength(6);
    expect(exported.metrics[3].taskLoss).toBeNull();
  });

  it('writes the distillation signal as CSV in the contract\'s column order, and with everything in JSON', async () => {
    const result = await cli('runs', 'export', String(completedId), '--db', db, '--table', 'signal');
    expect(result.code).toBe(0);
    expect(result.stdout).toEqual([
      'run_id,run_name,epoch,student,peer,student_layer,peer_layer,tau,distance_over_tau_q1,distance_over_tau_median,distance_over_tau_q3,mean_kl,contrast,student_contrast,state',
      `${completedId},done run,0,0,1,1,0,100,0.001,0.002,0.004,1e-7,7.3e-7,,near-uniform`,
      `${completedId},done run,0,1,0,0,1,100,0.001,0.002,0.004,1e-7,7.3e-7,,near-uniform`,
    ]);
    const json = await cli('runs', 'export', String(completedId), '--db', db, '--format', 'json');
    expect(json.lastJson().signal).toHaveLength(2);
    const bad = await cli('runs', 'export', String(completedId), '--db', db, '--table', 'heatmaps');
    expect(bad.stderr[0]).toMatch(/--table: expected metrics or signal, got 'heatmaps'/);
  });

  it('rejects an unknown format', async () => {
    const result = await cli('runs', 'export', String(completedId), '--db', db, '--format', 'xlsx');
    expect(result.code).toBe(2);
    expect(result.stderr[0]).toMatch(/--format: expected csv or json, got 'xlsx'/);
  });
});

describe('runs delete', () => {
  it('deletes one run and leaves the other', async () => {
    const result = await cli('runs', 'delete', String(completedId), '--db', db);
    expect(result.code).toBe(0);
    expect(result.stdout[0]).toBe(`deleted run ${completedId} (done run)`);
    const list = await cli('runs', 'list', '--db', db, '--json');
    expect(list.lastJson().runs.map((r: { id: number }) => r.id)).toEqual([queuedId]);
    const again = await cli('runs', 'delete', String(completedId), '--db', db);
    expect(again.code).toBe(2);
  });
});

describe('formatTable', () => {
  it('pads columns to the widest cell and right-aligns numeric columns, header included', () => {
    expect(formatTable(['ID', 'NAME'], [
      [1, 'a'],
      [120, 'long name'],
    ])).toEqual([' ID  NAME', '  1  a', '120  long name']);
  });
});
