import type { AlignmentMatrixOf, EpochMetricRow, RunDetail, RunEventRow, RunSortKey, RunStatus, StudentBest, StudentConvergence, Task } from '../../contract/api';
import type { RunOwner } from './run-owner';

/**
 * What the experiment store takes and returns beyond the records of contract/api.ts (which it
 * returns as they are). Timestamps are ISO-8601 UTC strings; JSON columns come back parsed.
 */

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

/**
 * A run as stored: what the run view shows (less the epoch count and the student summaries, which
 * live in their own tables), plus its dataset link, its owner and its heartbeat.
 */
export interface RunRecord extends Omit<RunDetail, 'epochs' | 'students' | 'planPairs' | 'remote'> {
  /** the run's identity across machines: kept when a history is imported elsewhere */
  uuid: string;
  datasetId: number | null;
  /** the process that owns a running run (null otherwise); an empty host: recorded before hosts were */
  owner: RunOwner | null;
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

/** The convergence figures the trainer adds when a run ends (the store keeps the best itself). */
export type ConvergenceUpdate = Partial<Omit<StudentConvergence, keyof StudentBest>>;

export interface RunFilter {
  status?: RunStatus | RunStatus[];
  /** any of these strategies */
  strategies?: string[];
  /**
   * whitespace-separated terms, all of which must match: `key:value` (name, dataset, model, strategy,
   * status, tag, group, notes, worker: substring; seed, id: exact) or a bare term (a substring of any text
   * field, or the id or seed); case-insensitive (core/store/run-query.ts)
   */
  search?: string;
  group?: string;
  /** default: newest first (id, descending) */
  sort?: RunSortKey;
  descending?: boolean;
  /** default 100, at most 10000 */
  limit?: number;
  offset?: number;
}

/** What recording an epoch stored: its rows as stored (non-finite values null) and every student's best after it. */
export interface RecordedEpoch {
  epoch: number;
  metrics: EpochMetricRow[];
  best: StudentBest[];
}

/** An alignment heatmap as core holds it: float32 values, stored bit-identical. */
export type AlignmentMatrix = AlignmentMatrixOf<Float32Array>;

export interface CheckpointInfo {
  epoch: number;
  createdAt: string;
  bytes: number;
}

export interface Checkpoint extends CheckpointInfo {
  data: Uint8Array;
}

/** A timeline entry with the run it belongs to and its optional JSON data (the API leaves both out). */
export interface RunEvent extends RunEventRow {
  runId: number;
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
  task?: Task | null;
  nodes?: number | null;
  edges?: number | null;
  features?: number | null;
  classes?: number | null;
  graphs?: number | null;
  sha256?: string | null;
  /** e.g. the DatasetStats of `datasets inspect` */
  stats?: JsonValue;
}

/** A registry entry: the input with every field present, an id and its timestamps. */
export interface DatasetRecord extends Required<DatasetInput> {
  id: number;
  createdAt: string;
  updatedAt: string;
}
