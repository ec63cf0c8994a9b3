import * as tf from '@tensorflow/tfjs';
import type { RunConfig, RunConfigInput } from '../../contract/run-config';
import { loadDataset } from '../datasets/load';
import type { Dataset } from '../datasets/types';
import { UserError } from '../errors';
import { Rng } from '../random';
import type { ExperimentStore } from '../store';
import { getGraphOps, initBackend, type BackendReport } from '../tensor/backend';
import { checkFitsWasmHeap, explainWasmFailure, type TrainingSize } from '../tensor/wasm-heap';
import { newRunRecord, parseRunConfig } from './run-config';
import { trainStudents, type TrainEvent, type TrainOutcome } from './trainer';
import { prepareTrainingData, type TrainingData } from './training-data';
import { appVersion } from '../version';

export interface ExperimentOptions {
  store: ExperimentStore;
  /** train a new run from this config... */
  config?: RunConfigInput;
  /** ...or continue an existing run (queued by the UI, or resumed from its last checkpoint) */
  runId?: number;
  resume?: boolean;
  /** where catalog datasets are cached */
  cacheDir?: string;
  /** sweeps group their runs */
  group?: string | null;
  signal?: AbortSignal;
  onEvent?: (event: ExperimentEvent) => void;
}

export type ExperimentEvent =
  | { type: 'started'; runId: number; backend: BackendReport; dataset: Dataset; plannedEpochs: number; startEpoch: number }
  | TrainEvent;

export interface ExperimentResult extends TrainOutcome {
  runId: number;
  backend: BackendReport;
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

  const backend = await initBackend({ prefer: config.backend });
  const dataset = await loadDataset(config.data, { cacheDir: options.cacheDir });
  const run =
    existing ??
    store.createRun(newRunRecord(config, { group: options.group ?? null }));
  const runId = run.id;

  let resumeFrom: Uint8Array | undefined;
  let startEpoch = 0;
  if (options.resume) {
    const checkpoint = store.latestCheckpoint(runId);
    if (checkpoint) {
      resumeFrom = checkpoint.data;
      startEpoch = checkpoint.epoch;
    }
    // Epochs after the checkpoint are trained again; drop their records so the history stays single-valued.
    store.discardAfterEpoch(runId, startEpoch);
  }

  store.updateRunInfo(runId, {
    backend: backend.backend,
    backendReport: backend,
    versions: { app: appVersion(), tfjs: tf.version.tfjs, node: process.version, platform: `${process.platform}-${process.arch}` },
    plannedEpochs: config.epochs,
  });
  store.setStatus(runId, 'running', { pid: process.pid });
  options.onEvent?.({ type: 'started', runId, backend, dataset, plannedEpochs: config.epochs, startEpoch });

  const cancel = new AbortController();
  const onOuterAbort = () => cancel.abort();
  options.signal?.addEventListener('abort', onOuterAbort);
  const data = prepareTrainingData(dataset, config, new Rng(config.seed).fork('split'));
  const size = trainingSize(config, data);
  try {
    if (backend.backend === 'wasm') checkFitsWasmHeap(size);
    const outcome = await trainStudents({
      config,
      data,
      ops: getGraphOps(),
      signal: cancel.signal,
      resumeFrom,
      onEvent: (event) => {
        record(store, runId, event);
        if (event.type === 'epoch' && store.heartbeat(runId).cancelRequested) cancel.abort();
        options.onEvent?.(event);
      },
    });
    outcome.students.forEach((s) =>
      store.updateStudentSummary(runId, s.student, {
        bestVal: finiteOrNull(s.bestVal),
        bestEpoch: s.bestEpoch || null,
        testAtBest: finiteOrNull(s.test),
        epochsTo95: s.convergence.epochsTo95,
        secondsTo95: s.convergence.secondsTo95,
        epochsTo99: s.convergence.epochsTo99,
        secondsTo99: s.convergence.secondsTo99,
      }),
    );
    store.logEvent(runId, 'info', 'status', `${outcome.status} after ${outcome.epochsDone} epochs`, { epochMsMedian: outcome.epochMsMedian });
    store.setStatus(runId, outcome.status);
    return { ...outcome, runId, backend };
  } catch (thrown) {
    const error = backend.backend === 'wasm' ? explainWasmFailure(thrown, size) : thrown;
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
    data.dispose();
  }
}

/** Writes one trainer event to the store (each call is its own transaction). */
function record(store: ExperimentStore, runId: number, event: TrainEvent): void {
  switch (event.type) {
    case 'epoch':
      store.recordEpoch(
        runId,
        event.epoch,
        event.students.map((s) => ({
          student: s.student,
          taskLoss: s.taskLoss,
          distillLoss: s.distillLoss,
          trainMetric: s.train,
          valMetric: s.val,
          testMetric: s.test,
          epochMs: event.epochMs,
          elapsedMs: event.elapsedMs,
        })),
      );
      break;
    case 'alignment':
      store.recordAlignment(runId, event.epoch, event.matrices);
      break;
    case 'checkpoint':
      store.saveCheckpoint(runId, event.epoch, event.bytes);
      break;
    case 'log':
      store.logEvent(runId, event.level, 'log', event.message);
      break;
  }
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
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
