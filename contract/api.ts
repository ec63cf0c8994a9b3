import { z } from 'zod';
import { RUN_SORT_KEYS, RUN_STATUS_VALUES, type EventLevel, type RunStatus } from './enums';
import type { CatalogItem, DatasetStatsView, DownloadCheck } from './datasets';
import type { HistoryBackup, HistoryImport } from './history';
import type { QueueStatus, WorkerInfo } from './queue';
import type { DistillationSignalRow } from './distillation-signal';
import { BACKENDS, runConfigSchema } from './run-config';

/**
 * The one API between the UI and the backend. Every call has a runtime schema for its input
 * (validated at the boundary: IPC handler or HTTP route; unknown fields, wrong types and oversize
 * payloads are rejected) and a TypeScript type for its output. Events flow backend → UI only.
 * The same contract is carried by Electron IPC and by HTTP + Server-Sent Events in serve mode.
 */

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const shortText = (max: number) => z.string().max(max);
const empty = z.object({}).strict();

export { EVENT_LEVELS, RUN_SORT_KEYS, RUN_STATUS_VALUES, type EventLevel, type RunSortKey, type RunStatus } from './enums';
export type { CatalogItem, DatasetStats, DatasetStatsView, DownloadCheck } from './datasets';
export type { QueueStatus, WorkerInfo } from './queue';
/** multiclass: one class per node (softmax CE, accuracy); multilabel: C binary labels per node (BCE, micro-F1) */
export type Task = 'multiclass' | 'multilabel';

