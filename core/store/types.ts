import type { RunOwner } from './run-owner';

/**
 * The records the experiment store takes and returns. Timestamps are ISO-8601 UTC strings; JSON
 * columns come back parsed. Metric values are `number | null`: null means "not computed" (an epoch
 * without test evaluation) or "not finite" (a loss that became NaN/Infinity is stored as null).
 */

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'];

export type EventLevel = 'debug' | 'info' | 'warn' | 'error';
export const EVENT_LEVELS: readonly EventLevel[] = ['debug', 'info', 'warn', 'error'];

/** A JSON column's content: whatever JSON.parse returns; inputs must be JSON-serialisable (no cycles, BigInt). */
export type JsonValue = unknown;

export interface CreateRunInput {
  /** display name; defaults to "<model>-<strategy>-seed<seed>" */
  name?: string;
  /** sweeps: runs launched together share a group name */
  group?: string | null;
  /** the full run configuration, as the trainer will read it back */
  config: object;
  /** the dataset as the run names it ("cora", "csbm:2000:20000:5", a path) */
  dataset: string;
  /** registry entry, when the dataset is registered (see upsertDataset) */
  datasetId?: number | null;
  model: string;
  strategy: string;
  numStudents: number;
  numLayers: number;
  seed: number;
  plannedEpochs?: number | null;
  backend?: string | null;
  tags?: string[];
  notes?: string;
}

export interface RunRecord {
  id: number;
  name: string;
  group: string | null;
  status: RunStatus;
  /** the UI or server asked a running run to stop; the trainer sees it through heartbeat() */
  cancelRequested: boolean;
  config: Record<string, unknown>;
  datasetId: number | null;
  dataset: string;
  model: string;
  strategy: string;
  numStudents: number;
  numLayers: number;
  seed: number;
  backend: string | null;
  backendReport: JsonValue;
  versions: JsonValue;
  tags: string[];
  notes: string;
  plannedEpochs: number | null;
  error: string | null;
  /** the process that owns a running run (null otherwise); an empty host: recorded before hosts were */
  owner: RunOwner | null;
  createdAt: string;
  /** first start; a resumed run keeps it */
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  heartbeatAt: string | null;
  /** the remote worker that trained it (its name); null for runs trained on this machine */
  worker: string | null;
  /** SHA-256 of the canonical arrays of the dataset it trained on (core/datasets/canonical.ts) */
  datasetSha256: string | null;
  /** a run trained through the queue: its job, and the worker lease and message last applied */
  queue: RunQueueState | null;
}

export interface RunQueueState {
  job: string;
  lease: string | null;
  seq: number | null;
}

/** Facts known only once the run starts (backend choice, library versions). */
export interface RunInfoUpdate {
  backend?: string | null;
  backendReport?: JsonValue;
  versions?: JsonValue;
  plannedEpochs?: number | null;
  worker?: string | null;
  datasetSha256?: string | null;
  /** the queue's bookkeeping of a remote run (core/queue/); null makes the run local again */
  queue?: RunQueueState | null;
}

export interface StudentSummary {
  idx: number;
  /** best validation metric so far (higher is better: accuracy, micro-F1) */
  bestVal: number | null;
  /** the first epoch that reached bestVal */
  bestEpoch: number | null;
  /** test metric at bestEpoch, when that epoch was evaluated on test */
  testAtBest: number | null;
  /** epochs / seconds to reach 95% and 99% of the final best validation metric (set by the trainer) */
  epochsTo95: number | null;
  secondsTo95: number | null;
  epochsTo99: number | null;
  secondsTo99: number | null;
}

export type StudentSummaryUpdate = Partial<Omit<StudentSummary, 'idx'>>;

/** One line of the runs table. */
export interface RunListItem {
  id: number;
  name: string;
  group: string | null;
  status: RunStatus;
  dataset: string;
  model: string;
  strategy: string;
  numStudents: number;
  numLayers: number;
  seed: number;
  tags: string[];
  plannedEpochs: number | null;
  /** epochs finished: epochs for which every student has a metric row */
  epochs: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** best validation metric per student, by idx */
  students: Pick<StudentSummary, 'idx' | 'bestVal' | 'bestEpoch' | 'testAtBest'>[];
}

export interface RunFilter {
  status?: RunStatus | RunStatus[];
  /** case-insensitive substring of name, group, dataset, model, strategy, tags or notes; or a run id */
  search?: string;
  group?: string;
  /** newest first; default 100, at most 10000 */
  limit?: number;
  offset?: number;
}

/** One student's numbers for one epoch, as the trainer records them. */
export interface StudentEpochInput {
  student: number;
  taskLoss: number | null;
  distillLoss: number | null;
  trainMetric: number | null;
  valMetric: number | null;
  /** omitted or null on epochs not evaluated on the test set */
  testMetric?: number | null;
  /** wall time of this epoch, ms */
  epochMs: number;
  /** wall time since training began, ms (cumulative over resumes) */
  elapsedMs: number;
}

export interface EpochMetric {
  epoch: number;
  student: number;
  taskLoss: number | null;
  distillLoss: number | null;
  trainMetric: number | null;
  valMetric: number | null;
  testMetric: number | null;
  epochMs: number;
  elapsedMs: number;
}

/** The L×L alignment heatmap of an ordered student pair: data[i * cols + m] = D(H_student^(i), H_peer^(m)). */
export interface AlignmentMatrixInput {
  student: number;
  peer: number;
  rows: number;
  cols: number;
  data: Float32Array;
}

export interface AlignmentMatrix extends AlignmentMatrixInput {
  epoch: number;
}

export interface CheckpointInfo {
  epoch: number;
  createdAt: string;
  bytes: number;
}

export interface Checkpoint extends CheckpointInfo {
  data: Uint8Array;
}

export interface RunEvent {
  id: number;
  runId: number;
  at: string;
  level: EventLevel;
  kind: string;
  message: string;
  data: JsonValue;
}

/** What the trainer learns from a heartbeat. */
export interface HeartbeatReply {
  status: RunStatus;
  cancelRequested: boolean;
}

export interface DatasetInput {
  name: string;
  source: string;
  format?: string | null;
  task?: 'multiclass' | 'multilabel' | null;
  nodes?: number | null;
  edges?: number | null;
  features?: number | null;
  classes?: number | null;
  graphs?: number | null;
  sha256?: string | null;
  /** e.g. the DatasetStats of `datasets inspect` */
  stats?: JsonValue;
}

export interface DatasetRecord {
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
  stats: JsonValue;
  createdAt: string;
  updatedAt: string;
}
