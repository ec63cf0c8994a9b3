import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { Rng, RngState } from '../random';
import { decodeCheckpoint, encodeCheckpoint, type NamedTensor } from './checkpoint-format';
import type { ConvergencePoint } from './convergence';
import { readValues } from '../tensor/readback';
import type { StudentState } from './student-state';

/**
 * Everything training needs to continue bit for bit after `epoch`: every student's weights, Adam
 * moments and random streams, the batch-order stream, and the loop's own bookkeeping. Stored in the
 * container of checkpoint-format.ts: tensors by name, the rest in the JSON header.
 */

/** Where the loop stands, besides the students. */
export interface TrainingProgress {
  epoch: number;
  elapsedMs: number;
  epochTimes: number[];
  evaluationsWithoutImprovement: number;
}

interface CheckpointMeta extends TrainingProgress {
  batchOrderRng: RngState;
  students: {
    dropoutRng: RngState;
    peerDropoutRng: RngState;
    adamStep: number;
    history: ConvergencePoint[];
  }[];
}

/** The training state after an epoch, read back asynchronously (WebGPU has no synchronous read). */
export async function encodeTrainingCheckpoint(progress: TrainingProgress, students: readonly StudentState[], batchOrderRng: Rng): Promise<Uint8Array> {
  const tensors: Record<string, NamedTensor> = {};
  const studentsMeta: CheckpointMeta['students'] = [];
  for (const [k, s] of students.entries()) {
    const values = await readValues(s.variables);
    s.variables.forEach((v, i) => {
      tensors[`student${k}/var${i}`] = { shape: v.shape.slice(), data: Float32Array.from(values[i]) };
    });
    const adam = await s.optimizer.getState();
    adam.moments.forEach((m, i) => (tensors[`student${k}/adam${i}`] = m));
    studentsMeta.push({ dropoutRng: s.dropoutRng.getState(), peerDropoutRng: s.peerDropoutRng.getState(), adamStep: adam.step, history: s.history });
  }
  const meta: CheckpointMeta = { ...progress, batchOrderRng: batchOrderRng.getState(), students: studentsMeta };
  return encodeCheckpoint({ meta, tensors });
}

/** Loads a checkpoint into freshly created students of the same config; returns where the loop stood. */
export function restoreTrainingCheckpoint(bytes: Uint8Array, students: StudentState[], batchOrderRng: Rng): TrainingProgress {
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
    s.history = saved.history;
  });
  return { epoch: meta.epoch, elapsedMs: meta.elapsedMs, epochTimes: meta.epochTimes, evaluationsWithoutImprovement: meta.evaluationsWithoutImprovement };
}