/** Input schemas of every call, by call name. */
export const callInputs = {
  'app.info': empty,

  /** one page of runs, filtered, searched and sorted by the store (see RunFilter in core/store) */
  'runs.list': z
    .object({
      status: z.array(z.enum(RUN_STATUS_VALUES)).max(6).optional(),
      strategies: z.array(shortText(200)).max(50).optional(),
      search: shortText(200).optional(),
      group: shortText(200).optional(),
      sort: z.enum(RUN_SORT_KEYS).optional(),
      descending: z.boolean().optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
      offset: z.number().int().min(0).max(1_000_000_000).optional(),
      /** also count the matching runs per status and list the strategies and groups (the manager's filters) */
      facets: z.boolean().optional(),
    })
    .strict(),
  'runs.get': z.object({ id }).strict(),
  /**
   * queue a new run (or a sweep: one run per entry of `configs`); `runOn: 'remote'` sends them to
   * the workers of the configured queue instead of this machine
   */
  'runs.create': z
    .object({ configs: z.array(runConfigSchema).min(1).max(500), group: shortText(200).optional(), runOn: z.enum(['local', 'remote']).optional() })
    .strict(),
  'runs.rename': z.object({ id, name: shortText(200) }).strict(),
  'runs.tag': z.object({ id, tags: z.array(shortText(50).min(1)).max(50) }).strict(),
  'runs.note': z.object({ id, notes: shortText(20_000) }).strict(),
  'runs.delete': z.object({ ids: z.array(id).min(1).max(1000), force: z.boolean().optional() }).strict(),
  'runs.cancel': z.object({ id }).strict(),
  /** continue an interrupted, failed or cancelled run from its last checkpoint */
  'runs.resume': z.object({ id }).strict(),
  /** queue a new run with the same config */
  'runs.rerun': z.object({ id }).strict(),
  /** csv: one table, the per-epoch metrics (default) or the distillation signal; json: the runs with both */
  'runs.export': z.object({ ids: z.array(id).min(1).max(1000), format: z.enum(['csv', 'json']), table: z.enum(['metrics', 'signal']).optional() }).strict(),
  'runs.metrics': z.object({ id, afterEpoch: z.number().int().min(0).optional() }).strict(),
  'runs.alignment': z.object({ id, epoch: z.number().int().min(0).optional() }).strict(),
  /** the distillation-signal diagnostic's rows (contract/distillation-signal.ts); afterEpoch: only later epochs */
  'runs.signal': z.object({ id, afterEpoch: z.number().int().min(0).optional() }).strict(),
  'runs.events': z.object({ id, afterId: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(10_000).optional() }).strict(),
  /** everything the compare view needs for several runs at once */
  'runs.compare': z.object({ ids: z.array(id).min(1).max(100) }).strict(),

  'datasets.catalog': empty,
  /** whether each catalog download can succeed now (server reachable, file there, disk space), before the user clicks */
  'datasets.checkDownloads': z.object({ refresh: z.boolean().optional() }).strict(),
  'datasets.inspect': z.object({ ref: shortText(4096).min(1) }).strict(),
  /** starts a download; progress arrives as dataset.progress events */
  'datasets.download': z.object({ name: shortText(100).min(1) }).strict(),
  /** validate a file or folder inside an allowed folder and register it under `name` */
  'datasets.import': z
    .object({ path: shortText(4096).min(1), name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i), format: z.enum(['npz', 'ppi', 'csv']).optional() })
    .strict(),
  /** build a generator spec from form fields and inspect it */
  'datasets.generate': z
    .object({
      kind: z.enum(['csbm', 'ppi-like']),
      nodes: z.number().int().min(2).max(5_000_000),
      edges: z.number().int().min(0).max(100_000_000),
      classes: z.number().int().min(2).max(10_000),
      features: z.number().int().min(1).max(100_000),
      noise: z.number().min(0).max(1000).optional(),
      homophily: z.number().min(0).max(1).optional(),
      graphs: z.number().int().min(3).max(10_000).optional(),
    })
    .strict(),

  /** the queue (Redis) this app submits remote runs to, and its workers */
  'queue.status': empty,
  /** sets (or with null, removes) the queue URL redis://[user:pass@]HOST:PORT[/DB] or rediss://...; the password is never returned */
  'queue.configure': z.object({ url: z.string().max(2000).nullable() }).strict(),
  'workers.list': empty,

  /** copy the whole history to a new file inside an allowed folder (SQLite online backup; safe while runs train) */
  'history.backup': z.object({ path: shortText(4096).min(1) }).strict(),
  /** merge a history file from an allowed folder: new runs by UUID, ids renumbered, runs already here skipped */
  'history.import': z.object({ path: shortText(4096).min(1) }).strict(),

  'settings.get': empty,
  'settings.set': z.object({ backend: z.enum(BACKENDS).optional(), maxConcurrentRuns: z.number().int().min(1).max(16).optional() }).strict(),
} as const;

export type CallName = keyof typeof callInputs;
export type CallInput<K extends CallName> = z.input<(typeof callInputs)[K]>;
export const CALL_NAMES = Object.keys(callInputs) as CallName[];

// ----- records and call outputs -----
// Each record is defined here once: the store returns it, the API carries it, the UI shows it, and
// the trainer emits its epochs in the same shape. Metric values are `number | null`: null means "not
// computed" (an epoch without test evaluation) or "not finite" (a loss that became NaN is stored as null).

export interface AppInfo {
  version: string;
  /** 'electron' or 'serve' */
  mode: 'electron' | 'serve';
  dataDir: string;
  databasePath: string;
  backend: BackendInfo | null;
  node: string;
  platform: string;
}

export interface BackendInfo {
  backend: string;
  graphOps: string;
  /** tensor-library compute threads; null where the native library decides */
  threads: number | null;
  /** threads running the project's graph kernels; null with native graph ops */
  kernelThreads?: number | null;
  /** the GPU, on the webgpu backend; absent (or null) elsewhere */
  adapter?: GpuAdapterInfo | null;
  skipped: { backend: string; reason: string }[];
}

/** A WebGPU adapter as the backend report names it (also kept in a run's backendReport.adapter). */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  /** the device's name, e.g. "llvmpipe-…" or a GPU model */
  device: string;
  description: string;
  /** the native API Dawn drives it through: vulkan, metal, d3d12 */
  backendType: string;
  /** a software adapter (lavapipe, SwiftShader): correct, never fast */
  fallback: boolean;
}

