import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import { createAuxiliaryHeads, type AuxiliaryHeads } from '../distill/deep-supervision';
import { createFeatureTransfer, type FeatureTransfer } from '../distill/feature-transfer';
import type { AlignmentPlan } from '../distill/plans';
import { createStudent } from '../models/student';
import type { Student, StudentConfigInput } from '../models/types';
import type { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { Adam } from './adam';
import type { ConvergencePoint } from './convergence';
import { studentOptionsOf } from './run-config';
import type { TrainingData } from './training-data';

/** One student's trainable state: the model, its extras, its optimiser, its random streams and what it has shown so far. */
export interface StudentState {
  model: Student;
  /** deep supervision's auxiliary classifiers, when asked for */
  aux: AuxiliaryHeads | null;
  /** feature transfer's projections, when asked for */
  transfer: FeatureTransfer | null;
  optimizer: Adam;
  /** everything the optimiser updates: the model's, the auxiliary heads' and the projections' weights */
  variables: tf.Variable[];
  dropoutRng: Rng;
  /** dropout stream used when this student serves as a peer in train mode */
  peerDropoutRng: Rng;
  /** every evaluation so far, for the convergence figures and early stopping */
  history: ConvergencePoint[];
}

/** The student model a run config asks for, on this data (every student, and any model rebuilt from a stored run's config). */
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
    ...studentOptionsOf(config),
  };
}

/**
 * The run's K students, each drawn from its own stream of the run's root stream (so adding a
 * student never changes the others). With `sharedInit` every student starts from student 1's
 * weights, as the authors do.
 */
export function createStudents(config: RunConfig, data: TrainingData, ops: GraphOps, plan: AlignmentPlan, root: Rng, teacher?: Student): StudentState[] {
  const studentConfig = studentConfigOf(config, data);
  const students: StudentState[] = [];
  for (let k = 0; k < config.students; k++) {
    const initRng = root.fork(`student-${k}/init`);
    const model = createStudent(studentConfig, ops, initRng);
    // copied on the device: same order, same shapes, as both students share the config
    if (config.sharedInit && k > 0) model.trainableVariables().forEach((v, i) => v.assign(students[0].model.trainableVariables()[i]));
    const widths = model.hiddenWidths();
    const aux = config.deepSupervision > 0 ? createAuxiliaryHeads(widths, data.numClasses, initRng.fork('aux')) : null;
    const transferPlan = plan.pairs.length > 0 ? plan.pairs : widths.map((_, i) => ({ student: i, peer: i }));
    const transfer =
      config.featureTransfer > 0
        ? createFeatureTransfer(transferPlan, widths, teacher?.hiddenWidths() ?? widths, config.featureLoss, initRng.fork('transfer'))
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
      history: [],
    });
  }
  return students;
}

export function disposeStudents(students: readonly StudentState[]): void {
  for (const s of students) {
    s.optimizer.dispose();
    s.aux?.dispose();
    s.transfer?.dispose();
    s.model.dispose();
  }
}
