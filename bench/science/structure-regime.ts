/**
 * Measures the regime of the local-structure term (issue 17's "is the distillation doing anything"):
 * K = 2 students trained with align-ahead distillation (at τ = 100, or τ auto re-estimated from each
 * peer once per epoch on the evaluation nodes, as the trainer does), and at chosen epochs the diagnostic of every planned pair
 * (core/distill/structure-diagnostics.ts) at τ = 100 and at τ auto, on the evaluation nodes. Its
 * figures justify the thresholds in core/distill/inert-warning.ts (see docs/PROTOCOL.md).
 *
 *   node bin/run-ts.js bench/science/structure-regime.ts [--data cora|ppi-like] [--train-tau 100|auto] [--epochs 20]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { loadGnnBenchmarkNpz } from '../../core/datasets/npz';
import { datasetFromSpec } from '../../core/datasets/spec';
import { peerAutoTau } from '../../core/distill/auto-tau';
import type { KernelChoice } from '../../core/distill/layer-kernels';
import { disposeTargets, peerTargets } from '../../core/distill/local-structure';
import { builtinPlan, peerLayersOf } from '../../core/distill/plans';
import { pairDiagnostics } from '../../core/distill/structure-diagnostics';
import { planStructureLoss } from '../../core/distill/structure-loss';
import { createStudent } from '../../core/models/student';
import type { StudentConfigInput } from '../../core/models/types';
import { Rng } from '../../core/random';
import { getGraphOps, initBackend } from '../../core/tensor/backend';
import { Adam } from '../../core/train/adam';
import { evaluateStudent } from '../../core/train/evaluate';
import { parseRunConfig } from '../../core/train/run-config';
import { taskLoss } from '../../core/models/task';
import { prepareTrainingData } from '../../core/train/training-data';

const { values } = parseArgs({
  options: { data: { type: 'string', default: 'cora' }, 'train-tau': { type: 'string', default: '100' }, epochs: { type: 'string', default: '20' } },
});
const report = await initBackend({ prefer: 'wasm' });
const ops = getGraphOps();
const epochs = Number(values.epochs);
const cora = values.data === 'cora';
const dataset = cora ? loadGnnBenchmarkNpz(new URL('../../../shared/datasets/cora.npz', import.meta.url).pathname) : datasetFromSpec(values.data!);
// the study's Cora setting (GCN, 4 hidden layers × 64, our defaults) and the authors' PPI GAT
const config = parseRunConfig(
  cora
    ? { data: 'cora', model: 'gcn', layers: 4, hidden: 64, students: 2, strategy: 'alignahead', seed: 0 }
    : { data: values.data, model: 'gat', layers: 4, heads: 3, hidden: 64, outHeads: 3, init: 'authors', dropout: 0, lr: 0.005, weightDecay: 0, students: 2, seed: 0 },
);
const data = prepareTrainingData(dataset, config, new Rng(config.seed).fork('split'));
const root = new Rng(config.seed);
const studentConfig: StudentConfigInput = {
  model: config.model,
  inFeatures: data.numFeatures,
  numClasses: data.numClasses,
  layers: config.layers,
  hidden: config.hidden,
  heads: config.heads,
  outputHeads: config.model === 'gat' ? config.outHeads : 1,
  init: config.init,
  dropout: config.dropout,
};
const students = [0, 1].map((k) => createStudent(studentConfig, ops, root.fork(`student-${k}/init`)));
const optimizers = students.map((s) => new Adam(s.trainableVariables(), { lr: config.lr, weightDecay: config.weightDecay }));
const plan = builtinPlan('align-ahead', config.layers);

const base = { kind: 'l1', tau: 100 } as const;
const fixed: KernelChoice = base;
const autoTau = values['train-tau'] === 'auto';
console.log(JSON.stringify({ backend: report.tfBackend, data: dataset.name, model: config.model, trainTau: values['train-tau'] }));

const fmt = (x: number) => +x.toPrecision(3);
/** τ auto per peer (student index), measured in eval mode on the evaluation nodes. */
async function autoKernels(): Promise<KernelChoice[]> {
  const { batch, nodes } = data.alignment;
  const kernels: KernelChoice[] = [];
  for (const s of students) {
    const { logits, hidden } = s.forward(batch.graph, batch.features, { training: false });
    kernels.push((await peerAutoTau(ops, batch.graph, hidden, peerLayersOf(plan), base, nodes)).kernels);
    tf.dispose([logits, ...hidden]);
  }
  return kernels;
}

async function diagnose(epoch: number): Promise<void> {
  const { batch, nodes } = data.alignment;
  const auto = (await autoKernels())[1];
  const [a, b] = tf.tidy(() => students.map((s) => s.forward(batch.graph, batch.features, { training: false }).hidden));
  const lines = [];
  for (const [name, kernel] of [['100', fixed], ['auto', auto]] as const) {
    const d = await pairDiagnostics(ops, batch.graph, a, b, plan, kernel, nodes);
    lines.push({
      tau: name === 'auto' ? d.map((p) => fmt(p.tau!)) : name,
      contrast: d.map((p) => fmt(p.contrast)),
      dOverTauMedian: d.map((p) => fmt(p.distanceOverTau!.median)),
      dOverTauIqr: d.map((p) => fmt(p.distanceOverTau!.q3 - p.distanceOverTau!.q1)),
      meanKl: d.map((p) => fmt(p.meanKl)),
    });
  }
  tf.dispose([...a, ...b]);
  const val: number[] = [];
  for (const s of students) val.push(fmt((await evaluateStudent(s, data)).val));
  console.log(JSON.stringify({ epoch, val, ...Object.fromEntries(lines.map((l) => [`tau=${l.tau}`, l])) }));
}

const REPORT_AT = new Set([0, 1, 2, 5, 10, 20, 50, 100, 200, 300]);
await diagnose(0);
for (let epoch = 1; epoch <= epochs; epoch++) {
  // the τ this epoch's steps use: measured before the epoch (after the previous one)
  const peerKernels = autoTau ? await autoKernels() : [fixed, fixed];
  for (let k = 0; k < 2; k++) {
    for (const batch of data.trainBatches) {
      tf.tidy(() => {
        const peerHidden = students[1 - k].forward(batch.graph, batch.features, { training: false }).hidden;
        const kernel = peerKernels[1 - k];
        const targets = peerTargets(ops, batch.graph, peerHidden, peerLayersOf(plan), kernel);
        const variables = students[k].trainableVariables();
        const { grads } = tf.variableGrads(() => {
          const out = students[k].forward(batch.graph, batch.features, { training: true });
          const task = taskLoss(data.task, out.logits, batch.labels, batch.nodes.train);
          return task.add(planStructureLoss(ops, batch.graph, out.hidden, [targets], plan, kernel).mul(config.a));
        }, variables);
        optimizers[k].apply(variables.map((v) => grads[v.name]));
        disposeTargets(targets);
      });
    }
  }
  if (REPORT_AT.has(epoch) || epoch === epochs) await diagnose(epoch);
}
