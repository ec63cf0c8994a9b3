import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import { createAuxiliaryHeads, type AuxiliaryHeads } from '../distill/deep-supervision';
import { mutualLearningLoss } from '../distill/dml';
import { createFeatureTransfer, type FeatureTransfer } from '../distill/feature-transfer';
import { alignmentMatrix } from '../distill/alignment-matrix';
import { peerTargets, type PeerStructureTargets } from '../distill/local-structure';
import { peerLayersOf, type AlignmentPlan } from '../distill/plans';
import { planStructureLoss } from '../distill/structure-loss';
import { UserError } from '../errors';
import { createStudent } from '../models/student';
import type { Student, StudentConfigInput } from '../models/types';
import { Rng, type RngState } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { bufferScope, releaseFreeBuffers } from '../tensor/parallel/shared-buffers';
import { readAndDispose, readValues } from '../tensor/readback';
import { Adam } from './adam';
import { decodeCheckpoint, encodeCheckpoint, type NamedTensor } from './checkpoint-format';
import { convergenceSummary, type ConvergencePoint, type ConvergenceSummary } from './convergence';
import { evaluateStudent, type SplitMetrics } from './evaluate';
import { taskLoss } from './task';
import { planOf, similarityKernelOf } from './run-config';
import { PeerViews } from './peer-views';
import type { GraphBatch, TrainingData } from './training-data';

/** the peer-view source id of an offline run's fixed teacher */
const TEACHER = -1;

/** Per-student figures of one epoch; metrics are null on epochs that were not evaluated. */
export interface StudentEpochMetrics {
  student: number;
  taskLoss: number;
  /** everything added to the task loss: structure KL (× a), DML, deep supervision, feature transfer */
  distillLoss: number;
  train: number | null;
  val: number | null;
  test: number | null;
}

export interface AlignmentMatrixRecord {
  student: number;
  peer: number;
  rows: number;
  cols: number;
  data: Float32Array;
}

export type TrainEvent =
  | { type: 'epoch'; epoch: number; epochMs: number; elapsedMs: number; students: StudentEpochMetrics[] }
  | { type: 'alignment'; epoch: number; matrices: AlignmentMatrixRecord[] }
  | { type: 'checkpoint'; epoch: number; bytes: Uint8Array }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

export interface StudentResult {
  student: number;
  bestVal: number;
  test: number;
  bestEpoch: number;
  convergence: ConvergenceSummary;
}

