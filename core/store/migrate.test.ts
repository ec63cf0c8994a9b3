import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { openDatabase } from './database';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from './migrate';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-migrate-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const repoMigrationFiles = () => readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

function migrationsDir(files: Record<string, string>): string {
  const folder = join(dir, `migrations-${Object.keys(files).length}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(folder);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(folder, name), sql);
  return folder;
}

describe('migrate', () => {
  it('builds the schema from an empty file and records every migration', () => {
    const path = join(dir, 'new', 'store.sqlite');
    const { db, migration } = openDatabase(path);
    try {
      const files = repoMigrationFiles();
      expect(files.length).toBeGreaterThan(0);
      expect(migration).toMatchObject({ from: 0, to: files.length, applied: files });
      expect(db.pragma('user_version', { simple: true })).toBe(files.length);
      const recorded = db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as { version: number; name: string; applied_at: string }[];
      expect(recorded.map((r) => r.name)).toEqual(files);
      expect(recorded.map((r) => r.version)).toEqual(files.map((_, i) => i + 1));
      expect(Number.isNaN(Date.parse(recorded[0].applied_at))).toBe(false);
      expect(tables(db)).toEqual(
        expect.arrayContaining(['datasets', 'runs', 'students', 'epoch_metrics', 'alignment_matrices', 'checkpoints', 'run_events', 'schema_migrations']),
      );
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    } finally {
      db.close();
    }
  });

  it('re-opening applies nothing and keeps the data', () => {
    const path = join(dir, 'store.sqlite');
    const first = openDatabase(path);
    first.db.prepare("INSERT INTO datasets (name, source, created_at, updated_at) VALUES ('cora', 'cora.npz', 'x', 'x')").run();
    first.db.close();
    const second = openDatabase(path);
    try {
      expect(second.migration.applied).toEqual([]);
      expect(second.migration.from).toBe(second.migration.to);
      expect(second.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: repoMigrationFiles().length });
      expect(second.db.prepare('SELECT name FROM datasets').all()).toEqual([{ name: 'cora' }]);
    } finally {
      second.db.close();
    }
  });

  it('works from any working directory (the folder is found from the module)', () => {
    expect(existsSync(join(DEFAULT_MIGRATIONS_DIR, '001_initial.sql'))).toBe(true);
  });

  it('a failing migration rolls back every pending one and names the file', () => {
    const path = join(dir, 'store.sqlite');
    const good = { '001_first.sql': 'CREATE TABLE first (x INTEGER);' };
    openDatabase(path, { migrationsDir: migrationsDir(good) }).db.close();

    const failing = migrationsDir({
      ...good,
      '002_second.sql': 'CREATE TABLE second (x INTEGER); INSERT INTO second VALUES (1);',
      '003_broken.sql': 'CREATE TABLE third (x INTEGER); INSERT INTO no_such_table VALUES (1);',
    });
    expect(() => openDatabase(path, { migrationsDir: failing })).toThrow(/003_broken\.sql.*no such table.*rolled back/);

    const db = new Database(path);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      expect(tables(db)).toEqual(['first', 'schema_migrations']);
      expect(db.prepare('SELECT name FROM schema_migrations').all()).toEqual([{ name: '001_first.sql' }]);
    } finally {
      db.close();
    }
  });

  it('a failure in the very first migration leaves an empty database', () => {
    const path = join(dir, 'store.sqlite');
    const failing = migrationsDir({ '001_a.sql': 'CREATE TABLE a (x INTEGER);', '002_b.sql': 'CREATE TABLE a (y INTEGER);' });
    expect(() => openDatabase(path, { migrationsDir: failing })).toThrow(/002_b\.sql.*already exists/);
    const db = new Database(path);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(0);
      expect(tables(db)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('refuses a database whose applied migrations came from another build, untouched', () => {
    const path = join(dir, 'branch.sqlite');
    // a development branch numbered its own change 002; this program's 002 is another one
    openDatabase(path, { migrationsDir: migrationsDir({ '001_first.sql': 'CREATE TABLE first (x INTEGER);', '002_signal.sql': 'CREATE TABLE signal (x INTEGER);' }) }).db.close();
    const before = readFileSync(path);
    const ours = migrationsDir({ '001_first.sql': 'CREATE TABLE first (x INTEGER);', '002_queue.sql': 'CREATE TABLE queue (x INTEGER);', '003_signal.sql': 'CREATE TABLE signal (x INTEGER);' });
    let thrown: unknown;
    try {
      openDatabase(path, { migrationsDir: ours }).db.close();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as Error).message).toMatch(/schema version 2 is 002_signal\.sql, but this program's is 002_queue\.sql.*another build/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a database newer than the program and leaves the file byte-identical', () => {
    const path = join(dir, 'future.sqlite');
    const future = new Database(path);
    future.exec('CREATE TABLE from_the_future (x INTEGER)');
    future.pragma('user_version = 99');
    future.close();
    const before = readFileSync(path);

    let thrown: unknown;
    try {
      openDatabase(path).db.close();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as Error).message).toMatch(/schema version 99.*knows only up to \d+/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(path + '-wal')).toBe(false);
  });

  it('rejects badly named or non-contiguous migration files', () => {
    expect(() => loadMigrations(migrationsDir({ '001_ok.sql': '', '1_bad.sql': '' }))).toThrow(/1_bad\.sql.*NNN_lower_snake/);
    expect(() => loadMigrations(migrationsDir({ '001_a.sql': '', '003_c.sql': '' }))).toThrow(/003_c\.sql.*expected version 002/);
    expect(() => loadMigrations(migrationsDir({ '001_a.sql': '', '001_b.sql': '' }))).toThrow(/expected version 002/);
  });

  it('refuses a migration that commits on its own', () => {
    const path = join(dir, 'store.sqlite');
    const sneaky = migrationsDir({ '001_a.sql': 'CREATE TABLE a (x INTEGER); COMMIT;' });
    expect(() => openDatabase(path, { migrationsDir: sneaky })).toThrow(/001_a\.sql.*BEGIN\/COMMIT/);
  });

  it('a file that is not SQLite is a UserError naming it', () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'this is not a database, just some text that is long enough to have a header '.repeat(5));
    expect(() => openDatabase(path)).toThrow(UserError);
    expect(() => openDatabase(path)).toThrow(/notes\.txt: not a usable SQLite database/);
  });

  it('mustExist refuses a missing file without creating it', () => {
    const path = join(dir, 'missing.sqlite');
    expect(() => openDatabase(path, { mustExist: true })).toThrow(/missing\.sqlite: no experiment database/);
    expect(existsSync(path)).toBe(false);
  });
});
