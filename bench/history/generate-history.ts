/**
 * Writes a large experiment history for the UI and CLI benchmarks (not a test): by default 10,000
 * runs with 5,000,000 epoch metric rows (2 students × 250 epochs each), heatmaps every 10 epochs,
 * a few events per run, sweep groups, tags and a spread of statuses, datasets and strategies.
 * Run once: node bin/run-ts.js bench/history/generate-history.ts [--out FILE] [--runs N] [--epochs E]
 *
 * The schema comes from the store (openStore migrates the new file); the rows are then written with
 * plain SQL in large transactions, because recording 2.5 million epochs one transaction at a time
 * through recordEpoch would take the better part of an hour. The per-student bests are computed
 * here exactly as the store defines them (the first epoch reaching the highest validation metric).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { runConfigSchema } from '../../contract/run-config';
import { Rng } from '../../core/random';
import { openStore } from '../../core/store';

export const DEFAULT_HISTORY_PATH = '/tmp/alignahead-history-10k.sqlite';
const STUDENTS = 2;
const LAYERS = 2;

const STRATEGIES = ['alignahead', 'oc', 'dml', 'independent', 'alignbehind'] as const;
const DATASETS = ['cora', 'citeseer', 'pubmed', 'csbm:2000:20000:5', 'ppi-like'];
const MODELS = ['gcn', 'gat', 'sage'] as const;

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string', default: DEFAULT_HISTORY_PATH }, runs: { type: 'string', default: '10000' }, epochs: { type: 'string', default: '250' } } });
  const path = values.out!;
  const runs = Number(values.runs);
  const epochs = Number(values.epochs);
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) rmSync(path + suffix);
  openStore(path).close();

  const started = performance.now();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const rng = new Rng(2026);
  const insertRun = db.prepare(`INSERT INTO runs (id, uuid, name, group_name, status, config, dataset, model, strategy, num_students, num_layers, seed,
      backend, tags, notes, planned_epochs, error, created_at, started_at, finished_at, updated_at, heartbeat_at, epochs_done)
    VALUES (@id, @uuid, @name, @group, @status, @config, @dataset, @model, @strategy, ${STUDENTS}, ${LAYERS}, @seed,
      'wasm', @tags, @notes, @planned, @error, @created, @created, @finished, @finished, @finished, @epochs)`);
  const insertStudent = db.prepare('INSERT INTO students (run_id, idx, best_val, best_epoch, test_at_best, epochs_to_95) VALUES (?, ?, ?, ?, ?, ?)');
  const insertMetric = db.prepare(`INSERT INTO epoch_metrics (run_id, student, epoch, task_loss, distill_loss, train_metric, val_metric, test_metric, epoch_ms, elapsed_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertMatrix = db.prepare('INSERT INTO alignment_matrices (run_id, epoch, student, peer, rows, cols, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertEvent = db.prepare('INSERT INTO run_events (run_id, at, level, kind, message) VALUES (?, ?, ?, ?, ?)');
  const t0 = Date.parse('2026-01-01T00:00:00Z');

  const writeRun = (id: number) => {
    const strategy = STRATEGIES[rng.int(STRATEGIES.length)];
    const dataset = DATASETS[rng.int(DATASETS.length)];
    const model = MODELS[rng.int(MODELS.length)];
    const seed = rng.int(10);
    const roll = rng.next();
    const status = roll < 0.85 ? 'completed' : roll < 0.9 ? 'failed' : roll < 0.95 ? 'cancelled' : 'interrupted';
    const created = new Date(t0 + id * 3_000_000).toISOString();
    const epochMs = 20 + 80 * rng.next();
    const finished = new Date(t0 + id * 3_000_000 + epochs * epochMs).toISOString();
    const config = runConfigSchema.parse({ data: dataset, model, strategy, students: STUDENTS, layers: LAYERS, epochs: status === 'completed' ? epochs : epochs + 50, seed, name: '' });
    insertRun.run({
      id,
      uuid: randomUUID(),
      name: `${model}-${strategy}-seed${seed}`,
      group: id % 3 === 0 ? null : `sweep ${Math.floor(id / 30)}`,
      status,
      config: JSON.stringify(config),
      dataset,
      model,
      strategy,
      seed,
      tags: JSON.stringify(rng.next() < 0.1 ? ['final'] : rng.next() < 0.1 ? ['ablation', 'tau'] : []),
      notes: rng.next() < 0.05 ? 'checked against the authors’ numbers' : '',
      planned: config.epochs,
      error: status === 'failed' ? 'training process exited with signal SIGKILL' : null,
      created,
      finished,
      epochs,
    });
    const ceiling = 0.6 + 0.25 * rng.next();
    for (let student = 0; student < STUDENTS; student++) {
      let best = { val: -Infinity, epoch: 0, test: 0 };
      const rows: number[][] = [];
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const progress = 1 - Math.exp(-epoch / 30);
        const val = ceiling * (0.3 + 0.7 * progress) + 0.01 * rng.normal();
        const test = val - 0.01 + 0.005 * rng.normal();
        if (val > best.val) best = { val, epoch, test };
        rows.push([epoch, 2 * (1 - progress) + 0.05, 0.02 * progress, Math.min(1, val + 0.1), val, test, epochMs, epoch * epochMs]);
      }
      const to95 = rows.findIndex((row) => row[4] >= 0.95 * best.val) + 1;
      insertStudent.run(id, student, best.val, best.epoch, best.test, to95);
      for (const row of rows) insertMetric.run(id, student, ...row);
    }
    for (let epoch = 0; epoch <= epochs; epoch += 10) {
      for (const [student, peer] of [[0, 1], [1, 0]]) {
        const data = Float32Array.from({ length: LAYERS * LAYERS }, () => rng.next());
        insertMatrix.run(id, epoch, student, peer, LAYERS, LAYERS, Buffer.from(data.buffer));
      }
    }
    insertEvent.run(id, created, 'info', 'created', `run created (${STUDENTS} × ${model}, ${strategy})`);
    insertEvent.run(id, created, 'info', 'status', 'queued → running');
    insertEvent.run(id, finished, status === 'failed' ? 'error' : 'info', 'status', `running → ${status}`);
  };

  const batch = db.transaction((from: number, to: number) => {
    for (let id = from; id <= to; id++) writeRun(id);
  });
  for (let from = 1; from <= runs; from += 500) {
    batch(from, Math.min(runs, from + 499));
    process.stderr.write(`\r${Math.min(runs, from + 499)}/${runs} runs`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const seconds = (performance.now() - started) / 1000;
  const bytes = statSync(path).size;
  const rows = runs * STUDENTS * epochs;
  process.stderr.write('\n');
  console.log(JSON.stringify({ path, runs, epochRows: rows, bytes, seconds: Number(seconds.toFixed(1)) }));
}

main();
