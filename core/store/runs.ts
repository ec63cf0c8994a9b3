import { randomUUID } from 'node:crypto';
import type { RunFacets, RunSummary, StudentBest } from '../../contract/api';
import { RUN_STATUS_VALUES, type RunStatus } from '../../contract/enums';
import { UserError } from '../errors';
import type { StoreContext } from './context';
import { insertEvent } from './events';
import { BEST_COLUMNS, runFromRow, type RunRow } from './rows';
import { runFilterSql, runOrderSql, type RunCondition } from './run-query';
import type { CreateRunInput, RunFilter, RunInfoUpdate, RunRecord } from './types';
import * as check from './validate';

/** Runs: creating, listing, describing and deleting them (their lifecycle is in run-lifecycle.ts). */

/** A student can only be one of a handful; the bound catches a units mix-up early. */
const MAX_STUDENTS = 64;

/** Creates a queued run with one (empty) summary row per student. */
export function createRun(ctx: StoreContext, input: CreateRunInput): RunRecord {
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
    uuid: randomUUID(),
    now: ctx.timestamp(),
  };
  return ctx.write(() => {
    if (values.dataset_id !== null && !ctx.statement('SELECT 1 FROM datasets WHERE id = ?').get(values.dataset_id)) {
      throw new UserError(`datasetId: no registered dataset with id ${values.dataset_id}`);
    }
    const { id } = ctx
      .statement(
        `INSERT INTO runs (uuid, name, group_name, config, dataset_id, dataset, model, strategy, num_students, num_layers,
           seed, planned_epochs, backend, tags, notes, created_at, updated_at)
         VALUES (@uuid, @name, @group_name, @config, @dataset_id, @dataset, @model, @strategy, @num_students, @num_layers,
           @seed, @planned_epochs, @backend, @tags, @notes, @now, @now)
         RETURNING id`,
      )
      .get(values) as { id: number };
    const addStudent = ctx.statement('INSERT INTO students (run_id, idx) VALUES (?, ?)');
    for (let idx = 0; idx < values.num_students; idx++) addStudent.run(id, idx);
    insertEvent(ctx, id, 'info', 'created', `run created (${values.num_students} × ${model}, ${strategy})`);
    return ctx.requireRun(id);
  });
}

/**
 * One page of runs (newest first unless `filter.sort` says otherwise), with finished-epoch counts and
 * each student's best validation metric. Filtering, search, sorting and paging happen here, in SQL.
 */
export function listRuns(ctx: StoreContext, filter: RunFilter = {}): RunSummary[] {
  const { where, params } = runFilterSql(filter);
  const limit = check.integer('limit', filter.limit ?? 100, 1, 10_000);
  const offset = check.integer('offset', filter.offset ?? 0, 0);
  const rows = ctx
    .statement(`SELECT r.* FROM runs r ${where} ${runOrderSql(filter.sort, filter.descending ?? true)} LIMIT @limit OFFSET @offset`)
    .all({ ...params, now: ctx.timestamp(), limit, offset }) as RunRow[];
  const students = new Map<number, StudentBest[]>();
  const studentRows = ctx
    .statement(`SELECT run_id AS runId, ${BEST_COLUMNS} FROM students WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, idx`)
    .all(JSON.stringify(rows.map((r) => r.id))) as (StudentBest & { runId: number })[];
  for (const { runId, ...best } of studentRows) {
    const list = students.get(runId) ?? [];
    list.push(best);
    students.set(runId, list);
  }
  return rows.map((row) => runSummaryOf(runFromRow(row), row.epochs_done, students.get(row.id) ?? []));
}

/** The manager's filter choices: runs per status matching the rest of the filter, every strategy and group. */
export function runFacets(ctx: StoreContext, filter: RunCondition = {}): RunFacets {
  const { where, params } = runFilterSql({ ...filter, status: undefined });
  const statuses = Object.fromEntries(RUN_STATUS_VALUES.map((status) => [status, 0])) as Record<RunStatus, number>;
  for (const { status, n } of ctx.statement(`SELECT r.status AS status, COUNT(*) AS n FROM runs r ${where} GROUP BY r.status`).all(params) as { status: RunStatus; n: number }[]) {
    statuses[status] = n;
  }
  const strategies = (ctx.statement('SELECT DISTINCT strategy FROM runs ORDER BY strategy').all() as { strategy: string }[]).map((r) => r.strategy);
  const groups = (
    ctx.statement('SELECT group_name AS name FROM runs WHERE group_name IS NOT NULL GROUP BY group_name ORDER BY MAX(id) DESC LIMIT 1000').all() as { name: string }[]
  ).map((g) => g.name);
  return { statuses, strategies, groups };
}

