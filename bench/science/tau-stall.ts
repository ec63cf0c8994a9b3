/**
 * Why τ auto stalled the task on Cora (GCN 4 × 64, K = 2, align-ahead, a = 1): the trainer's loop,
 * with the task and the distillation term differentiated SEPARATELY on every step, so each hidden
 * layer's gradient norm from either is known, next to the τ in use and the hidden features' scale.
 *
 *   node bin/run-ts.js bench/science/tau-stall.ts [--seed 2] [--epochs 20] [--tau auto|freeze|floor|ratchet|<number>]
 *     [--a 1] [--ramp 0] [--balance] [--plan align-ahead|one-to-one] [--every 1]
 *
 * Per printed epoch, for student 0: τ in use and measured per layer, mean |h|, the share of
 * positive pre-activations (alive) and the spread of the ReLU outputs across nodes, validation
 * accuracy, and the task's and the term's gradient norms per parameter (weight, bias per layer).
 * Its seeds draw dropout from other streams than the trainer's, so its seed 2 is not the CLI's.
 * --tau: auto (the old rule: τ = the median neighbour distance, refreshed every epoch), freeze (τ
 * measured once, at epoch 0), floor (refreshed, never below the epoch-0 τ), or a fixed number.
 * --ramp E: the distillation weight rises linearly from 0 to a over the first E epochs.
 * --balance: the term's gradient capped at the task's norm (what the trainer now does under τ auto).
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { loadGnnBenchmarkNpz } from '../../core/datasets/npz';
import { datasetFromSpec } from '../../core/datasets/spec';
import { autoTaus, tauKernels, type LayerTau } from '../../core/distill/auto-tau';
import type { KernelChoice } from '../../core/distill/layer-kernels';
import { peerTargets, disposeTargets } from '../../core/distill/local-structure';
import { kernelEdgeValues, neighbourValues } from '../../core/distill/neighbour-distances';
import { builtinPlan, peerLayersOf } from '../../core/distill/plans';
import { planStructureLoss } from '../../core/distill/structure-loss';
import { taskLoss } from '../../core/models/task';
import { Rng } from '../../core/random';
import { getGraphOps, initBackend } from '../../core/tensor/backend';
import { evaluateStudent } from '../../core/train/evaluate';
import { parseRunConfig } from '../../core/train/run-config';
import { createStudents } from '../../core/train/student-state';
import { prepareTrainingData } from '../../core/train/training-data';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: 'cora' },
    seed: { type: 'string', default: '2' },
    epochs: { type: 'string', default: '20' },
    tau: { type: 'string', default: 'auto' },
    a: { type: 'string', default: '1' },
    ramp: { type: 'string', default: '0' },
    layers: { type: 'string', default: '4' },
    hidden: { type: 'string', default: '64' },
    every: { type: 'string', default: '1' },
    plan: { type: 'string', default: 'align-ahead' },
    balance: { type: 'boolean', default: false },
  },
});
await initBackend({ prefer: 'wasm' });
const ops = getGraphOps();
const cora = values.data === 'cora';
const dataset = cora ? loadGnnBenchmarkNpz(new URL('../../../shared/datasets/cora.npz', import.meta.url).pathname) : datasetFromSpec(values.data!);
const config = parseRunConfig({
  data: values.data,
  model: 'gcn',
  layers: Number(values.layers),
  hidden: Number(values.hidden),
  students: 2,
  strategy: 'alignahead',
  seed: Number(values.seed),
  a: Number(values.a),
});
const data = prepareTrainingData(dataset, config, new Rng(config.seed).fork('split'));
const root = new Rng(config.seed);
root.fork('batch-order');
const plan = builtinPlan(values.plan as 'align-ahead', config.layers);
const students = createStudents(config, data, ops, plan, root);
const base = { kind: 'l1', tau: 100 } as const;
const mode = values.tau!;
const ramp = Number(values.ramp);
const fmt = (x: number) => +x.toPrecision(3);

/** per student: per hidden layer, the median neighbour distance (eval mode, evaluation nodes) and mean |h| */
async function look(): Promise<{ taus: LayerTau[][]; scale: number[][]; alive: number[][]; spread: number[][] }> {
  const { batch, nodes } = data.alignment;
  const hidden = tf.tidy(() => students.map((s) => s.model.forward(batch.graph, batch.features, { training: false }).hidden));
  const perEdge = await Promise.all(hidden.map((layers) => Promise.all(layers.map((h) => tf.tidy(() => kernelEdgeValues(ops, batch.graph, h, base)).data()))));
  const scale = hidden.map((layers) => layers.map((h) => fmt(tf.tidy(() => h.abs().mean().dataSync()[0]))));
  // how much of each layer survives the ReLU, and how much the surviving part varies across nodes
  const alive = hidden.map((layers) => layers.map((h) => fmt(tf.tidy(() => h.greater(0).cast('float32').mean().dataSync()[0]))));
  const spread = hidden.map((layers) => layers.map((h) => fmt(tf.tidy(() => tf.moments(h.relu(), 0).variance.sqrt().mean().dataSync()[0]))));
  tf.dispose(hidden.flat());
  const taus = perEdge.map((layers) => autoTaus(layers.map((v) => [neighbourValues(batch.graph, v as Float32Array, nodes)]), 100));
  return { taus, scale, alive, spread };
}

