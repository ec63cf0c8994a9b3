import type { EpochMetricRow, EventLevel, RunFacets, RunStatus, RunSummary, StudentConvergence } from '../../contract/api';
import type { DistillationSignalRow } from '../../contract/distillation-signal';
import { backupStore, type BackupResult } from './backup';
import * as checkpoints from './checkpoints';
import { StoreContext } from './context';
import { openDatabase } from './database';
import * as datasets from './dataset-registry';
import * as signal from './distillation-signal';
import * as events from './events';
import type { Heartbeat } from './heartbeat-thread';
import * as heatmaps from './heatmaps';
import { importHistory, type ImportOptions, type ImportResult } from './history-import';
import * as metrics from './metrics';
import type { MigrationResult } from './migrate';
import * as lifecycle from './run-lifecycle';
import { HEARTBEAT_INTERVAL_MS, staleHeartbeatLimitMs, systemProbe, type LivenessProbe, type RunOwner } from './run-owner';
import * as runs from './runs';
import type {
  AlignmentMatrix,
  Checkpoint,
  CheckpointInfo,
  ConvergenceUpdate,
  CreateRunInput,
  DatasetInput,
  DatasetRecord,
  HeartbeatReply,
  RecordedEpoch,
  RunEvent,
  RunFilter,
  RunInfoUpdate,
  RunRecord,
} from './types';
import * as check from './validate';

export interface StoreOptions {
  /** a missing database file is a UserError instead of a new empty database */
  mustExist?: boolean;
  /** migrations folder (tests); defaults to the repository's migrations/ */
  migrationsDir?: string;
  /** checkpoints kept per run, newest first (default 2) */
  keepCheckpoints?: number;
  busyTimeoutMs?: number;
  /** clock, for tests */
  now?: () => Date;
  /** how markInterruptedRuns tells whether an owner is gone (tests); default: this machine's processes */
  livenessProbe?: (now: Date) => LivenessProbe;
  /** owners on other hosts silent this long are gone [staleHeartbeatLimitMs()] */
  staleHeartbeatMs?: number;
  /** how often a trainer's heartbeat thread beats [HEARTBEAT_INTERVAL_MS] */
  heartbeatIntervalMs?: number;
}

/** Opens (creating and migrating if needed) the experiment database at `path` (':memory:' works). */
export function openStore(path: string, options: StoreOptions = {}): ExperimentStore {
  return ExperimentStore.open(path, options);
}

/**
 * The experiment store: runs, their per-epoch metrics, alignment heatmaps, checkpoints and events,
 * plus the dataset registry. The only place in the project that speaks SQL. This class is its one
 * facade; each aggregate lives in its own module (runs.ts, run-lifecycle.ts, metrics.ts with
 * selection.ts, heatmaps.ts, distillation-signal.ts, checkpoints.ts, events.ts, dataset-registry.ts),
 * where its methods are documented.
 *
 * Every logical write is one transaction, so a process killed at any moment leaves whole epochs,
 * whole heatmap sets and whole checkpoints. Writes take the write lock up front (BEGIN IMMEDIATE):
 * several processes (UI server, trainer workers) can share one database file.
 * Input errors (unknown run, bad value, refused transition) are UserErrors naming the problem.
 */
export class ExperimentStore {
  private constructor(
    private readonly ctx: StoreContext,
    /** what opening did to the schema */
    readonly migration: MigrationResult,
  ) {}

