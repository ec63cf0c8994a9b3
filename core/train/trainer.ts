import * as tf from '@tensorflow/tfjs';
import type { AlignmentMatrixOf, EpochMetricRow } from '../../contract/api';
import type { RunConfig } from '../../contract/run-config';
import { median } from '../../contract/stats';
import { alignmentMatrix } from '../distill/alignment-matrix';
import { peerTargets } from '../distill/local-structure';
import { peerLayersOf, type AlignmentPlan } from '../distill/plans';
import type { Student } from '../models/types';
import { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { bufferScope, releaseFreeBuffers } from '../tensor/parallel/shared-buffers';
import { readAndDispose } from '../tensor/readback';
import { convergenceSummary, type ConvergencePoint, type ConvergenceSummary } from './convergence';
import { evaluateStudent, type SplitMetrics } from './evaluate';
import { createObjective } from './objective';
import { PeerViews } from './peer-views';
import { planOf, refuseLonelyStudent, similarityKernelOf } from './run-config';
import { createStudents, disposeStudents } from './student-state';
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
  | { type: 'checkpoint'; epoch: number; bytes: Uint8Array }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

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
  let status: TrainOutcome['status'] = 'completed';
  try {
    while (progress.epoch < config.epochs) {
      if (signal?.aborted) {
        status = 'cancelled';
        break;
      }
      const epoch = ++progress.epoch;
      const started = performance.now();
      const order = data.trainBatches.map((_, i) => i);
      if (data.inductive) batchOrderRng.shuffle(order);
      const lossParts = students.map((_, k) => order.map((b) => studentStep(k, data.trainBatches[b])));
      // Reading the losses waits for the backend to finish the epoch, so the timing is honest on async backends.
      const losses = await Promise.all(lossParts.map((parts) => meanOf(parts.map((p) => p.task))));
      const extras = await Promise.all(lossParts.map((parts) => meanOf(parts.map((p) => p.extra))));
      const epochMs = performance.now() - started;
      progress.elapsedMs += epochMs;
      progress.epochTimes.push(epochMs);

      const isLast = epoch === config.epochs;
      const evaluated = epoch % config.evalEvery === 0 || isLast;
      const metrics: (SplitMetrics | null)[] = [];
      for (const s of students) metrics.push(evaluated ? await evaluateStudent(s.model, data) : null);
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
      if (config.heatmapEvery > 0 && config.students > 1 && (epoch === 1 || epoch % config.heatmapEvery === 0 || isLast)) {
        emit({ type: 'alignment', epoch, matrices: await alignmentMatrices(epoch) });
      }
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
    peerViews.dispose();
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
            const targets = objective.needsStructureTargets ? peerTargets(ops, batch.graph, output.hidden, peerLayersOf(plan), kernel) : null;
            return { output, targets };
          }),
        );
        let kept: { task: tf.Scalar; extra: tf.Scalar } | null = null;
        const { grads } = tf.variableGrads(() => {
          const out = s.model.forward(batch.graph, batch.features, { training: true, rng: s.dropoutRng });
          const { task, extra } = objective.terms(s, out, peers, batch);
          kept = { task: tf.keep(task), extra: tf.keep(extra) };
          return task.add(extra);
        }, s.variables);
        s.optimizer.apply(s.variables.map((v) => grads[v.name]));
        peerViews.invalidate(k);
        return kept!;
      }),
    );
  }

  /** M[i][m] = D(H_k⁽ⁱ⁾, H_j⁽ᵐ⁾) for every ordered pair (k, j), eval mode, on the alignment nodes. */
  async function alignmentMatrices(epoch: number): Promise<AlignmentMatrixOf<Float32Array>[]> {
    const { batch, nodes } = data.alignment;
    const pairs = students.flatMap((_, k) => peersOf(k).map((j) => ({ student: k, peer: j })));
    const sizes = students.map((s) => s.model.hiddenWidths().length);
    // every matrix computed first, then read back together
    const matrices = bufferScope(() =>
      tf.tidy(() => {
        const hidden = students.map((s) => s.model.forward(batch.graph, batch.features, { training: false }).hidden);
        return pairs.map(({ student, peer }) => alignmentMatrix(ops, batch.graph, hidden[student], hidden[peer], kernel, nodes));
      }),
    );
    const values = await readAndDispose(matrices);
    return pairs.map(({ student, peer }, i) => ({ epoch, student, peer, rows: sizes[student], cols: sizes[peer], data: Float32Array.from(values[i]) }));
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
