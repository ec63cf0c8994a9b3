import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * SQL functions the migration files may call (registered on the connection before they run), for
 * what SQLite cannot compute alone.
 *
 * stable_run_uuid(created_at, id, config): the UUID a run recorded before runs had one (migration
 * 004) gets. It is derived from facts the run never changes (an RFC 4122 version-5, name-based UUID),
 * so two copies of one old history, each upgraded on its own (one in place, one while being
 * imported elsewhere), give their runs the same identities and merging them adds nothing twice.
 */

/** A name-based UUID (SHA-1, version 5, in the manner of RFC 4122 §4.3) under a prefix naming this program's runs. */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update('alignahead-run\u0000').update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function registerMigrationFunctions(db: BetterSqlite3.Database): void {
  db.function('stable_run_uuid', { deterministic: true }, (createdAt: unknown, id: unknown, config: unknown) => nameBasedUuid(`${String(createdAt)}\u0000${String(id)}\u0000${String(config)}`));
}
