import { decodeFloat32 } from './float32-blob';
import type {
  AlignmentMatrix,
  DatasetRecord,
  EpochMetric,
  EventLevel,
  RunEvent,
  RunRecord,
  RunStatus,
  StudentSummary,
} from './types';

/** Table rows as better-sqlite3 returns them, and their mapping to the store's records. */

export interface RunRow {
  id: number;
  name: string;
  group_name: string | null;
  status: RunStatus;
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

export interface StudentRow {
  run_id: number;
  idx: number;
  best_val: number | null;
  best_epoch: number | null;
  test_at_best: number | null;
  epochs_to_95: number | null;
  seconds_to_95: number | null;
  epochs_to_99: number | null;
  seconds_to_99: number | null;
}

export interface MetricRow {
  epoch: number;
  student: number;
  task_loss: number | null;
  distill_loss: number | null;
  train_metric: number | null;
  val_metric: number | null;
  test_metric: number | null;
  epoch_ms: number;
  elapsed_ms: number;
}

export interface AlignmentRow {
  epoch: number;
  student: number;
  peer: number;
  rows: number;
  cols: number;
  data: Buffer;
}

export interface EventRow {
  id: number;
  run_id: number;
  at: string;
  level: EventLevel;
  kind: string;
  message: string;
  data: string | null;
}

export interface DatasetRow {
  id: number;
  name: string;
  source: string;
  format: string | null;
  task: 'multiclass' | 'multilabel' | null;
  nodes: number | null;
  edges: number | null;
  features: number | null;
  classes: number | null;
  graphs: number | null;
  sha256: string | null;
  stats: string | null;
  created_at: string;
  updated_at: string;
}

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

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

export function studentFromRow(row: StudentRow): StudentSummary {
  return {
    idx: row.idx,
    bestVal: row.best_val,
    bestEpoch: row.best_epoch,
    testAtBest: row.test_at_best,
    epochsTo95: row.epochs_to_95,
    secondsTo95: row.seconds_to_95,
    epochsTo99: row.epochs_to_99,
    secondsTo99: row.seconds_to_99,
  };
}

export function metricFromRow(row: MetricRow): EpochMetric {
  return {
    epoch: row.epoch,
    student: row.student,
    taskLoss: row.task_loss,
    distillLoss: row.distill_loss,
    trainMetric: row.train_metric,
    valMetric: row.val_metric,
    testMetric: row.test_metric,
    epochMs: row.epoch_ms,
    elapsedMs: row.elapsed_ms,
  };
}

export function alignmentFromRow(row: AlignmentRow): AlignmentMatrix {
  return { epoch: row.epoch, student: row.student, peer: row.peer, rows: row.rows, cols: row.cols, data: decodeFloat32(row.data) };
}

export function eventFromRow(row: EventRow): RunEvent {
  return { id: row.id, runId: row.run_id, at: row.at, level: row.level, kind: row.kind, message: row.message, data: parseJson(row.data) };
}

export function datasetFromRow(row: DatasetRow): DatasetRecord {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    format: row.format,
    task: row.task,
    nodes: row.nodes,
    edges: row.edges,
    features: row.features,
    classes: row.classes,
    graphs: row.graphs,
    sha256: row.sha256,
    stats: parseJson(row.stats),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
