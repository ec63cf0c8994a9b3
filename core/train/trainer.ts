import * as tf from '@tensorflow/tfjs';
import type { AlignmentMatrixOf, EpochMetricRow } from '../../contract/api';
import type { DistillationSignalRow } from '../../contract/distillation-signal';
import type { RunConfig } from '../../contract/run-config';
import { median } from '../../contract/stats';
import { averageOverStudentPairs, distillationWarning, signalRows, signalState } from '../distill/inert-warning';
import type { KernelChoice } from '../distill/layer-kernels';
import { peerTargets } from '../distill/local-structure';
import { peerLayersOf, type AlignmentPlan } from '../distill/plans';
import type { Student } from '../models/types';
import { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { bufferScope, releaseFreeBuffers } from '../tensor/parallel/shared-buffers';
import { readAndDispose } from '../tensor/readback';
import { convergenceSummary, type ConvergencePoint, type ConvergenceSummary } from './convergence';
import { cappedTermGradients } from './capped-gradients';
import { evaluateStudent } from './evaluate';
import { createObjective } from './objective';
import { PeerViews } from './peer-views';
import { planOf, refuseLonelyStudent, similarityKernelOf } from './run-config';
import { createStudents, disposeStudents } from './student-state';
import { diagnosticPlanOf, measureStructure, type PairSignal, type StructureSettings } from './structure-pass';
import { encodeTrainingCheckpoint, restoreTrainingCheckpoint, type TrainingProgress } from './training-checkpoint';
import type { GraphBatch, TrainingData } from './training-data';

/** the peer-view source id of an offline run's fixed teacher */
const TEACHER = -1;

/** What the trainer reports as it goes, in the shapes the store records. */
export type TrainEvent =
  /** one row per student; metrics are null on epochs that were not evaluated */
  | { type: 'epoch'; epoch: number; metrics: EpochMetricRow[] }
  /** every ordered student pair's heatmap (eval mode, on the alignment nodes) */
  | { type: 'alignment'; epoch: number; matrices: AlignmentMatrixOf<Float32Array>[] }
  /** the distillation-signal diagnostic of every ordered student pair and planned layer pair (epoch 0: before training) */
  | { type: 'signal'; epoch: number; rows: DistillationSignalRow[] }
  | { type: 'checkpoint'; epoch: number; bytes: Uint8Array }
  /** kind 'distillation': the inert-term warning, and its all-clear */
  | { type: 'log'; level: 'info' | 'warn'; message: string; kind?: 'distillation' };

export interface TrainOutcome {
  status: 'completed' | 'cancelled';
  epochsDone: number;
  /** median wall ms of an epoch in which every student takes its step(s), evaluation excluded; 0 before any */
  epochMsMedian: number;
  /** per student: how soon it neared its best (the best itself is the store's to decide) */
  convergence: ConvergenceSummary[];
  plan: AlignmentPlan;
}

export interface TrainerOptions {
  config: RunConfig;
  data: TrainingData;
  ops: GraphOps;
  onEvent?: (event: TrainEvent) => void;
  signal?: AbortSignal;
  /** checkpoint bytes to continue from (as emitted by a 'checkpoint' event of the same config) */
  resumeFrom?: Uint8Array;
  /** offline distillation: a fixed teacher whose hidden layers every student learns from */
  teacher?: Student;
}

/**
 * The alternating online trainer (ALGORITHM.md, "Training procedure"). Each epoch, student k = 1..K
 * in turn takes its step(s) while its peers are frozen and only provide targets; peers' targets are
 * constants, so no gradient ever reaches them. Evaluation, heatmaps and checkpoints follow their
 * cadences; every finished epoch is reported through `onEvent` before the next begins.
 *
 * The structure pass (structure-pass.ts) looks at the students' local structures in eval mode on the
 * evaluation nodes: before the first epoch and after every evaluated one, and after every epoch under
 * τ auto, whose τ it refreshes (under τ auto the structure term's gradient is also capped at the
 * rest's: capped-gradients.ts). Each look records the distillation-signal rows; a heatmap epoch
 * reuses its forward pass. Model selection (which evaluation's test score a student reports) is the
 * store's to decide from the recorded rows (core/store/selection.ts).
 */
export async function trainStudents(options: TrainerOptions): Promise<TrainOutcome> {
  const { config, data, ops, signal, teacher } = options;
  const emit = options.onEvent ?? (() => {});
  const plan = planOf(config);
  const kernel = similarityKernelOf(config);
  const offline = teacher !== undefined;
  // an offline run's students learn from the fixed teacher, so one student is enough there
  if (!offline) refuseLonelyStudent(config, plan);
  const root = new Rng(config.seed);
  const batchOrderRng = root.fork('batch-order');
  const students = createStudents(config, data, ops, plan, root, teacher);
  const objective = createObjective(config, data, ops, plan, kernel);
  let progress: TrainingProgress = { epoch: 0, elapsedMs: 0, epochTimes: [], evaluationsWithoutImprovement: 0 };
  if (options.resumeFrom) {
    progress = restoreTrainingCheckpoint(options.resumeFrom, students, batchOrderRng);
    emit({ type: 'log', level: 'info', message: `resumed from the checkpoint of epoch ${progress.epoch}` });
  }
  const peersOf = (k: number) => students.map((_, j) => j).filter((j) => j !== k);
  // peers forward in train mode (dropout) only when asked; a fixed teacher always in eval mode
  const peersInTrainMode = config.peerMode === 'train' && !offline;
  const peerViews = new PeerViews(!peersInTrainMode);
  const structure: StructureSettings = { ops, data, kernel, tauAuto: config.kernel.tauMode === 'auto', diagnosticPlan: diagnosticPlanOf(plan, config.layers) };
  const capStructureTerm = structure.tauAuto && objective.needsStructureTargets;
  // the models a student may learn from: its peers, or the fixed teacher (the last entry)
  const models = [...students.map((s) => s.model), ...(offline ? [teacher] : [])];
  const signalsOn = !offline && config.students > 1;
  /** each model's kernels as a peer: the run's kernel, or its per-layer τ under τ auto */
  let peerKernels: KernelChoice[] = models.map(() => kernel);
  /** the signal states last warned about (null: none yet) */
  let warnedStates: string | null = null;
  let status: TrainOutcome['status'] = 'completed';
  try {
    // Before epoch 1: τ auto's first τ, and the diagnostic's epoch 0 (a resumed run has recorded its own)
    await lookAtStructure(progress.epoch, { record: progress.epoch === 0, heatmap: false });
    while (progress.epoch < config.epochs) {
      if (signal?.aborted) {
        status = 'cancelled';
        break;
      }
      const epoch = ++progress.epoch;
      const started = performance.now();
      const order = data.trainBatches.map((_, i) => i);
      if (data.inductive && !data.redraw) batchOrderRng.shuffle(order);
      const lossParts = students.map((_, k) => (data.redraw ? redrawnPass(k) : order.map((b) => studentStep(k, data.trainBatches[b]))));
      // Reading the losses waits for the backend to finish the epoch, so the timing is honest on async backends.
      const losses = await Promise.all(lossParts.map((parts) => meanOf(parts.map((p) => p.task))));
      const extras = await Promise.all(lossParts.map((parts) => meanOf(parts.map((p) => p.extra))));
      const epochMs = performance.now() - started;
      progress.elapsedMs += epochMs;
      progress.epochTimes.push(epochMs);

      const isLast = epoch === config.epochs;
      const evaluated = epoch % config.evalEvery === 0 || isLast;
      const heatmap = config.heatmapEvery > 0 && config.students > 1 && (epoch === 1 || epoch % config.heatmapEvery === 0 || isLast);
      const look = { record: evaluated || structure.tauAuto, heatmap };
      // the structure pass reuses the evaluation's forward pass on the alignment batch
      const hiddenOf = structureDue(look) ? data.alignment.batch : undefined;
      const metrics: (Awaited<ReturnType<typeof evaluateStudent>> | null)[] = [];
      for (const s of students) metrics.push(evaluated ? await evaluateStudent(s.model, data, { f1Threshold: config.f1Threshold, hiddenOf }) : null);
      if (evaluated) {
        // Patience counts evaluations in which no student beat its own earlier validation metrics.
        const improved = metrics.some((m, k) => m!.val > highestVal(students[k].history));
        progress.evaluationsWithoutImprovement = improved ? 0 : progress.evaluationsWithoutImprovement + 1;
        metrics.forEach((m, k) => students[k].history.push({ epoch, elapsedSeconds: progress.elapsedMs / 1000, valMetric: m!.val }));
      }
      emit({
        type: 'epoch',
        epoch,
        metrics: students.map((_, k) => ({
          epoch,
          student: k,
          taskLoss: losses[k],
          distillLoss: extras[k],
          trainMetric: metrics[k]?.train ?? null,
          valMetric: metrics[k]?.val ?? null,
          testMetric: metrics[k]?.test ?? null,
          epochMs,
          elapsedMs: progress.elapsedMs,
        })),
      });
      await lookAtStructure(epoch, look, metrics.map((m) => m?.hidden));
      const stopEarly = config.patience > 0 && progress.evaluationsWithoutImprovement >= config.patience;
      if (config.checkpointEvery > 0 && (epoch % config.checkpointEvery === 0 || isLast || stopEarly)) {
        emit({ type: 'checkpoint', epoch, bytes: await encodeTrainingCheckpoint(progress, students, batchOrderRng) });
      }
      if (stopEarly) {
        emit({ type: 'log', level: 'info', message: `early stop at epoch ${epoch}: no validation improvement in ${config.patience} evaluations` });
        break;
      }
      // Let cancellation requests and I/O through between epochs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    peerViews.clear();
    releaseFreeBuffers();
    disposeStudents(students);
  }
  return {
    status,
    epochsDone: progress.epoch,
    epochMsMedian: progress.epochTimes.length > 0 ? median(progress.epochTimes) : 0,
    convergence: students.map((s) => convergenceSummary(s.history)),
    plan,
  };

  /** Student k's optimisation step on one batch; returns its task loss and the added terms (kept scalars). */
  function studentStep(k: number, batch: GraphBatch): { task: tf.Scalar; extra: tf.Scalar } {
    const s = students[k];
    // the kernels' shared buffers are recycled after each step (the step's tape is gone by then)
    return bufferScope(() =>
      tf.tidy(() => {
        // The peers' forward passes and targets are computed outside the gradient function: constants.
        const peers = (offline ? [TEACHER] : peersOf(k)).map((source) =>
          peerViews.get(source, batch, () => {
            const peer = source === TEACHER ? teacher! : students[source].model;
            const rng = source === TEACHER ? undefined : students[source].peerDropoutRng;
            const output = peer.forward(batch.graph, batch.features, { training: peersInTrainMode, rng });
            const peerKernel = peerKernels[source === TEACHER ? models.length - 1 : source];
            const targets = objective.needsStructureTargets ? peerTargets(ops, batch.graph, output.hidden, peerLayersOf(plan), peerKernel) : null;
            return { output, targets };
          }),
        );
        let kept: { task: tf.Scalar; extra: tf.Scalar } | null = null;
        const terms = () => {
          const out = s.model.forward(batch.graph, batch.features, { training: true, rng: s.dropoutRng });
          const parts = objective.terms(s, out, peers, batch);
          kept ??= { task: tf.keep(parts.task), extra: tf.keep(parts.extra) };
          return parts;
        };
        if (capStructureTerm) {
          // τ auto: the structure term's gradient never outweighs the rest's (core/distill/auto-tau.ts)
          const dropoutState = s.dropoutRng.getState();
          const parts = () => {
            const { rest, structure } = terms();
            return { rest, term: structure! };
          };
          s.optimizer.apply(cappedTermGradients(s.variables, parts, () => s.dropoutRng.setState(dropoutState)));
        } else {
          const { grads } = tf.variableGrads(() => {
            const { task, extra } = terms();
            return task.add(extra);
          }, s.variables);
          s.optimizer.apply(s.variables.map((v) => grads[v.name]));
        }
        peerViews.invalidate(k);
        return kept!;
      }),
    );
  }

  /**
   * Student k's pass over freshly grouped batches (config redrawBatches): each batch is built, stepped
   * on and released; no peer view outlives it, since the batch never comes back.
   */
  function redrawnPass(k: number): { task: tf.Scalar; extra: tf.Scalar }[] {
    const { draw, join } = data.redraw!;
    return draw(batchOrderRng).map((graphs) => {
      const batch = join(graphs);
      try {
        return studentStep(k, batch);
      } finally {
        peerViews.clear();
        batch.features.dispose();
      }
    });
  }

  /** Whether the structure pass has anything to do: τ auto always, the diagnostic or a heatmap when due. */
  function structureDue(due: { record: boolean; heatmap: boolean }): boolean {
    return structure.tauAuto || (signalsOn && due.record) || due.heatmap;
  }

  /**
   * The structure pass after `epoch` (0: before training): refreshes τ under τ auto, records the
   * diagnostic when `record` (students only, K ≥ 2) and the heatmaps when `heatmap`. `known`: the
   * students' hidden layers on the alignment batch from this epoch's evaluation (taken over).
   */
  async function lookAtStructure(epoch: number, due: { record: boolean; heatmap: boolean }, known: (tf.Tensor2D[] | undefined)[] = []): Promise<void> {
    if (!structureDue(due)) {
      tf.dispose(known.flatMap((h) => h ?? []));
      return;
    }
    const signals = signalsOn && due.record;
    const measure = await measureStructure(structure, models, config.students, { signals, matrices: due.heatmap, epoch }, known);
    if (structure.tauAuto) {
      peerKernels = measure.peerKernels;
      // views hold targets measured with the old τ
      peerViews.clear();
    }
    const rows = measure.signals.flatMap((p) => signalRows(epoch, p.student, p.peer, p.diagnostics));
    if (rows.length > 0) {
      emit({ type: 'signal', epoch, rows });
      warnIfInert(epoch, measure.signals);
    }
    if (due.heatmap) emit({ type: 'alignment', epoch, matrices: measure.matrices });
  }

  /**
   * The inert-term warning (core/distill/inert-warning.ts) from the signals averaged over student
   * pairs: said at the first look, and again whenever a planned pair changes state (its figures
   * alone change every epoch); an all-clear when the last inert pair becomes active. Only where the
   * run has a structure term.
   */
  function warnIfInert(epoch: number, signals: readonly PairSignal[]): void {
    if (!objective.needsStructureTargets) return;
    const averaged = averageOverStudentPairs(signals.map((p) => p.diagnostics));
    const states = averaged.map(signalState).join(',');
    if (states === warnedStates) return;
    const first = warnedStates === null;
    warnedStates = states;
    const warning = distillationWarning(averaged);
    if (warning) emit({ type: 'log', level: 'warn', kind: 'distillation', message: `epoch ${epoch}: ${warning}` });
    else if (!first) emit({ type: 'log', level: 'info', kind: 'distillation', message: `epoch ${epoch}: the distillation term acts on every planned layer pair again` });
  }
}

/** The highest validation metric among earlier evaluations (NaN never counts); -Infinity before any. */
function highestVal(history: readonly ConvergencePoint[]): number {
  return history.reduce((highest, p) => (p.valMetric > highest ? p.valMetric : highest), -Infinity);
}

/** Mean of kept scalars, read once the epoch's steps are queued, then disposed. */
async function meanOf(scalars: tf.Scalar[]): Promise<number> {
  let sum = 0;
  for (const values of await readAndDispose(scalars)) sum += values[0];
  return scalars.length > 0 ? sum / scalars.length : 0;
}