/** One run as listRuns lists it, for views of a single run. */
export function runSummary(ctx: StoreContext, run: RunRecord): RunSummary {
  const best = ctx.statement(`SELECT ${BEST_COLUMNS} FROM students WHERE run_id = ? ORDER BY idx`).all(run.id) as StudentBest[];
  return runSummaryOf(run, finishedEpochs(ctx, run.id), best);
}

/**
 * Epochs finished: epochs for which every student has a metric row. recordEpoch writes all students
 * of an epoch in one transaction and counts it in the same one (runs.epochs_done).
 */
export function finishedEpochs(ctx: StoreContext, runId: number): number {
  const run = ctx.requireRun(runId);
  return (ctx.statement('SELECT epochs_done AS n FROM runs WHERE id = ?').get(run.id) as { n: number }).n;
}

/** How many runs match (for paging listRuns). */
export function countRuns(ctx: StoreContext, filter: RunCondition = {}): number {
  const { where, params } = runFilterSql(filter);
  return (ctx.statement(`SELECT COUNT(*) AS n FROM runs r ${where}`).get(params) as { n: number }).n;
}

/** The user-editable descriptions of a run. */
export function describeRun(ctx: StoreContext, id: number, changes: { name?: string; tags?: string[]; notes?: string; group?: string | null }): RunRecord {
  const columns: Record<string, unknown> = {};
  if (changes.name !== undefined) columns.name = check.text('name', changes.name, 200);
  if (changes.tags !== undefined) columns.tags = JSON.stringify(check.tagList(changes.tags));
  if (changes.notes !== undefined) columns.notes = notesText(changes.notes);
  if (changes.group !== undefined) columns.group_name = check.optionalText('group', changes.group, 200);
  return updateRunColumns(ctx, id, columns);
}

/** Facts known once training starts: backend (and its report), library versions, planned epochs. */
export function updateRunInfo(ctx: StoreContext, id: number, info: RunInfoUpdate): RunRecord {
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
  return updateRunColumns(ctx, id, columns);
}

/**
 * Deletes a run and everything recorded for it. A running run is refused unless `force` (its
 * trainer would otherwise keep writing to a run that no longer exists).
 */
export function deleteRun(ctx: StoreContext, id: number, options: { force?: boolean } = {}): void {
  ctx.write(() => {
    const run = ctx.requireRun(id);
    if (run.status === 'running' && !options.force) {
      throw new UserError(`run ${run.id} is running: cancel it first (or force the deletion)`);
    }
    ctx.statement('DELETE FROM runs WHERE id = ?').run(run.id);
  });
}

function updateRunColumns(ctx: StoreContext, id: number, columns: Record<string, unknown>): RunRecord {
  return ctx.write(() => {
    const run = ctx.requireRun(id);
    const names = Object.keys(columns);
    if (names.length > 0) {
      const sets = names.map((name) => `${name} = @${name}`).join(', ');
      ctx.db.prepare(`UPDATE runs SET ${sets}, updated_at = @updated_at WHERE id = @id`).run({ ...columns, updated_at: ctx.timestamp(), id: run.id });
    }
    return ctx.requireRun(id);
  });
}

/** The one place that decides which run fields a list line carries. */
function runSummaryOf(run: RunRecord, epochs: number, students: StudentBest[]): RunSummary {
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
    students,
    remote: run.queue !== null,
    worker: run.worker,
  };
}

function notesText(notes: unknown): string {
  if (typeof notes !== 'string') throw new UserError('notes: expected a string');
  if (notes.length > 100_000) throw new UserError('notes: longer than 100000 characters');
  return notes;
}
