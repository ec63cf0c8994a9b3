import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, openStore } from '../../core/store';
import { epochRows, runCli, spawnCli, tempDir, tryOpenStore, waitFor } from './harness';

/**
 * `alignahead history backup` and `history import` through the CLI, with a real trainer writing to
 * the database meanwhile: every backup taken mid-training opens, passes integrity_check and holds
 * whole epochs, while the trainer records on undisturbed; importing a backup twice adds nothing the
 * second time; a history of a newer schema is refused with one clear line.
 */

const LONG_RUN = ['--data', 'csbm:200:800:3:8', '--hidden', '8', '--epochs', '100000', '--checkpoint-every', '5', '--heatmap-every', '5', '--backend', 'cpu', '--quiet'];

const dir = tempDir('history');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('history backup while a run trains', () => {
  it('gives intact copies with whole epochs, and the trainer records on', async () => {
    const dbPath = join(dir, 'live.sqlite');
    const trainer = spawnCli(['train', ...LONG_RUN, '--db', dbPath]);
    children.push(trainer.child);
    const store = await waitFor(() => tryOpenStore(dbPath), 'the trainer to create its database');
    try {
      await waitFor(() => store.listRuns()[0]?.epochs >= 3, 'three recorded epochs');
      const backups: { path: string; epochsBefore: number }[] = [];
      for (let i = 0; i < 5; i++) {
        const epochsBefore = store.listRuns()[0].epochs;
        const path = join(dir, `backup-${i}.sqlite`);
        const { code, io } = await runCli(['history', 'backup', path, '--db', dbPath]);
        expect(io.stderr).toEqual([]);
        expect(code).toBe(0);
        expect(io.stdout[0]).toMatch(new RegExp(`^backed up 1 runs \\(\\d+ epoch rows, [\\d.]+ MB\\) to ${path}; integrity ok$`));
        backups.push({ path, epochsBefore });
      }
      const epochsAfter = store.listRuns()[0].epochs;
      for (const { path, epochsBefore } of backups) {
        const raw = new Database(path, { readonly: true });
        expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
        raw.close();
        expect(existsSync(`${path}-wal`)).toBe(false);
        const copy = openStore(path, { mustExist: true });
        try {
          const [run] = copy.listRuns();
          // taken mid-training: the run is still running in the copy, with at least what was there before
          expect(run.status).toBe('running');
          expect(run.epochs).toBeGreaterThanOrEqual(epochsBefore);
          expect(run.epochs).toBeLessThanOrEqual(epochsAfter);
          const rows = epochRows(copy, run.id);
          expect([...rows.keys()]).toEqual(Array.from({ length: run.epochs }, (_, k) => k + 1));
          expect([...rows.values()].every((n) => n === 2)).toBe(true);
        } finally {
          copy.close();
        }
      }
      // the trainer noticed nothing: it keeps recording, then ends cancelled on Ctrl-C
      await waitFor(() => store.listRuns()[0].epochs >= epochsAfter + 3, 'the trainer to record on');
      trainer.child.kill('SIGINT');
      const result = await trainer.done;
      expect(result.stderr).not.toMatch(/SQLITE|locked|error/i);
      expect(result.code).toBe(130);
      expect(store.listRuns()[0].status).toBe('cancelled');
    } finally {
      store.close();
    }

    // A backup is a history: importing it into a new database brings the run, as resumable; twice adds nothing.
    const fresh = join(dir, 'fresh.sqlite');
    const first = await runCli(['history', 'import', join(dir, 'backup-4.sqlite'), '--db', fresh, '--json']);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ imported: 1, skipped: 0 });
    const second = await runCli(['history', 'import', join(dir, 'backup-4.sqlite'), '--db', fresh]);
    expect(second.code).toBe(0);
    expect(second.io.stdout).toEqual([`imported 0 runs from ${join(dir, 'backup-4.sqlite')}; skipped 1 already here`]);
    // and importing the live database itself merges nothing twice either: its run has the same UUID
    const third = await runCli(['history', 'import', dbPath, '--db', fresh, '--json']);
    expect(third.json).toMatchObject({ imported: 0, skipped: 1 });
    const merged = openStore(fresh, { mustExist: true });
    try {
      expect(merged.listRuns().map((r) => r.status)).toEqual(['interrupted']);
      expect(merged.integrityCheck()).toBe('ok');
    } finally {
      merged.close();
    }
  }, 120_000);
});

it('refuses a history of a newer schema in one line, importing nothing', async () => {
  const newer = join(dir, 'newer.sqlite');
  openStore(newer).close();
  const raw = new Database(newer);
  raw.pragma(`user_version = ${loadMigrations().length + 3}`);
  raw.close();
  const target = join(dir, 'target.sqlite');
  const { code, io } = await runCli(['history', 'import', newer, '--db', target]);
  expect(code).toBe(2);
  expect(io.stderr).toEqual([
    `alignahead history import: ${newer}: its schema version is ${loadMigrations().length + 3}, newer than this program's ${loadMigrations().length}; update Alignahead to import it (nothing was imported)`,
  ]);
  const store = openStore(target, { mustExist: true });
  try {
    expect(store.countRuns()).toBe(0);
  } finally {
    store.close();
  }
});
