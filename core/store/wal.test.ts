import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { WAL_SIZE_LIMIT_BYTES } from './database';
import { openStore, type ExperimentStore } from './store';

/** The WAL stays bounded: checkpoints empty it when they can, report busy without waiting when they cannot. */

let dir: string;
let store: ExperimentStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-wal-'));
  store = openStore(join(dir, 'db.sqlite'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(runs: number): void {
  for (let i = 0; i < runs; i++) {
    const run = store.createRun({ config: { pad: 'x'.repeat(20_000) }, dataset: 'd', model: 'gcn', strategy: 'oc', numStudents: 2, numLayers: 2, seed: i });
    store.setStatus(run.id, 'running');
    store.saveCheckpoint(run.id, 0, new Uint8Array(400_000));
  }
}

const connectionOf = (opened: ExperimentStore) => (opened as unknown as { ctx: { db: Database.Database } }).ctx.db;
const walBytes = () => (existsSync(join(dir, 'db.sqlite-wal')) ? statSync(join(dir, 'db.sqlite-wal')).size : 0);

it('cuts the WAL back to its limit when a checkpoint lets it restart, and empties it on TRUNCATE', () => {
  // a reader on an old snapshot keeps SQLite's own checkpoints from restarting the WAL: it grows
  write(1);
  const reader = new Database(join(dir, 'db.sqlite'), { readonly: true });
  reader.exec('BEGIN');
  reader.prepare('SELECT COUNT(*) FROM runs').get();
  write(30);
  expect(walBytes()).toBeGreaterThan(WAL_SIZE_LIMIT_BYTES);
  reader.exec('COMMIT');
  reader.close();
  const passive = store.checkpointWal('PASSIVE');
  expect(passive).toMatchObject({ busy: false, checkpointedPages: passive.walPages });
  // the next write starts the WAL over, and the file is truncated to the limit
  write(1);
  expect(walBytes()).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
  expect(store.checkpointWal('TRUNCATE')).toMatchObject({ busy: false });
  expect(walBytes()).toBe(0);
  expect(store.countRuns()).toBe(32);
});

it('reports busy at once, changing nothing, while another connection reads an older snapshot', () => {
  write(5);
  const reader = new Database(join(dir, 'db.sqlite'), { readonly: true });
  reader.exec('BEGIN');
  reader.prepare('SELECT COUNT(*) FROM runs').get();
  write(5);
  const started = Date.now();
  const result = store.checkpointWal('TRUNCATE');
  expect(Date.now() - started).toBeLessThan(1000);
  expect(result.busy).toBe(true);
  reader.exec('COMMIT');
  reader.close();
  expect(store.checkpointWal('TRUNCATE').busy).toBe(false);
  // the busy timeout of ordinary writes is back
  expect(connectionOf(store).pragma('busy_timeout', { simple: true })).toBe(5000);
});
