import type Database from 'better-sqlite3';
import { UserError } from '../errors';
import { openDatabase, storageError } from './database';
import { encodeFloat32 } from './float32-blob';
import type { MigrationResult } from './migrate';
import { startHeartbeatThread, type Heartbeat } from './heartbeat-thread';
import { canTransition, transitionError } from './run-status';
import { currentOwner, HEARTBEAT_INTERVAL_MS, ownerGoneReason, staleHeartbeatLimitMs, systemProbe, type LivenessProbe, type RunOwner } from './run-owner';
import {
  alignmentFromRow,
  datasetFromRow,
  eventFromRow,
  metricFromRow,
  runFromRow,
  studentFromRow,
  type AlignmentRow,
  type DatasetRow,
  type EventRow,
  type MetricRow,
  type RunRow,
  type StudentRow,
} from './rows';
import {
  EVENT_LEVELS,
  RUN_STATUSES,
  type AlignmentMatrix,
  type AlignmentMatrixInput,
  type Checkpoint,
  type CheckpointInfo,
  type CreateRunInput,
  type DatasetInput,
  type DatasetRecord,
  type EpochMetric,
  type EventLevel,
  type HeartbeatReply,
  type RunEvent,
  type RunFilter,
  type RunInfoUpdate,
  type RunListItem,
  type RunRecord,
  type RunStatus,
  type StudentEpochInput,
  type StudentSummary,
  type StudentSummaryUpdate,
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

/** A student can only be one of a handful; the bound catches a units mix-up early. */
const MAX_STUDENTS = 64;

const STUDENT_SUMMARY_COLUMNS: Record<keyof StudentSummaryUpdate, { column: string; integer: boolean }> = {
  bestVal: { column: 'best_val', integer: false },
  bestEpoch: { column: 'best_epoch', integer: true },
  testAtBest: { column: 'test_at_best', integer: false },
  epochsTo95: { column: 'epochs_to_95', integer: true },
  secondsTo95: { column: 'seconds_to_95', integer: false },
  epochsTo99: { column: 'epochs_to_99', integer: true },
  secondsTo99: { column: 'seconds_to_99', integer: false },
};

/** Opens (creating and migrating if needed) the experiment database at `path` (':memory:' works). */
export function openStore(path: string, options: StoreOptions = {}): ExperimentStore {
  return ExperimentStore.open(path, options);
}

/**
 * The experiment store: runs, their per-epoch metrics, alignment heatmaps, checkpoints and events,
 * plus the dataset registry. The only place in the project that speaks SQL.
 *
 * Every logical write is one transaction, so a process killed at any moment leaves whole epochs,
 * whole heatmap sets and whole checkpoints. Writes take the write lock up front (BEGIN IMMEDIATE):
 * several processes (UI server, trainer workers) can share one database file.
 * Input errors (unknown run, bad value, refused transition) are UserErrors naming the problem.
 */
export class ExperimentStore {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly keepCheckpoints: number;
  private readonly now: () => Date;
  private readonly livenessProbe: (now: Date) => LivenessProbe;
  private readonly heartbeatIntervalMs: number;

  private constructor(
    private readonly db: Database.Database,
    /** the database file */
    readonly path: string,
    /** what opening did to the schema */
    readonly migration: MigrationResult,
    options: StoreOptions,
  ) {
    this.keepCheckpoints = check.integer('keepCheckpoints', options.keepCheckpoints ?? 2, 1);
    this.now = options.now ?? (() => new Date());
    const staleAfterMs = check.integer('staleHeartbeatMs', options.staleHeartbeatMs ?? staleHeartbeatLimitMs(), 1);
    this.livenessProbe = options.livenessProbe ?? ((now) => systemProbe(now, staleAfterMs));
    this.heartbeatIntervalMs = check.integer('heartbeatIntervalMs', options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS, 1);
  }

  static open(path: string, options: StoreOptions = {}): ExperimentStore {
    const { db, migration } = openDatabase(path, options);
    try {
      return new ExperimentStore(db, path, migration, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** `PRAGMA integrity_check`: 'ok' or the problems SQLite found. */
  integrityCheck(): string {
    const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  }

  // ---------------------------------------------------------------- runs

  /** Creates a queued run with one (empty) summary row per student. */
  createRun(input: CreateRunInput): RunRecord {
    const model = check.text('model', input.model, 200);
    const strategy = check.text('strategy', input.strategy, 200);
    const seed = check.integer('seed', input.seed);
    const values = {
      name: input.name === undefined ? `${model}-${strategy}-seed${seed}` : check.text('name', input.name, 200),
      group_name: check.optionalText('group', input.group, 200),
      config: check.jsonText('config', check.plainObject('config', input.config)),
      dataset_id: check.optionalInteger('datasetId', input.datasetId, 1),
      dataset: check.text('dataset', input.dataset, 2000),
      model,
      strategy,
      num_students: check.integer('numStudents', input.numStudents, 1, MAX_STUDENTS),
      num_layers: check.integer('numLayers', input.numLayers, 1, 1000),
      seed,
      planned_epochs: check.optionalInteger('plannedEpochs', input.plannedEpochs, 0),
      backend: check.optionalText('backend', input.backend, 200),
      tags: JSON.stringify(check.tagList(input.tags ?? [])),
      notes: notesText(input.notes ?? ''),
      now: this.timestamp(),
    };
    return this.write(() => {
      if (values.dataset_id !== null && !this.statement('SELECT 1 FROM datasets WHERE id = ?').get(values.dataset_id)) {
        throw new UserError(`datasetId: no registered dataset with id ${values.dataset_id}`);
      }
      const { id } = this.statement(
        `INSERT INTO runs (name, group_name, config, dataset_id, dataset, model, strategy, num_students, num_layers,
           seed, planned_epochs, backend, tags, notes, created_at, updated_at)
         VALUES (@name, @group_name, @config, @dataset_id, @dataset, @model, @strategy, @num_students, @num_layers,
           @seed, @planned_epochs, @backend, @tags, @notes, @now, @now)
         RETURNING id`,
      ).get(values) as { id: number };
      const addStudent = this.statement('INSERT INTO students (run_id, idx) VALUES (?, ?)');
      for (let idx = 0; idx < values.num_students; idx++) addStudent.run(id, idx);
      this.insertEvent(id, 'info', 'created', `run created (${values.num_students} × ${model}, ${strategy})`);
      return this.requireRun(id);
    });
  }

  /** The run, or null when there is none with that id. */
  getRun(id: number): RunRecord | null {
    const row = this.statement('SELECT * FROM runs WHERE id = ?').get(runId(id)) as RunRow | undefined;
    return row ? runFromRow(row) : null;
  }

  /** Runs newest first, with finished-epoch counts and each student's best validation metric. */
  listRuns(filter: RunFilter = {}): RunListItem[] {
    const { where, params } = runFilterSql(filter);
    const limit = check.integer('limit', filter.limit ?? 100, 1, 10_000);
    const offset = check.integer('offset', filter.offset ?? 0, 0);
    // recordEpoch writes all students of an epoch in one transaction, so counting student 0's rows
    // counts whole epochs (8× cheaper than grouping every row by epoch).
    const rows = this.statement(
      `SELECT r.*, (SELECT COUNT(*) FROM epoch_metrics m WHERE m.run_id = r.id AND m.student = 0) AS epochs_done
       FROM runs r ${where} ORDER BY r.id DESC LIMIT @limit OFFSET @offset`,
    ).all({ ...params, limit, offset }) as (RunRow & { epochs_done: number })[];
    const students = new Map<number, RunListItem['students']>();
    const studentRows = this.statement(
      `SELECT run_id, idx, best_val, best_epoch, test_at_best FROM students
       WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, idx`,
    ).all(JSON.stringify(rows.map((r) => r.id))) as StudentRow[];
    for (const s of studentRows) {
      const list = students.get(s.run_id) ?? [];
      list.push({ idx: s.idx, bestVal: s.best_val, bestEpoch: s.best_epoch, testAtBest: s.test_at_best });
      students.set(s.run_id, list);
    }
    return rows.map((row) => runListItemOf(runFromRow(row), row.epochs_done, students.get(row.id) ?? []));
  }

  /** One run as listRuns lists it, for views of a single run. */
  runListItem(run: RunRecord): RunListItem {
    return runListItemOf(run, this.finishedEpochs(run.id), this.getStudents(run.id));
  }

  /** Epochs finished: epochs for which every student has a metric row (as listRuns counts them). */
  finishedEpochs(runId: number): number {
    const run = this.requireRun(runId);
    return (this.statement('SELECT COUNT(*) AS n FROM epoch_metrics WHERE run_id = ? AND student = 0').get(run.id) as { n: number }).n;
  }

  /** How many runs match (for paging listRuns). */
  countRuns(filter: Omit<RunFilter, 'limit' | 'offset'> = {}): number {
    const { where, params } = runFilterSql(filter);
    return (this.statement(`SELECT COUNT(*) AS n FROM runs r ${where}`).get(params) as { n: number }).n;
  }

  /**
   * Moves a run along its lifecycle (see run-status.ts); a refused transition is a UserError naming
   * it. Going to running claims the run for its owner (default: this process) and records the first
   * start time; since running → running is refused, two processes can never both claim a run. An
   * ending records finishedAt and, for failures, the error. Each change is logged as an event.
   */
  setStatus(id: number, status: RunStatus, options: { error?: string; owner?: RunOwner; reason?: string } = {}): RunRecord {
    if (!RUN_STATUSES.includes(status)) throw new UserError(`status: unknown status '${String(status)}' (one of ${RUN_STATUSES.join(', ')})`);
    const error = options.error === undefined ? null : check.text('error', options.error, 20_000);
    const owner = status === 'running' ? checkOwner(options.owner ?? currentOwner()) : null;
    return this.write(() => {
      const run = this.requireRun(id);
      if (status === 'running' && run.status === 'running') throw new UserError(`run ${run.id} is already running (${ownerText(run)}); cancel it first`);
      this.changeStatus(run, status, { error, owner, reason: options.reason });
      return this.requireRun(id);
    });
  }

  /**
   * Keeps a running run's heartbeat fresh from a thread of its own until `stop` (or the end of the
   * process, or the run leaving `running`). The owner must be this process. An in-memory database
   * has no other reader, so it needs none.
   */
  startHeartbeat(runId: number, onProblem?: (message: string) => void): Heartbeat {
    const run = this.requireRunning(runId, 'heartbeat');
    if (!isOwnedHere(run)) throw new UserError(`run ${run.id} is owned by ${ownerText(run)}, not by this process`);
    if (this.path === ':memory:' || this.path === '') return { stop: async () => {} };
    return startHeartbeatThread({ databasePath: this.path, runId: run.id, owner: currentOwner(), intervalMs: this.heartbeatIntervalMs, onProblem });
  }

  /**
   * Called by the trainer every few seconds while it runs: stamps heartbeatAt and tells it whether
   * someone asked it to stop. A run that is no longer `running` is left unchanged.
   */
  heartbeat(id: number): HeartbeatReply {
    return this.write(() => {
      const run = this.requireRun(id);
      if (run.status === 'running') {
        const now = this.timestamp();
        this.statement('UPDATE runs SET heartbeat_at = ?, updated_at = ? WHERE id = ?').run(now, now, run.id);
      }
      return { status: run.status, cancelRequested: run.cancelRequested };
    });
  }

  /**
   * Asks a run to stop: a queued run is cancelled at once; a running one is flagged, and its trainer
   * (seeing the flag through heartbeat) stops and sets `cancelled` itself.
   */
  requestCancel(id: number): RunRecord {
    return this.write(() => {
      const run = this.requireRun(id);
      if (run.status === 'queued') {
        this.changeStatus(run, 'cancelled', { error: null, owner: null, reason: 'cancelled before it started' });
      } else if (run.status === 'running') {
        if (!run.cancelRequested) {
          this.statement('UPDATE runs SET cancel_requested = 1, updated_at = ? WHERE id = ?').run(this.timestamp(), run.id);
          this.insertEvent(run.id, 'info', 'cancel-requested', 'cancellation requested');
        }
      } else {
        throw new UserError(`run ${run.id} is ${run.status}: only queued or running runs can be cancelled`);
      }
      return this.requireRun(id);
    });
  }

  renameRun(id: number, name: string): RunRecord {
    return this.updateRunColumns(id, { name: check.text('name', name, 200) });
  }

  setTags(id: number, tags: string[]): RunRecord {
    return this.updateRunColumns(id, { tags: JSON.stringify(check.tagList(tags)) });
  }

  setNotes(id: number, notes: string): RunRecord {
    return this.updateRunColumns(id, { notes: notesText(notes) });
  }

  setGroup(id: number, group: string | null): RunRecord {
    return this.updateRunColumns(id, { group_name: check.optionalText('group', group, 200) });
  }

  /** Facts known once training starts: backend (and its report), library versions, planned epochs. */
  updateRunInfo(id: number, info: RunInfoUpdate): RunRecord {
    const columns: Record<string, unknown> = {};
    if (info.backend !== undefined) columns.backend = check.optionalText('backend', info.backend, 200);
    if (info.backendReport !== undefined) columns.backend_report = check.jsonText('backendReport', info.backendReport);
    if (info.versions !== undefined) columns.versions = check.jsonText('versions', info.versions);
    if (info.plannedEpochs !== undefined) columns.planned_epochs = check.optionalInteger('plannedEpochs', info.plannedEpochs, 0);
    if (info.worker !== undefined) columns.worker = check.optionalText('worker', info.worker, 200);
    if (info.datasetSha256 !== undefined) columns.dataset_sha256 = check.optionalSha256('datasetSha256', info.datasetSha256);
    if (info.queue !== undefined) {
      columns.queue_job = info.queue === null ? null : check.text('queue job', info.queue.job, 500);
      columns.queue_lease = info.queue === null ? null : check.optionalText('queue lease', info.queue.lease, 200);
      columns.queue_seq = info.queue === null ? null : check.optionalInteger('queue seq', info.queue.seq, 0);
    }
    return this.updateRunColumns(id, columns);
  }

  /**
   * Deletes a run and everything recorded for it. A running run is refused unless `force` (its
   * trainer would otherwise keep writing to a run that no longer exists).
   */
  deleteRun(id: number, options: { force?: boolean } = {}): void {
    this.write(() => {
      const run = this.requireRun(id);
      if (run.status === 'running' && !options.force) {
        throw new UserError(`run ${run.id} is running: cancel it first (or force the deletion)`);
      }
      this.statement('DELETE FROM runs WHERE id = ?').run(run.id);
    });
  }

  /**
   * Runs left `running` by an owner that is provably gone become `interrupted` (resumable); a run
   * whose owner may be alive is never touched (the rule is ownerGoneReason in run-owner.ts). The app,
   * serve mode and `runs list` all call this. Returns the runs it marked, as they are now.
   */
  markInterruptedRuns(): RunRecord[] {
    const running = () => (this.statement("SELECT * FROM runs WHERE status = 'running'").all() as RunRow[]).map(runFromRow);
    // Most calls find nothing to do: look before taking the write lock.
    if (running().length === 0) return [];
    return this.write(() => {
      const probe = this.livenessProbe(this.now());
      const marked: RunRecord[] = [];
      for (const run of running()) {
        const reason = ownerGoneReason(run.owner, run.heartbeatAt, probe);
        if (reason === null) continue;
        this.changeStatus(run, 'interrupted', { error: reason, owner: null });
        marked.push(this.requireRun(run.id));
      }
      return marked;
    });
  }

  // ---------------------------------------------------------------- students

  getStudents(runId: number): StudentSummary[] {
    const run = this.requireRun(runId);
    return (this.statement('SELECT * FROM students WHERE run_id = ? ORDER BY idx').all(run.id) as StudentRow[]).map(studentFromRow);
  }

  /**
   * Sets a student's summary fields (those given; null clears one). recordEpoch already keeps
   * bestVal/bestEpoch/testAtBest current; the trainer adds the convergence figures at the end.
   */
  updateStudentSummary(runId: number, idx: number, summary: StudentSummaryUpdate): StudentSummary {
    const assignments: string[] = [];
    const values: Record<string, number | null> = {};
    for (const [key, value] of Object.entries(summary)) {
      const spec = STUDENT_SUMMARY_COLUMNS[key as keyof StudentSummaryUpdate];
      if (!spec) throw new UserError(`student summary: unknown field '${key}'`);
      if (value === undefined) continue;
      values[spec.column] = spec.integer ? check.optionalInteger(key, value, 0) : check.metric(key, value);
      assignments.push(`${spec.column} = @${spec.column}`);
    }
    return this.write(() => {
      const run = this.requireRun(runId);
      const student = check.integer('student', idx, 0, run.numStudents - 1);
      if (assignments.length > 0) {
        this.db.prepare(`UPDATE students SET ${assignments.join(', ')} WHERE run_id = @run_id AND idx = @idx`).run({ ...values, run_id: run.id, idx: student });
      }
      return studentFromRow(this.statement('SELECT * FROM students WHERE run_id = ? AND idx = ?').get(run.id, student) as StudentRow);
    });
  }

  // ---------------------------------------------------------------- metrics

  /**
   * Records one epoch (numbered from 1) for every student of a running run, in one transaction:
   * a crash leaves the epoch whole or absent. Exactly one row per student is required. Non-finite
   * metrics (a loss that became NaN) are stored as null. Also advances each student's best
   * validation metric (higher is better; the first epoch reaching a value keeps it).
   */
  recordEpoch(runId: number, epoch: number, rows: StudentEpochInput[]): void {
    check.integer('epoch', epoch, 1);
    if (!Array.isArray(rows)) throw new UserError('recordEpoch: rows must be an array with one entry per student');
    const clean = rows.map((row, i) => ({
      student: check.integer(`rows[${i}].student`, row.student, 0),
      task_loss: check.metric(`rows[${i}].taskLoss`, row.taskLoss),
      distill_loss: check.metric(`rows[${i}].distillLoss`, row.distillLoss),
      train_metric: check.metric(`rows[${i}].trainMetric`, row.trainMetric),
      val_metric: check.metric(`rows[${i}].valMetric`, row.valMetric),
      test_metric: check.metric(`rows[${i}].testMetric`, row.testMetric),
      epoch_ms: check.nonNegative(`rows[${i}].epochMs`, row.epochMs),
      elapsed_ms: check.nonNegative(`rows[${i}].elapsedMs`, row.elapsedMs),
    }));
    this.write(() => {
      const run = this.requireRunning(runId, 'metrics');
      const seen = new Set(clean.map((r) => r.student));
      if (clean.length !== run.numStudents || seen.size !== run.numStudents || clean.some((r) => r.student >= run.numStudents)) {
        throw new UserError(`run ${run.id} epoch ${epoch}: expected one row for each student 0..${run.numStudents - 1}, got students [${clean.map((r) => r.student).join(', ')}]`);
      }
      if (this.statement('SELECT 1 FROM epoch_metrics WHERE run_id = ? AND epoch = ? LIMIT 1').get(run.id, epoch)) {
        throw new UserError(`run ${run.id}: epoch ${epoch} is already recorded (discard later epochs first when resuming from a checkpoint)`);
      }
      const insert = this.statement(
        `INSERT INTO epoch_metrics (run_id, student, epoch, task_loss, distill_loss, train_metric, val_metric, test_metric, epoch_ms, elapsed_ms)
         VALUES (@run_id, @student, @epoch, @task_loss, @distill_loss, @train_metric, @val_metric, @test_metric, @epoch_ms, @elapsed_ms)`,
      );
      const improveBest = this.statement(
        `UPDATE students SET best_val = @val, best_epoch = @epoch, test_at_best = @test
         WHERE run_id = @run_id AND idx = @idx AND (best_val IS NULL OR best_val < @val)`,
      );
      for (const row of clean) {
        insert.run({ ...row, run_id: run.id, epoch });
        if (row.val_metric !== null) improveBest.run({ val: row.val_metric, epoch, test: row.test_metric, run_id: run.id, idx: row.student });
      }
      const now = this.timestamp();
      this.statement('UPDATE runs SET heartbeat_at = ?, updated_at = ? WHERE id = ?').run(now, now, run.id);
    });
  }

  /** All metric rows, by epoch then student; `afterEpoch` returns only later epochs (live updates). */
  getMetrics(runId: number, options: { afterEpoch?: number } = {}): EpochMetric[] {
    const run = this.requireRun(runId);
    const after = check.integer('afterEpoch', options.afterEpoch ?? 0, 0);
    const rows = this.statement('SELECT * FROM epoch_metrics WHERE run_id = ? AND epoch > ? ORDER BY epoch, student').all(run.id, after) as MetricRow[];
    return rows.map(metricFromRow);
  }

  /**
   * Forgets everything recorded after `epoch` (metrics, heatmaps, checkpoints) and recomputes each
   * student's best from what remains: the step before resuming from the checkpoint of that epoch.
   * Convergence figures are cleared (they describe a finished run). Returns the epochs removed.
   */
  discardAfterEpoch(runId: number, epoch: number): number {
    check.integer('epoch', epoch, 0);
    return this.write(() => {
      const run = this.requireRun(runId);
      if (run.status === 'completed') throw new UserError(`run ${run.id} is completed: its records are final`);
      if (run.status === 'running' && !isOwnedHere(run)) throw new UserError(`run ${run.id} is running (${ownerText(run)}): its records cannot be discarded`);
      const removed = (this.statement('SELECT COUNT(DISTINCT epoch) AS n FROM epoch_metrics WHERE run_id = ? AND epoch > ?').get(run.id, epoch) as { n: number }).n;
      this.statement('DELETE FROM epoch_metrics WHERE run_id = ? AND epoch > ?').run(run.id, epoch);
      this.statement('DELETE FROM alignment_matrices WHERE run_id = ? AND epoch > ?').run(run.id, epoch);
      this.statement('DELETE FROM checkpoints WHERE run_id = ? AND epoch > ?').run(run.id, epoch);
      this.statement(
        `UPDATE students SET (best_val, best_epoch, test_at_best) = (
           SELECT m.val_metric, m.epoch, m.test_metric FROM epoch_metrics m
           WHERE m.run_id = students.run_id AND m.student = students.idx AND m.val_metric IS NOT NULL
           ORDER BY m.val_metric DESC, m.epoch ASC LIMIT 1),
         epochs_to_95 = NULL, seconds_to_95 = NULL, epochs_to_99 = NULL, seconds_to_99 = NULL
         WHERE run_id = ?`,
      ).run(run.id);
      if (removed > 0) this.insertEvent(run.id, 'info', 'discard', `discarded ${removed} epoch(s) after epoch ${epoch}`);
      return removed;
    });
  }

  // ---------------------------------------------------------------- alignment heatmaps

  /**
   * Records the alignment heatmaps of one epoch (0 = before training), all pairs in one transaction.
   * `data` is row-major rows×cols float32 and comes back bit-identical.
   */
  recordAlignment(runId: number, epoch: number, matrices: AlignmentMatrixInput[]): void {
    check.integer('epoch', epoch, 0);
    if (!Array.isArray(matrices) || matrices.length === 0) throw new UserError('recordAlignment: expected a non-empty array of matrices');
    this.write(() => {
      const run = this.requireRunning(runId, 'alignment matrices');
      const pairs = new Set<string>();
      const clean = matrices.map((m, i) => {
        const where = `matrices[${i}]`;
        const student = check.integer(`${where}.student`, m.student, 0, run.numStudents - 1);
        const peer = check.integer(`${where}.peer`, m.peer, 0, run.numStudents - 1);
        const rows = check.integer(`${where}.rows`, m.rows, 1, 10_000);
        const cols = check.integer(`${where}.cols`, m.cols, 1, 10_000);
        if (!(m.data instanceof Float32Array)) throw new UserError(`${where}.data: expected a Float32Array`);
        if (m.data.length !== rows * cols) throw new UserError(`${where}.data: ${m.data.length} values for a ${rows}×${cols} matrix`);
        const pair = `${student}→${peer}`;
        if (pairs.has(pair)) throw new UserError(`${where}: pair ${pair} given twice`);
        pairs.add(pair);
        return { student, peer, rows, cols, data: encodeFloat32(m.data) };
      });
      if (this.statement('SELECT 1 FROM alignment_matrices WHERE run_id = ? AND epoch = ? LIMIT 1').get(run.id, epoch)) {
        throw new UserError(`run ${run.id}: alignment matrices of epoch ${epoch} are already recorded`);
      }
      const insert = this.statement(
        'INSERT INTO alignment_matrices (run_id, epoch, student, peer, rows, cols, data) VALUES (@run_id, @epoch, @student, @peer, @rows, @cols, @data)',
      );
      for (const m of clean) insert.run({ ...m, run_id: run.id, epoch });
    });
  }

  /** Heatmaps of one epoch ('latest': the newest recorded), or of every epoch when none is given. */
  getAlignment(runId: number, options: { epoch?: number | 'latest' } = {}): AlignmentMatrix[] {
    const run = this.requireRun(runId);
    let epoch = options.epoch;
    if (epoch === 'latest') {
      epoch = (this.statement('SELECT MAX(epoch) AS e FROM alignment_matrices WHERE run_id = ?').get(run.id) as { e: number | null }).e ?? undefined;
      if (epoch === undefined) return [];
    }
    const rows =
      epoch === undefined
        ? this.statement('SELECT * FROM alignment_matrices WHERE run_id = ? ORDER BY epoch, student, peer').all(run.id)
        : this.statement('SELECT * FROM alignment_matrices WHERE run_id = ? AND epoch = ? ORDER BY student, peer').all(run.id, check.integer('epoch', epoch, 0));
    return (rows as AlignmentRow[]).map(alignmentFromRow);
  }

  /** Epochs that have heatmaps, ascending. */
  alignmentEpochs(runId: number): number[] {
    const run = this.requireRun(runId);
    return (this.statement('SELECT DISTINCT epoch FROM alignment_matrices WHERE run_id = ? ORDER BY epoch').all(run.id) as { epoch: number }[]).map((r) => r.epoch);
  }

  // ---------------------------------------------------------------- checkpoints

  /**
   * Stores the training state after `epoch` (replacing one of the same epoch) and drops the oldest
   * beyond the newest `keepCheckpoints`, in one transaction.
   */
  saveCheckpoint(runId: number, epoch: number, bytes: Uint8Array): void {
    check.integer('epoch', epoch, 0);
    if (!(bytes instanceof Uint8Array)) throw new UserError('saveCheckpoint: expected the checkpoint as a Uint8Array');
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.write(() => {
      const run = this.requireRunning(runId, 'checkpoints');
      this.statement('INSERT OR REPLACE INTO checkpoints (run_id, epoch, created_at, data) VALUES (?, ?, ?, ?)').run(run.id, epoch, this.timestamp(), data);
      this.statement(
        `DELETE FROM checkpoints WHERE run_id = @run_id AND epoch NOT IN (
           SELECT epoch FROM checkpoints WHERE run_id = @run_id ORDER BY epoch DESC LIMIT @keep)`,
      ).run({ run_id: run.id, keep: this.keepCheckpoints });
    });
  }

  /** The newest checkpoint, or null. */
  latestCheckpoint(runId: number): Checkpoint | null {
    const run = this.requireRun(runId);
    const row = this.statement('SELECT epoch, created_at, data FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1').get(run.id) as
      | { epoch: number; created_at: string; data: Buffer }
      | undefined;
    if (!row) return null;
    return { epoch: row.epoch, createdAt: row.created_at, bytes: row.data.byteLength, data: new Uint8Array(row.data) };
  }

  /** Checkpoints kept for a run (without their bytes), newest first. */
  listCheckpoints(runId: number): CheckpointInfo[] {
    const run = this.requireRun(runId);
    const rows = this.statement('SELECT epoch, created_at, length(data) AS bytes FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC').all(run.id) as {
      epoch: number;
      created_at: string;
      bytes: number;
    }[];
    return rows.map((r) => ({ epoch: r.epoch, createdAt: r.created_at, bytes: r.bytes }));
  }

  // ---------------------------------------------------------------- events

  /** Appends to a run's timeline; returns the event id (ids grow, so `afterId` pages forward). */
  logEvent(runId: number, level: EventLevel, kind: string, message: string, data?: unknown): number {
    if (!EVENT_LEVELS.includes(level)) throw new UserError(`event level: unknown level '${String(level)}' (one of ${EVENT_LEVELS.join(', ')})`);
    const cleanKind = check.text('event kind', kind, 100);
    if (typeof message !== 'string') throw new UserError('event message: expected a string');
    const json = check.jsonText('event data', data);
    return this.write(() => this.insertEvent(this.requireRun(runId).id, level, cleanKind, message, json));
  }

  /** Events oldest first; with `afterId`, only newer ones (default limit 1000). */
  getEvents(runId: number, options: { afterId?: number; limit?: number } = {}): RunEvent[] {
    const run = this.requireRun(runId);
    const after = check.integer('afterId', options.afterId ?? 0, 0);
    const limit = check.integer('limit', options.limit ?? 1000, 1, 100_000);
    return (this.statement('SELECT * FROM run_events WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?').all(run.id, after, limit) as EventRow[]).map(eventFromRow);
  }

  // ---------------------------------------------------------------- dataset registry

  /** Registers a dataset by name, or updates the entry of that name (keeping its id and createdAt). */
  upsertDataset(input: DatasetInput): DatasetRecord {
    const task = input.task ?? null;
    if (task !== null && task !== 'multiclass' && task !== 'multilabel') throw new UserError(`dataset task: expected multiclass or multilabel, got '${String(task)}'`);
    const count = (field: string, value: unknown) => check.optionalInteger(`dataset ${field}`, value, 0);
    const values = {
      name: check.text('dataset name', input.name, 500),
      source: check.text('dataset source', input.source, 2000),
      format: check.optionalText('dataset format', input.format, 100),
      task,
      nodes: count('nodes', input.nodes),
      edges: count('edges', input.edges),
      features: count('features', input.features),
      classes: count('classes', input.classes),
      graphs: count('graphs', input.graphs),
      sha256: check.optionalText('dataset sha256', input.sha256, 64),
      stats: check.jsonText('dataset stats', input.stats),
      now: this.timestamp(),
    };
    return this.write(() => {
      const row = this.statement(
        `INSERT INTO datasets (name, source, format, task, nodes, edges, features, classes, graphs, sha256, stats, created_at, updated_at)
         VALUES (@name, @source, @format, @task, @nodes, @edges, @features, @classes, @graphs, @sha256, @stats, @now, @now)
         ON CONFLICT (name) DO UPDATE SET source = excluded.source, format = excluded.format, task = excluded.task,
           nodes = excluded.nodes, edges = excluded.edges, features = excluded.features, classes = excluded.classes,
           graphs = excluded.graphs, sha256 = excluded.sha256, stats = excluded.stats, updated_at = excluded.updated_at
         RETURNING *`,
      ).get(values) as DatasetRow;
      return datasetFromRow(row);
    });
  }

  listDatasets(): DatasetRecord[] {
    return (this.statement('SELECT * FROM datasets ORDER BY name').all() as DatasetRow[]).map(datasetFromRow);
  }

  /** By id or by name; null when absent. */
  getDataset(idOrName: number | string): DatasetRecord | null {
    const row = (typeof idOrName === 'number'
      ? this.statement('SELECT * FROM datasets WHERE id = ?').get(idOrName)
      : this.statement('SELECT * FROM datasets WHERE name = ?').get(idOrName)) as DatasetRow | undefined;
    return row ? datasetFromRow(row) : null;
  }

  /** Removes a registry entry; runs keep their dataset name and lose only the link. */
  deleteDataset(id: number): boolean {
    return this.write(() => this.statement('DELETE FROM datasets WHERE id = ?').run(check.integer('dataset id', id, 1)).changes > 0);
  }

  /**
   * Runs `body` as one transaction: the store calls inside it become savepoints, so one that throws
   * undoes only itself when the body catches it (the queue's ingest applies a batch of results this way).
   */
  batch<T>(body: () => T): T {
    return this.write(body);
  }

  // ---------------------------------------------------------------- internals

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** One write transaction holding the write lock from its start (no lock upgrade, no deadlock). */
  private write<T>(body: () => T): T {
    try {
      return this.db.transaction(body).immediate();
    } catch (error) {
      throw storageError(this.path, error) ?? error;
    }
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  private requireRun(id: number): RunRecord {
    const run = this.getRun(id);
    if (!run) throw new UserError(`run ${id} not found`);
    return run;
  }

  /** Writers of training records must own a running run: a stale trainer cannot add to a resumed one. */
  private requireRunning(id: number, what: string): RunRecord {
    const run = this.requireRun(id);
    if (run.status !== 'running') throw new UserError(`run ${run.id} is ${run.status}, not running: ${what} not recorded`);
    return run;
  }

  private updateRunColumns(id: number, columns: Record<string, unknown>): RunRecord {
    return this.write(() => {
      const run = this.requireRun(id);
      const names = Object.keys(columns);
      if (names.length > 0) {
        const sets = names.map((name) => `${name} = @${name}`).join(', ');
        this.db.prepare(`UPDATE runs SET ${sets}, updated_at = @updated_at WHERE id = @id`).run({ ...columns, updated_at: this.timestamp(), id: run.id });
      }
      return this.requireRun(id);
    });
  }

  /** The status change itself; callers hold the write transaction and have checked their inputs. */
  private changeStatus(run: RunRecord, to: RunStatus, options: { error: string | null; owner: RunOwner | null; reason?: string }): void {
    if (!canTransition(run.status, to)) throw new UserError(transitionError(run.id, run.status, to));
    const now = this.timestamp();
    const running = to === 'running';
    const ending = to !== 'running' && to !== 'queued';
    this.statement(
      `UPDATE runs SET status = @to, cancel_requested = 0, error = @error, pid = @pid, owner_host = @host, owner_start = @start,
         started_at = CASE WHEN @running = 1 THEN COALESCE(started_at, @now) ELSE started_at END,
         heartbeat_at = CASE WHEN @running = 1 THEN @now ELSE heartbeat_at END,
         finished_at = CASE WHEN @ending = 1 THEN @now ELSE NULL END,
         updated_at = @now
       WHERE id = @id`,
    ).run({
      to,
      error: ending ? options.error : null,
      pid: running ? (options.owner?.pid ?? null) : null,
      host: running ? (options.owner?.host ?? null) : null,
      start: running ? (options.owner?.startToken ?? null) : null,
      running: running ? 1 : 0,
      ending: ending ? 1 : 0,
      now,
      id: run.id,
    });
    const detail = options.error ?? options.reason;
    const level: EventLevel = to === 'failed' ? 'error' : to === 'interrupted' ? 'warn' : 'info';
    this.insertEvent(run.id, level, 'status', `${run.status} → ${to}${detail ? `: ${detail}` : ''}`, JSON.stringify({ from: run.status, to }));
  }

  private insertEvent(runId: number, level: EventLevel, kind: string, message: string, dataJson: string | null = null): number {
    const { id } = this.statement('INSERT INTO run_events (run_id, at, level, kind, message, data) VALUES (?, ?, ?, ?, ?, ?) RETURNING id').get(
      runId,
      this.timestamp(),
      level,
      kind,
      message,
      dataJson,
    ) as { id: number };
    return id;
  }
}

/** The one place that decides which run fields a list line carries. */
function runListItemOf(run: RunRecord, epochs: number, students: RunListItem['students']): RunListItem {
  return {
    id: run.id,
    name: run.name,
    group: run.group,
    status: run.status,
    dataset: run.dataset,
    model: run.model,
    strategy: run.strategy,
    numStudents: run.numStudents,
    numLayers: run.numLayers,
    seed: run.seed,
    tags: run.tags,
    plannedEpochs: run.plannedEpochs,
    epochs,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    // a copy of just these fields, so full student summaries passed in do not leak into the list line
    students: students.map((s) => ({ idx: s.idx, bestVal: s.bestVal, bestEpoch: s.bestEpoch, testAtBest: s.testAtBest })),
  };
}

function runId(id: unknown): number {
  return check.integer('run id', id, 1);
}

function notesText(notes: unknown): string {
  if (typeof notes !== 'string') throw new UserError('notes: expected a string');
  if (notes.length > 100_000) throw new UserError('notes: longer than 100000 characters');
  return notes;
}

/** WHERE clause and parameters for a run filter (the `r` alias is the runs table). */
function runFilterSql(filter: Omit<RunFilter, 'limit' | 'offset'>): { where: string; params: Record<string, unknown> } {
  const conditions: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    for (const status of statuses) {
      if (!RUN_STATUSES.includes(status)) throw new UserError(`status: unknown status '${String(status)}' (one of ${RUN_STATUSES.join(', ')})`);
    }
    conditions.push('r.status IN (SELECT value FROM json_each(@statuses))');
    params.statuses = JSON.stringify(statuses);
  }
  if (filter.group !== undefined) {
    conditions.push('r.group_name = @group');
    params.group = filter.group;
  }
  const search = filter.search?.trim();
  if (search) {
    const fields = ['r.name', 'r.group_name', 'r.dataset', 'r.model', 'r.strategy', 'r.tags', 'r.notes'];
    conditions.push(`(${fields.map((f) => `${f} LIKE @pattern ESCAPE '\\'`).join(' OR ')} OR CAST(r.id AS TEXT) = @search)`);
    params.pattern = `%${search.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    params.search = search;
  }
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** Whether this process owns the run. */
function isOwnedHere(run: RunRecord): boolean {
  const self = currentOwner();
  return run.owner !== null && run.owner.pid === self.pid && run.owner.host === self.host;
}

function ownerText(run: RunRecord): string {
  if (!run.owner) return 'no owner recorded';
  return `process ${run.owner.pid}${run.owner.host ? ` on ${run.owner.host}` : ''}`;
}

function checkOwner(owner: RunOwner): RunOwner {
  return {
    host: check.text('owner host', owner.host, 500),
    pid: check.integer('owner pid', owner.pid, 1),
    startToken: check.optionalText('owner start', owner.startToken, 500),
  };
}
