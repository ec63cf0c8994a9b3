import type { RunRecord } from './types';

/**
 * How table rows become records. Most tables are selected with their columns renamed to the
 * record's fields (the *_COLUMNS lists), so the row is the record; only the runs table, with its
 * JSON, boolean and owner columns, has a mapping function.
 */

/** A student's best, as StudentBest. */
export const BEST_COLUMNS = 'idx, best_val AS bestVal, best_epoch AS bestEpoch, test_at_best AS testAtBest';

/** A student's whole summary, as StudentConvergence. */
export const STUDENT_COLUMNS = `${BEST_COLUMNS}, epochs_to_95 AS epochsTo95, seconds_to_95 AS secondsTo95, epochs_to_99 AS epochsTo99, seconds_to_99 AS secondsTo99`;

/** A metric row, as EpochMetricRow. */
export const METRIC_COLUMNS =
  'epoch, student, task_loss AS taskLoss, distill_loss AS distillLoss, train_metric AS trainMetric, val_metric AS valMetric, test_metric AS testMetric, epoch_ms AS epochMs, elapsed_ms AS elapsedMs';

/** A run_events row, as RunEvent (data still JSON text). */
export const EVENT_COLUMNS = 'id, run_id AS runId, at, level, kind, message, data';

/** A datasets row, as DatasetRecord (stats still JSON text). */
export const DATASET_COLUMNS =
  'id, name, source, format, task, nodes, edges, features, classes, graphs, sha256, stats, created_at AS createdAt, updated_at AS updatedAt';

/** JSON text of a nullable JSON column, parsed. */
export function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

export interface RunRow {
  id: number;
  name: string;
  group_name: string | null;
  status: RunRecord['status'];
  cancel_requested: number;
  config: string;
  dataset_id: number | null;
  dataset: string;
  model: string;
  strategy: string;
  num_students: number;
  num_layers: number;
  seed: number;
  backend: string | null;
  backend_report: string | null;
  versions: string | null;
  tags: string;
  notes: string;
  planned_epochs: number | null;
  error: string | null;
  pid: number | null;
  owner_host: string | null;
  owner_start: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  heartbeat_at: string | null;
  worker: string | null;
  dataset_sha256: string | null;
  queue_job: string | null;
  queue_lease: string | null;
  queue_seq: number | null;
}

export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    name: row.name,
    group: row.group_name,
    status: row.status,
    cancelRequested: row.cancel_requested === 1,
    config: JSON.parse(row.config) as Record<string, unknown>,
    datasetId: row.dataset_id,
    dataset: row.dataset,
    model: row.model,
    strategy: row.strategy,
    numStudents: row.num_students,
    numLayers: row.num_layers,
    seed: row.seed,
    backend: row.backend,
    backendReport: parseJson(row.backend_report),
    versions: parseJson(row.versions),
    tags: JSON.parse(row.tags) as string[],
    notes: row.notes,
    plannedEpochs: row.planned_epochs,
    error: row.error,
    owner: row.pid === null ? null : { host: row.owner_host ?? '', pid: row.pid, startToken: row.owner_start },
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
    heartbeatAt: row.heartbeat_at,
    worker: row.worker,
    datasetSha256: row.dataset_sha256,
    queue: row.queue_job === null ? null : { job: row.queue_job, lease: row.queue_lease, seq: row.queue_seq },
  };
}
