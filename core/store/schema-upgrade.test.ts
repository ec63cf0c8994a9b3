import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadMigrations, openStore } from '.';

/**
 * A database written by schema v1 (the first released schema: test/fixtures/schema-v1.sqlite, made
 * by the commit before migration 002 with real training runs: two completed, one killed while
 * running, one queued with a registered dataset, tags, notes, a group and events) is upgraded
 * through every later migration with nothing lost: every row of every v1 table keeps every v1
 * column's value, and the store reads it all.
 */

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/schema-v1.sqlite', import.meta.url));
const V1_TABLES = ['datasets', 'runs', 'students', 'epoch_metrics', 'alignment_matrices', 'checkpoints', 'run_events'];

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-upgrade-'));
  path = join(dir, 'old.sqlite');
  copyFileSync(FIXTURE, path);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every row of every v1 table, v1 columns only, in primary-key order. */
function v1Contents(db: Database.Database, columnsOf: Map<string, string[]>): Record<string, unknown[]> {
  const contents: Record<string, unknown[]> = {};
  for (const table of V1_TABLES) {
    contents[table] = db.prepare(`SELECT ${columnsOf.get(table)!.join(', ')} FROM ${table} ORDER BY rowid`).all();
  }
  return contents;
}

it('upgrades a schema-v1 database through every migration with nothing lost', () => {
  const before = new Database(path, { readonly: true });
  expect(before.pragma('user_version', { simple: true })).toBe(1);
  const columnsOf = new Map(V1_TABLES.map((t) => [t, (before.pragma(`table_info(${t})`) as { name: string }[]).map((c) => c.name)]));
  const original = v1Contents(before, columnsOf);
  before.close();
  expect(original.runs).toHaveLength(4);
  expect(original.epoch_metrics.length).toBeGreaterThan(100);

  // a clock a day on: the fixture's heartbeats are long stale, whenever this test runs
  const store = openStore(path, { now: () => new Date(Date.now() + 86_400_000) });
  try {
    const latest = loadMigrations().length;
    expect(store.migration).toMatchObject({ from: 1, to: latest });
    expect(store.migration.applied).toHaveLength(latest - 1);
    expect(store.integrityCheck()).toBe('ok');

    const after = new Database(path, { readonly: true });
    expect(v1Contents(after, columnsOf)).toEqual(original);
    after.close();

    // The store reads every record of the old history.
    const runs = store.listRuns();
    expect(runs.map((r) => [r.id, r.status])).toEqual([
      [4, 'queued'],
      [3, 'running'],
      [2, 'completed'],
      [1, 'completed'],
    ]);
    expect(store.getRun(1)).toMatchObject({ tags: ['baseline', 'v1'], notes: 'written by schema v1 — ünïcode kept' });
    expect(store.getRun(2)).toMatchObject({ group: 'sweep-a', numStudents: 3, strategy: 'dml' });
    expect(store.getRun(4)).toMatchObject({ datasetId: store.getDataset('cora')!.id });
    expect(store.getMetrics(1)).toHaveLength(6 * 2);
    expect(store.getAlignment(1).length).toBeGreaterThan(0);
    expect(store.latestCheckpoint(1)?.epoch).toBe(6);
    expect(store.getEvents(4).map((e) => e.kind)).toContain('note');

    // 004: every old run has its own identity (a version-5 UUID derived from what it never changes) and its finished epochs counted
    const uuids = runs.map((r) => store.getRun(r.id)!.uuid);
    for (const uuid of uuids) expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uuids).size).toBe(runs.length);
    for (const run of runs) {
      const studentZeroRows = store.getMetrics(run.id).filter((m) => m.student === 0).length;
      expect(run.epochs).toBe(studentZeroRows);
    }
    expect(runs.find((r) => r.id === 1)!.epochs).toBe(6);

    // The v1 run left running by a killed trainer recorded a pid but no host: with no provable
    // owner, only its (long stale) heartbeat counts, and it becomes resumable.
    expect(store.getRun(3)!.owner).toMatchObject({ host: '', startToken: null });
    expect(store.markInterruptedRuns().map((r) => r.id)).toEqual([3]);
  } finally {
    store.close();
  }
});
