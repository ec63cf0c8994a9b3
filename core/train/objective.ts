import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import { mutualLearningLoss } from '../distill/dml';
import type { AlignmentPlan } from '../distill/plans';
import type { SimilarityKernel } from '../distill/similarity';
import { planStructureLoss } from '../distill/structure-loss';
import { taskLoss } from '../models/task';
import type { StudentOutput } from '../models/types';
import type { GraphOps } from '../tensor/graph-ops';
import type { PeerView } from './peer-views';
import type { StudentState } from './student-state';
import { dmlWeightOf } from './run-config';
import type { GraphBatch, TrainingData } from './training-data';

/**
 * What a student minimises on a batch (ALGORITHM.md, "Loss"):
 *
 *   task + a · structure KL to the peers' planned layers + w · DML on logits
 *        + β · deep supervision + γ · feature transfer
 *
 * each term present only when the config asks for it. The peers' outputs and structure targets are
 * constants computed outside the student's gradient, so no gradient ever reaches a peer.
 */
export interface Objective {
  /** whether the peers must provide local-structure targets (a plan, and a > 0) */
  readonly needsStructureTargets: boolean;
  /**
   * the task loss and the sum of the added terms, for student `s` whose forward pass gave `out`;
   * apart: the structure term (a · KL; null without one) and everything else (task included)
   */
  terms(
    s: StudentState,
    out: StudentOutput,
    peers: readonly PeerView[],
    batch: GraphBatch,
  ): { task: tf.Scalar; extra: tf.Scalar; structure: tf.Scalar | null; rest: tf.Scalar };
}

export function createObjective(config: RunConfig, data: TrainingData, ops: GraphOps, plan: AlignmentPlan, kernel: SimilarityKernel): Objective {
  const dmlWeight = dmlWeightOf(config);
  const needsStructureTargets = plan.pairs.length > 0 && config.a > 0;
  return {
    needsStructureTargets,
    terms(s, out, peers, batch) {
      const task = taskLoss(data.task, out.logits, batch.labels, batch.nodes.train);
      const terms: tf.Scalar[] = [];
      let structure: tf.Scalar | null = null;
      if (needsStructureTargets && peers.length > 0) {
        structure = planStructureLoss(ops, batch.graph, out.hidden, peers.map((p) => p.targets!), plan, kernel).mul<tf.Scalar>(config.a);
        terms.push(structure);
      }
      if (dmlWeight > 0) {
        const dml = tf.addN(peers.map((p) => mutualLearningLoss(out.logits, p.output.logits, undefined, 1, data.task))).div(peers.length);
        terms.push(dml.mul(dmlWeight));
      }
      if (s.aux) terms.push(s.aux.loss(out.hidden, batch.labels, batch.nodes.train, data.task).mul(config.deepSupervision));
      if (s.transfer) {
        const ft = tf.addN(peers.map((p) => s.transfer!.loss(out.hidden, p.output.hidden))).div(peers.length);
        terms.push(ft.mul(config.featureTransfer));
      }
      const extra: tf.Scalar = terms.length > 0 ? tf.addN(terms) : tf.scalar(0);
      const others = terms.filter((t) => t !== structure);
      return { task, extra, structure, rest: others.length > 0 ? task.add(tf.addN(others)) : task };
    },
  };
}
