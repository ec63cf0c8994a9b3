import type Database from 'better-sqlite3';
import { UserError } from '../errors';
import { storageError } from './database';
import type { LivenessProbe } from './run-owner';
import { runFromRow, type RunRow } from './rows';
import type { RunRecord } from './types';
import * as check from './validate';

/**
 * What every aggregate module of the store shares: the connection with its prepared statements,
 * write transactions, the clock, the settings, and the run lookups the other aggregates check against.
 */
export class StoreContext {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    /** the database file (':memory:' for an in-memory one) */
    readonly path: string,
    readonly settings: {
      keepCheckpoints: number;
      now: () => Date;
      livenessProbe: (now: Date) => LivenessProbe;
      heartbeatIntervalMs: number;
    },
  ) {}

  /** A prepared statement, prepared once per SQL text. */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * One write transaction holding the write lock from its start (BEGIN IMMEDIATE: no lock upgrade,
   * no deadlock between processes). Machine failures (disk full, locked) become UserErrors.
   */
  write<T>(body: () => T): T {
    try {
      return this.db.transaction(body).immediate();
    } catch (error) {
      throw storageError(this.path, error) ?? error;
    }
  }

  timestamp(): string {
    return this.settings.now().toISOString();
  }

  /** The run, or null when there is none with that id. */
  getRun(id: number): RunRecord | null {
    const row = this.statement('SELECT * FROM runs WHERE id = ?').get(check.integer('run id', id, 1)) as RunRow | undefined;
    return row ? runFromRow(row) : null;
  }

  requireRun(id: number): RunRecord {
    const run = this.getRun(id);
    if (!run) throw new UserError(`run ${id} not found`);
    return run;
  }

  /** Writers of training records must own a running run: a stale trainer cannot add to a resumed one. */
  requireRunning(id: number, what: string): RunRecord {
    const run = this.requireRun(id);
    if (run.status !== 'running') throw new UserError(`run ${run.id} is ${run.status}, not running: ${what} not recorded`);
    return run;
  }
}
