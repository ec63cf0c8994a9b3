import * as tf from '@tensorflow/tfjs';
import type { BackendInfo, StudentConvergence } from '../../contract/api';
import type { RunConfig, RunConfigInput } from '../../contract/run-config';
import { loadDataset } from '../datasets/load';
import { UserError } from '../errors';
import { Rng } from '../random';
import { datasetSha256 } from '../datasets/canonical';
import type { AlignmentMatrix, ConvergenceUpdate, ExperimentStore, RecordedEpoch, RunInfoUpdate } from '../store';
import type { EpochMetricRow, EventLevel, RunStatus } from '../../contract/api';
import type { DistillationSignalRow } from '../../contract/distillation-signal';
import { getGraphOps, initBackend, type BackendPreference, type BackendReport } from '../tensor/backend';
import { checkFitsWasmHeap, explainWasmFailure, type TrainingSize } from '../tensor/wasm-heap';
import { parseRunConfig, refuseUnrunnableConfig } from '../train/run-config';
import { trainStudents, type TrainOutcome } from '../train/trainer';
import { prepareTrainingData, type TrainingData } from '../train/training-data';
import { appVersion } from '../version';
import { newRunRecord } from './new-run';
import { recordTrainEvent, type ExperimentEvent } from './record-events';

export interface ExperimentOptions {
  store: ExperimentStore;
  /** train a new run from this config... */
  config?: RunConfigInput;
  /** ...or continue an existing run (queued by the UI, or resumed from its last checkpoint) */
  runId?: number;
  resume?: boolean;
  /** compute on this backend instead of the config's (a resumed run may move, e.g. off a lost GPU) */
  backend?: BackendPreference;
  /** where catalog datasets are cached */
  cacheDir?: string;
  /** sweeps group their runs */
  group?: string | null;
  signal?: AbortSignal;
  /**
   * What the UI hears, as it is recorded: `backend` and `run.status` (running) once the run is
   * claimed, then every `run.epoch`, `run.alignment`, `run.signal` and `run.log`. How the run ended is the
   * caller's to report (it may fail before it ever runs).
   */
  onEvent?: (event: ExperimentEvent) => void;
}

/**
 * The store calls a trainer makes while it records a run it has claimed. The experiment store is one;
 * a remote worker's recorder (core/queue/) is the other: it sends each call to the coordinator, which
 * makes the same call on its store.
 */
export interface RunRecorder {
  latestCheckpoint(runId: number): { epoch: number; data: Uint8Array } | null;
  discardAfterEpoch(runId: number, epoch: number): unknown;
  updateRunInfo(runId: number, info: RunInfoUpdate): unknown;
  recordEpoch(runId: number, rows: readonly EpochMetricRow[]): RecordedEpoch;
  recordAlignment(runId: number, matrices: readonly AlignmentMatrix[]): unknown;
  recordSignal(runId: number, rows: readonly DistillationSignalRow[]): unknown;
  saveCheckpoint(runId: number, epoch: number, bytes: Uint8Array): unknown;
  logEvent(runId: number, level: EventLevel, kind: string, message: string, data?: unknown): unknown;
  heartbeat(runId: number): { cancelRequested: boolean };
  setConvergence(runId: number, idx: number, figures: ConvergenceUpdate): unknown;
  setStatus(runId: number, status: RunStatus, options?: { error?: string; reason?: string }): unknown;
}

export interface ExperimentResult extends Omit<TrainOutcome, 'convergence'> {
  runId: number;
  backend: BackendReport;
  /** each student as recorded: its best (decided by the store) and its convergence figures */
  students: StudentConvergence[];
}

export function backendInfoOf(report: BackendReport): BackendInfo {
  return {
    backend: report.backend,
    graphOps: report.graphOps,
    threads: report.threads,
    kernelThreads: report.kernelThreads,
    adapter: report.adapter ?? null,
    skipped: report.skipped.map((s) => ({ backend: s.backend, reason: s.reason })),
  };
}

