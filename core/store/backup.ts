import { existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { UserError } from '../errors';
import type { StoreContext } from './context';
import { storageError } from './database';

/**
 * Copies of a whole experiment database, consistent while other processes train into it.
 *
 * SQLite's online backup copies every page in ONE step: the copy is then one read transaction, a
 * snapshot of the last committed state, and in WAL mode readers never block writers, so trainers go
 * on recording meanwhile (a backup taken in several steps would restart whenever another process
 * commits, and with trainers committing every epoch might never finish). The copy is written next to
 * its destination under a temporary name, checked with `integrity_check`, switched out of WAL mode
 * (one self-contained file) and only then given its name: a failed or killed backup never leaves a
 * file that looks like a backup.
 */

export interface BackupResult {
  /** the backup file */
  path: string;
  bytes: number;
  runs: number;
  /** epoch metric rows in the copy */
  epochRows: number;
}

/** Every page in one backup step (better-sqlite3 takes the page count of the next step from the progress callback). */
const ALL_PAGES = 0x7fffffff;

/** A consistent copy of `source` (an open connection) at `path`, which must not exist; removed again on failure. */
export async function snapshotDatabase(source: Database.Database, path: string, label: string): Promise<void> {
  try {
    await source.backup(path, { progress: () => ALL_PAGES });
  } catch (error) {
    removeDatabaseFiles(path);
    throw storageError(label, error) ?? new UserError(`${label}: the copy failed (${(error as Error).message})`, { cause: error });
  }
}

/** A database file with its WAL and shared-memory companions. */
export function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

/** A name next to `path` that no one uses: where a copy is written before it is complete. */
export function temporarySibling(path: string, purpose: string): string {
  return join(dirname(path), `.${basename(path)}.${purpose}-${randomBytes(6).toString('hex')}`);
}

/** Checks a destination for a new file: its folder exists, and it does not (a backup never overwrites). */
export function checkNewFile(path: string): void {
  if (existsSync(path)) throw new UserError(`${path}: already exists; a backup never overwrites a file, choose a new name`);
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UserError(`${path}: the folder ${folder} does not exist`);
}

/** Backs up the store's database to `destination` (a new file), online. */
export async function backupStore(ctx: StoreContext, destination: string): Promise<BackupResult> {
  checkNewFile(destination);
  const partial = temporarySibling(destination, 'partial');
  // A connection of its own, read-only: the copy cannot change the store, and the store's statements are untouched.
  const inMemory = ctx.path === ':memory:' || ctx.path === '';
  const source = inMemory ? ctx.db : new Database(ctx.path, { readonly: true, fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await snapshotDatabase(source, partial, destination);
  } finally {
    if (!inMemory) source.close();
  }
  try {
    const copy = new Database(partial);
    let result: Omit<BackupResult, 'path' | 'bytes'>;
    try {
      const integrity = (copy.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
      if (integrity !== 'ok') throw new UserError(`${destination}: the copy failed its integrity check (${integrity}); nothing was written`);
      copy.pragma('journal_mode = DELETE');
      result = {
        runs: (copy.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n,
        epochRows: (copy.prepare('SELECT COUNT(*) AS n FROM epoch_metrics').get() as { n: number }).n,
      };
    } finally {
      copy.close();
    }
    giveName(partial, destination);
    return { path: destination, bytes: statSync(destination).size, ...result };
  } catch (error) {
    removeDatabaseFiles(partial);
    throw storageError(destination, error) ?? error;
  }
}

/** Renames a finished copy to its destination without replacing a file that appeared meanwhile. */
function giveName(from: string, to: string): void {
  try {
    linkSync(from, to);
    rmSync(from);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UserError(`${to}: appeared while the backup was written; the backup was not given that name`);
    // file systems without hard links
    if (existsSync(to)) throw new UserError(`${to}: already exists; a backup never overwrites a file, choose a new name`);
    renameSync(from, to);
  }
}
