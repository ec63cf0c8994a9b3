import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { UserError } from '../errors';
import { registerMigrationFunctions } from './migration-functions';

/** The repository's `migrations/` folder, found from this module so any working directory works. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** A numbered schema change: `migrations/NNN_name.sql` holds version NNN. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export interface MigrationResult {
  /** schema version before opening */
  readonly from: number;
  /** schema version now */
  readonly to: number;
  /** file names applied by this call, in order */
  readonly applied: string[];
}

const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

/**
 * Reads the migration files of a folder. Versions must run 1, 2, 3, ... without gaps or duplicates,
 * because the database's version number says how many of them it has.
 */
export function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new Error(`migrations folder ${dir} cannot be read: ${(error as Error).message}`);
  }
  const migrations = names
    .filter((name) => name.endsWith('.sql'))
    .map((name) => {
      const match = MIGRATION_FILE.exec(name);
      if (!match) throw new Error(`${join(dir, name)}: migration files are named NNN_lower_snake.sql`);
      return { version: Number(match[1]), name, sql: readFileSync(join(dir, name), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1) {
      throw new Error(`${join(dir, migration.name)}: expected version ${String(i + 1).padStart(3, '0')} here (versions must be 001, 002, ... without gaps or duplicates)`);
    }
  });
  return migrations;
}

/**
 * Refuses a database written by a newer program (its schema would be misread), before anything
 * writes to it. Returns the database's version.
 */
export function assertKnownVersion(db: BetterSqlite3.Database, known: number, label: string): number {
  const version = schemaVersion(db);
  if (version > known) {
    throw new UserError(`${label}: the database has schema version ${version} but this program knows only up to ${known}; use a newer Alignahead (the database was left untouched)`);
  }
  return version;
}

/**
 * Refuses a database whose applied migrations are not this program's first ones: a build from
 * another branch numbered its changes differently, and going on would skip a migration this
 * program's schema needs (the newest would then fail, or worse, succeed on a wrong schema).
 */
function assertSameHistory(db: BetterSqlite3.Database, applied: readonly Migration[], label: string): void {
  if (applied.length === 0) return;
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!hasTable) return;
  const recorded = new Map((db.prepare('SELECT version, name FROM schema_migrations').all() as { version: number; name: string }[]).map((r) => [r.version, r.name]));
  for (const migration of applied) {
    const name = recorded.get(migration.version);
    if (name !== undefined && name !== migration.name) {
      throw new UserError(
        `${label}: its schema version ${migration.version} is ${name}, but this program's is ${migration.name}: the database was made by another build of Alignahead; open it with that build, or export its runs there (the database was left untouched)`,
      );
    }
  }
}

/** The schema version recorded in the database header (0 for a new database). */
export function schemaVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to the newest schema: every pending migration runs inside ONE transaction, so
 * a failing file leaves the database exactly as it was. The version is kept twice: in
 * `PRAGMA user_version` (cheap to read, transactional) and in `schema_migrations` (name and time, for
 * people). A database newer than this program is refused untouched.
 */
export function migrate(db: BetterSqlite3.Database, options: { dir?: string; migrations?: Migration[]; label?: string } = {}): MigrationResult {
  const migrations = options.migrations ?? loadMigrations(options.dir);
  const label = options.label ?? db.name;
  const known = migrations.length;
  const from = assertKnownVersion(db, known, label);
  assertSameHistory(db, migrations.slice(0, from), label);
  const pending = migrations.slice(from);
  if (pending.length === 0) return { from, to: from, applied: [] };

  registerMigrationFunctions(db);
  db.exec('BEGIN IMMEDIATE');
  let current: Migration | null = null;
  try {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    const lockedFrom = schemaVersion(db);
    if (lockedFrom > known) throw new UserError(`${label}: the database was upgraded to schema version ${lockedFrom} by a newer program meanwhile`);
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const applied: string[] = [];
    for (const migration of migrations.slice(lockedFrom)) {
      current = migration;
      db.exec(migration.sql);
      if (!db.inTransaction) throw new Error('it ended the transaction (migration files must not contain BEGIN/COMMIT)');
      record.run(migration.version, migration.name, new Date().toISOString());
      applied.push(migration.name);
    }
    current = null;
    db.pragma(`user_version = ${known}`);
    db.exec('COMMIT');
    return { from: lockedFrom, to: known, applied };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if (error instanceof UserError) throw error;
    const where = current ? `migration ${current.name}` : 'migrating';
    throw new Error(`${label}: ${where} failed: ${(error as Error).message} (rolled back: no migration was applied)`, { cause: error });
  }
}