export interface TrainOutcome {
  status: 'completed' | 'cancelled';
  epochsDone: number;
  /** median wall ms of an epoch in which every student takes its step(s), evaluation excluded */
  epochMsMedian: number;
  students: StudentResult[];
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

/** What a checkpoint carries besides tensors. */
interface CheckpointMeta {
  epoch: number;
  elapsedMs: number;
  epochTimes: number[];
  evaluationsWithoutImprovement: number;
  batchOrderRng: RngState;
  students: {
    dropoutRng: RngState;
    peerDropoutRng: RngState;
    adamStep: number;
    best: BestSoFar;
    history: ConvergencePoint[];
  }[];
}

interface BestSoFar {
  val: number;
  test: number;
  epoch: number;
}

/** One student's trainable state: the model, its extras, its optimiser and its random streams. */
interface StudentState {
  model: Student;
  aux: AuxiliaryHeads | null;
  transfer: FeatureTransfer | null;
  optimizer: Adam;
  variables: tf.Variable[];
  dropoutRng: Rng;
  /** dropout stream used when this student serves as a peer in train mode */
  peerDropoutRng: Rng;
  best: BestSoFar;
  history: ConvergencePoint[];
}

export function studentConfigOf(config: RunConfig, data: TrainingData): StudentConfigInput {
  return {
    model: config.model,
    inFeatures: data.numFeatures,
    numClasses: data.numClasses,
    layers: config.layers,
    hidden: config.hidden,
    heads: config.model === 'gat' ? config.heads : 1,
    dropout: config.dropout,
    attentionDropout: config.attentionDropout,
    residual: config.residual,
    aggregator: config.aggregator,
  };
}

/**
 * The alternating online trainer (ALGORITHM.md, "Training procedure"). Each epoch, student k = 1..K
 * in turn takes its step(s) while its peers are frozen and only provide targets; peers' targets are
 * constants, so no gradient ever reaches them. Evaluation, heatmaps and checkpoints follow their
 * cadences; every finished epoch is reported through `onEvent` before the next begins.
 */
export async function trainStudents(options: TrainerOptions): Promise<TrainOutcome> {
  const { config, data, ops, signal } = options;
  const emit = options.onEvent ?? (() => {});
  const plan = planOf(config);
  const kernel = similarityKernelOf(config);
  const dmlWeight = config.strategy === 'dml' && config.dmlWeight === 0 ? 1 : config.dmlWeight;
  const numStudents = config.students;
  const offline = options.teacher !== undefined;
  if (numStudents < 2 && !offline && (plan.pairs.length > 0 || dmlWeight > 0 || config.featureTransfer > 0)) {
    throw new UserError(`strategy '${config.strategy}' needs at least 2 students (got ${numStudents})`);
  }

  const root = new Rng(config.seed);
  const batchOrderRng = root.fork('batch-order');
  const studentConfig = studentConfigOf(config, data);
  const students: StudentState[] = [];
  for (let k = 0; k < numStudents; k++) {
    const initRng = root.fork(`student-${k}/init`);
    const model = createStudent(studentConfig, ops, initRng);
    // copied on the device: same order, same shapes, as both students share the config
    if (config.sharedInit && k > 0) model.trainableVariables().forEach((v, i) => v.assign(students[0].model.trainableVariables()[i]));
    const widths = model.hiddenWidths();
    const aux = config.deepSupervision > 0 ? createAuxiliaryHeads(widths, data.numClasses, initRng.fork('aux')) : null;
    const transferPlan = plan.pairs.length > 0 ? plan.pairs : widths.map((_, i) => ({ student: i, peer: i }));
    const teacherWidths = options.teacher?.hiddenWidths() ?? widths;
    const transfer =
      config.featureTransfer > 0
        ? createFeatureTransfer(transferPlan, widths, teacherWidths, config.featureLoss, initRng.fork('transfer'))
        : null;
    const variables = [...model.trainableVariables(), ...(aux?.variables ?? []), ...(transfer?.variables ?? [])];
    students.push({
      model,
      aux,
      transfer,
      variables,
      optimizer: new Adam(variables, { lr: config.lr, weightDecay: config.weightDecay }),
      dropoutRng: root.fork(`student-${k}/dropout`),
      peerDropoutRng: root.fork(`student-${k}/peer-dropout`),
      best: { val: -Infinity, test: Number.NaN, epoch: 0 },
      history: [],
    });
  }

  let startEpoch = 0;
  let elapsedMs = 0;
  let epochTimes: number[] = [];
  let evaluationsWithoutImprovement = 0;
  if (options.resumeFrom) {
    const meta = restoreCheckpoint(options.resumeFrom, students, batchOrderRng);
    startEpoch = meta.epoch;
    elapsedMs = meta.elapsedMs;
    epochTimes = meta.epochTimes;
    evaluationsWithoutImprovement = meta.evaluationsWithoutImprovement;
    emit({ type: 'log', level: 'info', message: `resumed from the checkpoint of epoch ${startEpoch}` });
  }

  const peersOf = (k: number) => students.map((_, j) => j).filter((j) => j !== k);
  // peers forward in train mode (dropout) only when asked; a fixed teacher always in eval mode
  const peersInTrainMode = config.peerMode === 'train' && !offline;
  const peerViews = new PeerViews(!peersInTrainMode);
  let status: TrainOutcome['status'] = 'completed';
  let epoch = startEpoch;
  try {
    while (epoch < config.epochs) {
      if (signal?.aborted) {
        status = 'cancelled';
        break;
      }
      epoch++;
      const started = performance.now();
      const order = data.trainBatches.map((_, i) => i);
      if (data.inductive) batchOrderRng.shuffle(order);
      const lossParts: { task: tf.Scalar; extra: tf.Scalar }[][] = students.map(() => []);
      for (let k = 0; k < numStudents; k++) {
        for (const b of order) {
          lossParts[k].push(studentStep(k, data.trainBatches[b]));
        }
      }
      // Reading the losses waits for the backend to finish the epoch, so the timing is honest on async backends.
      const losses = await Promise.all(lossParts.map((parts) => meanOf(parts.map((p) => p.task))));
      const extras = await Promise.all(lossParts.map((parts) => meanOf(parts.map((p) => p.extra))));
      const epochMs = performance.now() - started;
      elapsedMs += epochMs;
      epochTimes.push(epochMs);

      const isLast = epoch === config.epochs;
      const evaluated = epoch % config.evalEvery === 0 || isLast;
      const metrics: (SplitMetrics | null)[] = [];
      for (const s of students) metrics.push(evaluated ? await evaluateStudent(s.model, data) : null);
      let improved = false;
      metrics.forEach((m, k) => {
        if (!m) return;
        const s = students[k];
        s.history.push({ epoch, elapsedSeconds: elapsedMs / 1000, valMetric: m.val });
        if (m.val > s.best.val) {
          s.best = { val: m.val, test: m.test, epoch };
          improved = true;
        }
      });
      if (evaluated) evaluationsWithoutImprovement = improved ? 0 : evaluationsWithoutImprovement + 1;

      emit({
        type: 'epoch',
        epoch,
        epochMs,
        elapsedMs,
        students: students.map((_, k) => ({
          student: k,
          taskLoss: losses[k],
          distillLoss: extras[k],
          train: metrics[k]?.train ?? null,
          val: metrics[k]?.val ?? null,
          test: metrics[k]?.test ?? null,
        })),
      });
      if (config.heatmapEvery > 0 && numStudents > 1 && (epoch === 1 || epoch % config.heatmapEvery === 0 || isLast)) {
        emit({ type: 'alignment', epoch, matrices: await alignmentMatrices() });
      }
      const stopEarly = config.patience > 0 && evaluationsWithoutImprovement >= config.patience;
      if (config.checkpointEvery > 0 && (epoch % config.checkpointEvery === 0 || isLast || stopEarly)) {
        emit({ type: 'checkpoint', epoch, bytes: await checkpointBytes(epoch) });
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
    for (const s of students) {
      s.optimizer.dispose();
      s.aux?.dispose();
      s.transfer?.dispose();
      s.model.dispose();
    }
  }

  return {
    status,
    epochsDone: epoch,
    epochMsMedian: median(epochTimes),
    plan,
    students: students.map((s, k) => ({
      student: k,
      bestVal: s.best.val,
      test: s.best.test,
      bestEpoch: s.best.epoch,
      convergence: convergenceSummary(s.history),
    })),
  };

  /** Student k's optimisation step on one batch; returns its task loss and the added terms (kept scalars). */
  function studentStep(k: number, batch: GraphBatch): { task: tf.Scalar; extra: tf.Scalar } {
    const s = students[k];
    // the kernels' shared buffers are recycled after each step (the step's tape is gone by then)
    return bufferScope(() => tf.tidy(() => {
      // The peers' forward passes and targets are computed outside the gradient function: constants.
      const needsTargets = plan.pairs.length > 0 && config.a > 0;
      const views = (offline ? [TEACHER] : peersOf(k)).map((source) =>
        peerViews.get(source, batch, () => {
          const peer = source === TEACHER ? options.teacher! : students[source].model;
          const output = peer.forward(batch.graph, batch.features, {
            training: peersInTrainMode,
            rng: source === TEACHER ? undefined : students[source].peerDropoutRng,
          });
          const targets = needsTargets ? peerTargets(ops, batch.graph, output.hidden, peerLayersOf(plan), kernel) : null;
          return { output, targets };
        }),
      );
      const peerOutputs = views.map((view) => view.output);
      const targets: PeerStructureTargets[] = needsTargets ? views.map((view) => view.targets!) : [];
      let taskPart: tf.Scalar | null = null;
      let extraPart: tf.Scalar | null = null;
      const { grads } = tf.variableGrads(() => {
        const out = s.model.forward(batch.graph, batch.features, { training: true, rng: s.dropoutRng });
        const task = taskLoss(data.task, out.logits, batch.labels, batch.nodes.train);
        const terms: tf.Scalar[] = [];
        if (targets.length > 0) terms.push(planStructureLoss(ops, batch.graph, out.hidden, targets, plan, kernel).mul(config.a));
        if (dmlWeight > 0) {
          const dml = tf.addN(peerOutputs.map((p) => mutualLearningLoss(out.logits, p.logits, undefined, 1, data.task))).div(peerOutputs.length);
          terms.push(dml.mul(dmlWeight));
        }
        if (s.aux) terms.push(s.aux.loss(out.hidden, batch.labels, batch.nodes.train, data.task).mul(config.deepSupervision));
        if (s.transfer) {
          const ft = tf.addN(peerOutputs.map((p) => s.transfer!.loss(out.hidden, p.hidden))).div(peerOutputs.length);
          terms.push(ft.mul(config.featureTransfer));
        }
        const extra: tf.Scalar = terms.length > 0 ? tf.addN(terms) : tf.scalar(0);
        taskPart = tf.keep(task);
        extraPart = tf.keep(extra);
        return task.add(extra);
      }, s.variables);
      s.optimizer.apply(s.variables.map((v) => grads[v.name]));
      peerViews.invalidate(k);
      return { task: taskPart!, extra: extraPart! };
    }));
  }

  /** M[i][m] = D(H_k⁽ⁱ⁾, H_j⁽ᵐ⁾) for every ordered pair (k, j), eval mode, on the alignment nodes. */
  async function alignmentMatrices(): Promise<AlignmentMatrixRecord[]> {
    const { batch, nodes } = data.alignment;
    const pairs = students.flatMap((_, k) => peersOf(k).map((j) => ({ student: k, peer: j })));
    const sizes = students.map((s) => s.model.hiddenWidths().length);
    // every matrix computed first, then read in one go
    const matrices = bufferScope(() => tf.tidy(() => {
      const hidden = students.map((s) => s.model.forward(batch.graph, batch.features, { training: false }).hidden);
      return pairs.map(({ student, peer }) => alignmentMatrix(ops, batch.graph, hidden[student], hidden[peer], kernel, nodes));
    }));
    const values = await readAndDispose(matrices);
    return pairs.map(({ student, peer }, i) => ({ student, peer, rows: sizes[student], cols: sizes[peer], data: Float32Array.from(values[i]) }));
  }

  async function checkpointBytes(atEpoch: number): Promise<Uint8Array> {
    const tensors: Record<string, NamedTensor> = {};
    const studentsMeta: CheckpointMeta['students'] = [];
    for (const [k, s] of students.entries()) {
      const values = await readValues(s.variables);
      s.variables.forEach((v, i) => {
        tensors[`student${k}/var${i}`] = { shape: v.shape.slice(), data: Float32Array.from(values[i]) };
      });
      const adam = await s.optimizer.getState();
      adam.moments.forEach((m, i) => (tensors[`student${k}/adam${i}`] = m));
      studentsMeta.push({
        dropoutRng: s.dropoutRng.getState(),
        peerDropoutRng: s.peerDropoutRng.getState(),
        adamStep: adam.step,
        best: s.best,
        history: s.history,
      });
    }
    const meta: CheckpointMeta = {
      epoch: atEpoch,
      elapsedMs,
      epochTimes,
      evaluationsWithoutImprovement,
      batchOrderRng: batchOrderRng.getState(),
      students: studentsMeta,
    };
    return encodeCheckpoint({ meta, tensors });
  }
}

function restoreCheckpoint(bytes: Uint8Array, students: StudentState[], batchOrderRng: Rng): CheckpointMeta {
  const { meta, tensors } = decodeCheckpoint<CheckpointMeta>(bytes);
  if (meta.students.length !== students.length) {
    throw new UserError(`checkpoint holds ${meta.students.length} students, the run has ${students.length}`);
  }
  batchOrderRng.setState(meta.batchOrderRng);
  students.forEach((s, k) => {
    const saved = meta.students[k];
    s.variables.forEach((v, i) => {
      const t = tensors[`student${k}/var${i}`];
      if (!t || t.shape.join(',') !== v.shape.join(',')) {
        throw new UserError(`checkpoint: student ${k + 1} parameter ${i} is missing or has another shape; was the config changed?`);
      }
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
    });
    const moments: NamedTensor[] = [];
    for (let i = 0; tensors[`student${k}/adam${i}`]; i++) moments.push(tensors[`student${k}/adam${i}`]);
    s.optimizer.setState({ step: saved.adamStep, moments });
    s.dropoutRng.setState(saved.dropoutRng);
    s.peerDropoutRng.setState(saved.peerDropoutRng);
    s.best = { ...saved.best, val: saved.best.val ?? -Infinity };
    s.history = saved.history;
  });
  return meta;
}

/** Mean of kept scalars, read once the epoch's steps are queued, then disposed. */
async function meanOf(scalars: tf.Scalar[]): Promise<number> {
  let sum = 0;
  for (const values of await readAndDispose(scalars)) sum += values[0];
  return scalars.length > 0 ? sum / scalars.length : 0;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
