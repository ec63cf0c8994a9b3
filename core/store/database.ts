import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../errors';
import { assertKnownVersion, loadMigrations, migrate, type MigrationResult } from './migrate';

/**
 * SQLite failures caused by the machine rather than by a bug: a full disk, a lock held by another
 * process, a read-only file or folder, an I/O error. They become UserErrors naming the database and
 * the problem (shown as one line, exit code 2), instead of an "internal error". Null for other errors.
 */
export function storageError(path: string, error: unknown): UserError | null {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const detail = (error as Error).message;
  const problem = code.startsWith('SQLITE_FULL')
    ? 'the disk holding the database is full; free some space (what was recorded before is kept)'
    : code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
      ? 'the database is locked by another process (it held the lock longer than this one waits)'
      : code.startsWith('SQLITE_READONLY')
        ? 'the database cannot be written (the file or its folder is read-only)'
        : code.startsWith('SQLITE_CANTOPEN')
          ? 'the database file cannot be opened (check the folder exists and can be written)'
          : code.startsWith('SQLITE_IOERR')
            ? 'a disk error stopped a write (is the disk full or failing?)'
            : null;
  return problem === null ? null : new UserError(`${path}: ${problem} (SQLite: ${detail})`, { cause: error });
}

/** The WAL file is truncated to this size whenever a checkpoint resets it (see checkpointWal). */
export const WAL_SIZE_LIMIT_BYTES = 8 * 1024 * 1024;

export interface OpenDatabaseOptions {
  /** a missing file is a UserError instead of a new empty database (read-only commands) */
  mustExist?: boolean;
  /** migrations folder; defaults to the repository's migrations/ */
  migrationsDir?: string;
  /** how long a write waits for another process's lock before failing */
  busyTimeoutMs?: number;
}

/**
 * Opens (or creates) an experiment database and migrates it. WAL lets the UI read while a trainer
 * writes, and with synchronous=NORMAL a committed transaction survives a killed process (only an OS
 * crash can lose the last commits, never corrupt the file).
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): { db: Database.Database; migration: MigrationResult } {
  const inMemory = path === ':memory:';
  if (!inMemory) {
    if (!existsSync(path)) {
      if (options.mustExist) throw new UserError(`${path}: no experiment database there`);
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (error) {
        throw new UserError(`${path}: cannot create the database's folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
      }
    }
  }
  const migrations = loadMigrations(options.migrationsDir);
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: options.mustExist === true });
  } catch (error) {
    throw new UserError(`${path}: cannot open the database (${(error as Error).message})`, { cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? 5000))}`);
    // Reading the version is the first access to the file: one that is not SQLite fails here.
    db.pragma('user_version');
  } catch (error) {
    db.close();
    throw storageError(path, error) ?? new UserError(`${path}: not a usable SQLite database (${(error as Error).message})`, { cause: error });
  }
  try {
    // Checked before switching to WAL, which would rewrite the file header.
    assertKnownVersion(db, migrations.length, path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // After a checkpoint that resets the WAL, cut its file back to this size: a burst of writes
    // (four trainers, an import) does not leave a WAL at its high-water mark for good.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  } catch (error) {
    db.close();
    if (error instanceof UserError) throw error;
    throw storageError(path, error) ?? new UserError(`${path}: not a usable SQLite database (${(error as Error).message})`, { cause: error });
  }
  try {
    const migration = migrate(db, { migrations, label: path });
    return { db, migration };
  } catch (error) {
    db.close();
    throw storageError(path, (error as Error)?.cause ?? error) ?? error;
  }
}