  static open(path: string, options: StoreOptions = {}): ExperimentStore {
    const { db, migration } = openDatabase(path, options);
    try {
      const staleAfterMs = check.integer('staleHeartbeatMs', options.staleHeartbeatMs ?? staleHeartbeatLimitMs(), 1);
      const ctx = new StoreContext(db, path, {
        keepCheckpoints: check.integer('keepCheckpoints', options.keepCheckpoints ?? 2, 1),
        now: options.now ?? (() => new Date()),
        livenessProbe: options.livenessProbe ?? ((now) => systemProbe(now, staleAfterMs)),
        heartbeatIntervalMs: check.integer('heartbeatIntervalMs', options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS, 1),
      });
      return new ExperimentStore(ctx, migration);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** the database file */
  get path(): string {
    return this.ctx.path;
  }

  close(): void {
    if (this.ctx.db.open) this.ctx.db.close();
  }

  /** A consistent copy of the whole database at `destination` (a new file), taken online while runs train (backup.ts). */
  backup(destination: string): Promise<BackupResult> {
    return backupStore(this.ctx, destination);
  }

  /** Merges another history file into this one: new runs by UUID, ids remapped, duplicates skipped (history-import.ts). */
  importHistory(file: string, options: ImportOptions = {}): Promise<ImportResult> {
    return importHistory(this.ctx, file, options);
  }

  /**
   * Copies the WAL's committed pages into the database, without waiting: PASSIVE leaves what readers
   * still use in the WAL; TRUNCATE also empties the WAL file, and reports busy (changing nothing)
   * while another process writes or reads an older snapshot. SQLite checkpoints by itself every 1000
   * pages, but only from a connection that commits and only as far as readers allow: the training
   * host calls this every few seconds while runs train and when idle.
   */
  checkpointWal(mode: 'PASSIVE' | 'TRUNCATE' = 'PASSIVE'): { busy: boolean; walPages: number; checkpointedPages: number } {
    if (this.ctx.path === ':memory:' || this.ctx.path === '') return { busy: false, walPages: 0, checkpointedPages: 0 };
    const { db } = this.ctx;
    // Never wait here: a busy database is reported, and the caller tries again later.
    const timeout = db.pragma('busy_timeout', { simple: true }) as number;
    db.pragma('busy_timeout = 0');
    try {
      const [row] = db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
      return { busy: row.busy === 1, walPages: row.log, checkpointedPages: row.checkpointed };
    } finally {
      db.pragma(`busy_timeout = ${timeout}`);
    }
  }

  /** `PRAGMA integrity_check`: 'ok' or the problems SQLite found. */
  /**
   * Runs `body` as one transaction: the store calls inside it become savepoints, so one that throws
   * undoes only itself when the body catches it (the queue's ingest applies a batch of results this way).
   */
  batch<T>(body: () => T): T {
    return this.ctx.write(body);
  }

  integrityCheck(): string {
    const rows = this.ctx.db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  }

  // runs (runs.ts)
  createRun(input: CreateRunInput): RunRecord {
    return runs.createRun(this.ctx, input);
  }
  getRun(id: number): RunRecord | null {
    return this.ctx.getRun(id);
  }
  listRuns(filter: RunFilter = {}): RunSummary[] {
    return runs.listRuns(this.ctx, filter);
  }
  runSummary(run: RunRecord): RunSummary {
    return runs.runSummary(this.ctx, run);
  }
  finishedEpochs(runId: number): number {
    return runs.finishedEpochs(this.ctx, runId);
  }
  countRuns(filter: Omit<RunFilter, 'limit' | 'offset'> = {}): number {
    return runs.countRuns(this.ctx, filter);
  }
  runFacets(filter: Omit<RunFilter, 'limit' | 'offset'> = {}): RunFacets {
    return runs.runFacets(this.ctx, filter);
  }
  renameRun(id: number, name: string): RunRecord {
    return runs.describeRun(this.ctx, id, { name });
  }
  setTags(id: number, tags: string[]): RunRecord {
    return runs.describeRun(this.ctx, id, { tags });
  }
  setNotes(id: number, notes: string): RunRecord {
    return runs.describeRun(this.ctx, id, { notes });
  }
  setGroup(id: number, group: string | null): RunRecord {
    return runs.describeRun(this.ctx, id, { group });
  }
  updateRunInfo(id: number, info: RunInfoUpdate): RunRecord {
    return runs.updateRunInfo(this.ctx, id, info);
  }
  deleteRun(id: number, options: { force?: boolean } = {}): void {
    runs.deleteRun(this.ctx, id, options);
  }

  // lifecycle (run-lifecycle.ts)
  setStatus(id: number, status: RunStatus, options: { error?: string; owner?: RunOwner; reason?: string } = {}): RunRecord {
    return lifecycle.setStatus(this.ctx, id, status, options);
  }
  startHeartbeat(runId: number, onProblem?: (message: string) => void): Heartbeat {
    return lifecycle.startHeartbeat(this.ctx, runId, onProblem);
  }
  heartbeat(id: number): HeartbeatReply {
    return lifecycle.heartbeat(this.ctx, id);
  }
  requestCancel(id: number): RunRecord {
    return lifecycle.requestCancel(this.ctx, id);
  }
  markInterruptedRuns(): RunRecord[] {
    return lifecycle.markInterruptedRuns(this.ctx);
  }

  // metrics and students (metrics.ts)
  recordEpoch(runId: number, rows: readonly EpochMetricRow[]): RecordedEpoch {
    return metrics.recordEpoch(this.ctx, runId, rows);
  }
  getMetrics(runId: number, options: { afterEpoch?: number } = {}): EpochMetricRow[] {
    return metrics.getMetrics(this.ctx, runId, options);
  }
  discardAfterEpoch(runId: number, epoch: number): number {
    return metrics.discardAfterEpoch(this.ctx, runId, epoch);
  }
  getStudents(runId: number): StudentConvergence[] {
    return metrics.getStudents(this.ctx, runId);
  }
  setConvergence(runId: number, idx: number, figures: ConvergenceUpdate): StudentConvergence {
    return metrics.setConvergence(this.ctx, runId, idx, figures);
  }

  // alignment heatmaps (heatmaps.ts)
  recordAlignment(runId: number, matrices: readonly AlignmentMatrix[]): void {
    heatmaps.recordAlignment(this.ctx, runId, matrices);
  }
  getAlignment(runId: number, options: { epoch?: number | 'latest' } = {}): AlignmentMatrix[] {
    return heatmaps.getAlignment(this.ctx, runId, options);
  }
  alignmentEpochs(runId: number): number[] {
    return heatmaps.alignmentEpochs(this.ctx, runId);
  }

  // the distillation-signal diagnostic (distillation-signal.ts)
  recordSignal(runId: number, rows: readonly DistillationSignalRow[]): void {
    signal.recordSignal(this.ctx, runId, rows);
  }
  getSignal(runId: number, options: { afterEpoch?: number } = {}): DistillationSignalRow[] {
    return signal.getSignal(this.ctx, runId, options);
  }

  // checkpoints (checkpoints.ts)
  saveCheckpoint(runId: number, epoch: number, bytes: Uint8Array): void {
    checkpoints.saveCheckpoint(this.ctx, runId, epoch, bytes);
  }
  latestCheckpoint(runId: number): Checkpoint | null {
    return checkpoints.latestCheckpoint(this.ctx, runId);
  }
  listCheckpoints(runId: number): CheckpointInfo[] {
    return checkpoints.listCheckpoints(this.ctx, runId);
  }

  // events (events.ts)
  logEvent(runId: number, level: EventLevel, kind: string, message: string, data?: unknown): number {
    return events.logEvent(this.ctx, runId, level, kind, message, data);
  }
  getEvents(runId: number, options: { afterId?: number; limit?: number } = {}): RunEvent[] {
    return events.getEvents(this.ctx, runId, options);
  }

  // dataset registry (dataset-registry.ts)
  upsertDataset(input: DatasetInput): DatasetRecord {
    return datasets.upsertDataset(this.ctx, input);
  }
  listDatasets(): DatasetRecord[] {
    return datasets.listDatasets(this.ctx);
  }
  getDataset(idOrName: number | string): DatasetRecord | null {
    return datasets.getDataset(this.ctx, idOrName);
  }
  deleteDataset(id: number): boolean {
    return datasets.deleteDataset(this.ctx, id);
  }
}