/**
 * Runs one experiment end to end and records it as it goes: every finished epoch, heatmap and
 * checkpoint is written to the store before the next epoch starts, so a process killed at any moment
 * leaves whole epochs behind and the run can be resumed. Cancellation comes from `signal` or from the
 * store (another process asked through requestCancel); either ends the run `cancelled`.
 */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const { store } = options;
  const existing = options.runId !== undefined ? store.getRun(options.runId) : null;
  if (options.runId !== undefined && !existing) throw new UserError(`run ${options.runId} does not exist`);
  const config = parseRunConfig(existing ? existing.config : options.config);
  // Cheap refusals first (options, plan, students, a spec's split), before the backend and the data load.
  refuseUnrunnableConfig(config);

  const backend = await initBackend({ prefer: options.backend ?? config.backend });
  const dataset = await loadDataset(config.data, { cacheDir: options.cacheDir });
  // Everything that can refuse the config (plan, split) runs before a run is recorded or claimed.
  const data = prepareTrainingData(dataset, config, new Rng(config.seed).fork('split'));
  try {
    // tfjs-wasm's 32-bit heap: a run that cannot fit is refused, naming the size and what to use instead
    if (backend.backend === 'wasm') checkFitsWasmHeap(trainingSize(config, data));
    const runId = (existing ?? store.createRun(newRunRecord(config, { group: options.group ?? null }))).id;
    // The claim comes first: it is refused while another process runs this run, before anything
    // of that run is changed.
    store.setStatus(runId, 'running');
    // From here on, liveness is proven by this process's heartbeat thread, whatever an epoch's length.
    const heartbeat = store.startHeartbeat(runId, (problem) => process.stderr.write(`alignahead: ${problem}\n`));
    try {
      const outcome = await trainClaimed(store, runId, { ...options, config, data, report: backend, datasetSha256: datasetSha256(dataset) });
      const { convergence: _, ...rest } = outcome;
      return { ...rest, runId, backend, students: store.getStudents(runId) };
    } finally {
      await heartbeat.stop();
    }
  } finally {
    data.dispose();
  }
}

/** Trains a run this process has claimed, recording every event, and records how it ended. */
export async function trainClaimed(
  store: RunRecorder,
  runId: number,
  options: Omit<ExperimentOptions, 'store'> & { config: RunConfig; data: TrainingData; report: BackendReport; datasetSha256: string },
): Promise<TrainOutcome> {
  const { config } = options;
  const publish = options.onEvent ?? (() => {});
  const cancel = new AbortController();
  const onOuterAbort = () => cancel.abort();
  options.signal?.addEventListener('abort', onOuterAbort);
  try {
    let resumeFrom: Uint8Array | undefined;
    if (options.resume) {
      const checkpoint = store.latestCheckpoint(runId);
      resumeFrom = checkpoint?.data;
      // Epochs after the checkpoint are trained again; drop their records so the history stays single-valued.
      store.discardAfterEpoch(runId, checkpoint?.epoch ?? 0);
    }
    store.updateRunInfo(runId, {
      backend: options.report.backend,
      backendReport: options.report,
      versions: { app: appVersion(), tfjs: tf.version.tfjs, node: process.version, platform: `${process.platform}-${process.arch}` },
      plannedEpochs: config.epochs,
      datasetSha256: options.datasetSha256,
    });
    publish({ type: 'backend', backend: backendInfoOf(options.report) });
    publish({ type: 'run.status', runId, status: 'running', error: null });
    const outcome = await trainStudents({
      config,
      data: options.data,
      ops: getGraphOps(),
      signal: cancel.signal,
      resumeFrom,
      onEvent: (event) => {
        const published = recordTrainEvent(store, runId, config.epochs, event);
        if (event.type === 'epoch' && store.heartbeat(runId).cancelRequested) cancel.abort();
        if (published) publish(published);
      },
    });
    outcome.convergence.forEach((figures, k) => store.setConvergence(runId, k, figures));
    store.logEvent(runId, 'info', 'status', `${outcome.status} after ${outcome.epochsDone} epochs`, { epochMsMedian: outcome.epochMsMedian });
    store.setStatus(runId, outcome.status);
    return outcome;
  } catch (thrown) {
    const error = options.report.backend === 'wasm' ? explainWasmFailure(thrown, trainingSize(config, options.data)) : thrown;
    const message = (error as Error).message ?? String(error);
    try {
      store.logEvent(runId, 'error', 'failure', message);
      store.setStatus(runId, 'failed', { error: message });
    } catch {
      // The store itself failed (disk full, locked): the original error is the one to report. The
      // run stays `running` and is shown as `interrupted` (resumable) once this process has ended.
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** The largest batch's size and the model's width, for memory estimates. */
function trainingSize(config: RunConfig, data: TrainingData): TrainingSize {
  const graphs = data.trainBatches.map((b) => b.graph);
  return {
    nodes: Math.max(...graphs.map((g) => g.numNodes)),
    edges: Math.max(...graphs.map((g) => g.sources.length)),
    hiddenWidth: config.model === 'gat' ? config.hidden * config.heads : config.hidden,
    heads: config.model === 'gat' ? config.heads : 1,
  };
}