let first: LayerTau[][] | null = null;
let inUse: LayerTau[][] | null = null;
function policy(measured: LayerTau[][]): LayerTau[][] {
  first ??= measured;
  if (mode === 'auto') return measured;
  if (mode === 'freeze') return first;
  if (mode === 'floor') return measured.map((layers, j) => layers.map((t, l) => ({ ...t, tau: Math.max(t.tau, first![j][l].tau) })));
  if (mode === 'ratchet') return measured.map((layers, j) => layers.map((t, l) => ({ ...t, tau: Math.max(t.tau, (inUse ?? first)![j][l].tau) })));
  return measured.map((layers) => layers.map((t) => ({ ...t, tau: Number(mode) })));
}

console.log(students[0].variables.map((v) => v.name).join(' '));
const norm = (g: tf.Tensor | undefined) => (g ? Math.sqrt(tf.tidy(() => g.square().sum().dataSync()[0])) : 0);
for (let epoch = 0; epoch <= Number(values.epochs); epoch++) {
  const seen = await look();
  inUse = policy(seen.taus);
  const kernels: KernelChoice[] = inUse.map((t) => tauKernels(base, t));
  if (epoch === Number(values.epochs)) break;
  const weight = ramp > 0 ? config.a * Math.min(1, (epoch + 1) / ramp) : config.a;
  const rows: { task: number; extra: number; gTask: number[]; gExtra: number[] }[] = [];
  for (let k = 0; k < 2; k++) {
    const s = students[k];
    const batch = data.trainBatches[0];
    tf.tidy(() => {
      const peerHidden = students[1 - k].model.forward(batch.graph, batch.features, { training: false }).hidden;
      const targets = peerTargets(ops, batch.graph, peerHidden, peerLayersOf(plan), kernels[1 - k]);
      // the same dropout mask for both halves: fork the student's stream and replay it
      const dropState = s.dropoutRng.fork(`probe-${epoch}`);
      const forward = (rng: Rng) => s.model.forward(batch.graph, batch.features, { training: true, rng });
      const t = tf.variableGrads(() => taskLoss(data.task, forward(dropState.fork('x')).logits, batch.labels, batch.nodes.train), s.variables);
      const e = tf.variableGrads(
        () => planStructureLoss(ops, batch.graph, forward(dropState.fork('x')).hidden, [targets], plan, kernels[1 - k]).mul(weight),
        s.variables,
      );
      const names = s.variables.map((v) => v.name).filter((n) => /weight/.test(n) || s.variables.length < 20);
      rows.push({
        task: fmt(t.value.dataSync()[0]),
        extra: fmt(e.value.dataSync()[0]),
        gTask: names.map((n) => fmt(norm(t.grads[n]))),
        gExtra: names.map((n) => fmt(norm(e.grads[n]))),
      });
      // --balance: the term's gradient scaled down to at most the task's norm (over all variables)
      const total = (g: Record<string, tf.Tensor>) => Math.sqrt(Object.values(g).reduce((n, x) => n + norm(x) ** 2, 0));
      const cap = values.balance ? Math.min(1, total(t.grads) / Math.max(total(e.grads), 1e-30)) : 1;
      s.optimizer.apply(s.variables.map((v) => (e.grads[v.name] ? t.grads[v.name].add(e.grads[v.name].mul(cap)) : t.grads[v.name])));
      disposeTargets(targets);
    });
  }
  if (epoch % Number(values.every) === 0 || epoch < 5) {
    const val: number[] = [];
    for (const s of students) {
      const m = await evaluateStudent(s.model, data);
      val.push(fmt(m.val));
      tf.dispose(m.hidden ?? []);
    }
    console.log(
      JSON.stringify({
        epoch,
        tau0: inUse[0].map((t) => fmt(t.tau)),
        median0: seen.taus[0].map((t) => fmt(t.median)),
        scale0: seen.scale[0],
        alive0: seen.alive[0],
        spread0: seen.spread[0],
        val,
        s0: rows[0],
      }),
    );
  }
}