/**
 * A student's best so far, as the store decides it by the run's selection rule (config.selection):
 * best-val, the first epoch reaching the highest validation metric; or the authors' rule (see
 * core/train/selection.ts), where the selected epoch's validation metric may be below an earlier one.
 */
export interface StudentBest {
  idx: number;
  /** validation metric of the selected epoch (best-val: the highest so far; higher is better: accuracy, micro-F1) */
  bestVal: number | null;
  bestEpoch: number | null;
  /** test metric at bestEpoch, when that epoch was evaluated on test */
  testAtBest: number | null;
}

/** One line of the runs table, and the head of a run's detail. */
export interface RunSummary {
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
  /** first start; a resumed run keeps it */
  startedAt: string | null;
  finishedAt: string | null;
  students: StudentBest[];
  /** sent to the queue's workers (a queued one waits for a worker); worker: the one training it, null on this machine or before a worker takes it */
  remote: boolean;
  worker: string | null;
}

/** What the manager's filters offer: runs per status (matching the other filters), and every strategy and group. */
export interface RunFacets {
  statuses: Record<RunStatus, number>;
  strategies: string[];
  /** sweep groups, newest first */
  groups: string[];
}

/** A student's summary: its best, and the epochs / seconds it took to reach 95% and 99% of that best. */
export interface StudentConvergence extends StudentBest {
  epochsTo95: number | null;
  secondsTo95: number | null;
  epochsTo99: number | null;
  secondsTo99: number | null;
}

export interface RunDetail extends RunSummary {
  /** the full run configuration, as the trainer reads it back */
  config: Record<string, unknown>;
  notes: string;
  backend: string | null;
  backendReport: unknown;
  versions: unknown;
  /** SHA-256 of the canonical arrays of the data it trained on (null until training starts) */
  datasetSha256: string | null;
  /** someone asked the running run to stop; its trainer sees it between epochs */
  cancelRequested: boolean;
  students: StudentConvergence[];
  /** planned layer pairs (0-based student ← peer), for outlining heatmap cells */
  planPairs: { student: number; peer: number }[];
}

/** One student's figures for one epoch (numbered from 1), as the trainer emits, the store records and the UI shows them. */
export interface EpochMetricRow {
  epoch: number;
  student: number;
  taskLoss: number | null;
  distillLoss: number | null;
  trainMetric: number | null;
  valMetric: number | null;
  testMetric: number | null;
  /** wall time of this epoch, ms */
  epochMs: number;
  /** wall time since training began, ms (cumulative over resumes) */
  elapsedMs: number;
}

/**
 * The L×L alignment heatmap of an ordered student pair at one epoch (0: before training), row-major:
 * data[i * cols + m] = D(H_student^(i), H_peer^(m)). `Values` is how the numbers travel: a
 * Float32Array inside core (bit-exact in the store), a plain array over the API.
 */
export interface AlignmentMatrixOf<Values> {
  epoch: number;
  student: number;
  peer: number;
  rows: number;
  cols: number;
  data: Values;
}

export type AlignmentMatrixRow = AlignmentMatrixOf<number[]>;

export interface RunAlignment {
  /** every epoch that has matrices */
  epochs: number[];
  /** the matrices of the requested epoch (the latest when none was asked for) */
  epoch: number | null;
  matrices: AlignmentMatrixRow[];
}

/** One entry of a run's timeline; ids grow, so `afterId` pages forward. */
export interface RunEventRow {
  id: number;
  at: string;
  level: EventLevel;
  kind: string;
  message: string;
}

export interface CompareEntry {
  run: RunDetail;
  metrics: EpochMetricRow[];
}

export interface Settings {
  backend: (typeof BACKENDS)[number];
  maxConcurrentRuns: number;
}

/** Output type of every call, by call name. */
export interface CallOutputs {
  'app.info': AppInfo;
  'runs.list': { runs: RunSummary[]; total: number; facets?: RunFacets };
  'runs.get': RunDetail;
  'runs.create': { ids: number[] };
  'runs.rename': RunSummary;
  'runs.tag': RunSummary;
  'runs.note': RunSummary;
  'runs.delete': { deleted: number[] };
  'runs.cancel': RunSummary;
  'runs.resume': RunSummary;
  'runs.rerun': { id: number };
  'runs.export': { filename: string; mimeType: string; content: string };
  'runs.metrics': EpochMetricRow[];
  'runs.alignment': RunAlignment;
  'runs.signal': DistillationSignalRow[];
  'runs.events': RunEventRow[];
  'runs.compare': CompareEntry[];
  'datasets.catalog': CatalogItem[];
  'datasets.checkDownloads': DownloadCheck[];
  'datasets.inspect': DatasetStatsView;
  'datasets.download': { started: boolean };
  'datasets.import': DatasetStatsView;
  'datasets.generate': DatasetStatsView & { spec: string };
  'queue.status': QueueStatus;
  'queue.configure': QueueStatus;
  'workers.list': { queue: QueueStatus; workers: WorkerInfo[] };
  'history.backup': HistoryBackup;
  'history.import': HistoryImport;
  'settings.get': Settings;
  'settings.set': Settings;
}

export type CallOutput<K extends CallName> = CallOutputs[K];

// ----- events (backend → every open window) -----

export type ApiEvent =
  | { type: 'run.status'; runId: number; status: RunStatus; error: string | null }
  | {
      /** an epoch was recorded: its rows as stored (one per student) and every student's best after it */
      type: 'run.epoch';
      runId: number;
      epoch: number;
      plannedEpochs: number;
      metrics: EpochMetricRow[];
      best: StudentBest[];
    }
  | { type: 'run.alignment'; runId: number; epoch: number }
  /** the distillation-signal rows of an epoch were recorded (fetch them with runs.signal) */
  | { type: 'run.signal'; runId: number; epoch: number }
  /** kind as stored in the run's events ('log' when absent; 'distillation': the inert-term warning) */
  | { type: 'run.log'; runId: number; level: 'info' | 'warn' | 'error'; message: string; kind?: string }
  | { type: 'dataset.progress'; name: string; receivedBytes: number; totalBytes: number | null; done: boolean; error: string | null }
  | { type: 'backend'; backend: BackendInfo }
  /** runs were added from another history file: lists should reload */
  | { type: 'history.imported'; runs: number };

/** How a failed call is reported: `status` follows HTTP (400 bad input, 404 missing, 409 conflict, 500 bug). */
export interface ApiErrorBody {
  error: string;
  status: number;
}

/** What the UI holds: one way to call and one way to listen, whatever carries them. */
export interface ApiClient {
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

/** Largest request body accepted by either transport (a sweep of 500 configs fits easily). */
export const MAX_REQUEST_BYTES = 1_000_000;

/** Validates a call's input; returns the parsed value or a message naming the problem. */
export function parseCallInput<K extends CallName>(name: K, input: unknown): { ok: true; value: z.output<(typeof callInputs)[K]> } | { ok: false; error: string } {
  const schema = callInputs[name] as z.ZodType;
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as z.output<(typeof callInputs)[K]> };
  return { ok: false, error: `${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}` };
}

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(callInputs, name);
}

// ----- the Electron preload bridge (window[BRIDGE_KEY]) -----

/** Name of the object the preload script exposes on `window` through contextBridge. */
export const BRIDGE_KEY = 'alignahead';
/** IPC channels: renderer → main invoke, and main → renderer events. */
export const IPC_CALL_CHANNEL = 'api:call';
export const IPC_EVENT_CHANNEL = 'api:event';

/** What a call returns across a transport: never a thrown error, so messages survive serialisation. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

/** The only surface the preload script exposes to the page. */
export interface PreloadBridge {
  call(name: string, input: unknown): Promise<CallResult<unknown>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
}
