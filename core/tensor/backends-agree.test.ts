import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { initBackend } from './backend';
import type { GraphOps } from './graph-ops';
import { kernelGraphOps } from './graph-ops-kernels';
import { referenceGraphOps } from './graph-ops-native';
import { caseInputs, expectClose, opCases, toTensors, valueAndGradients } from './testing/cases';
import { awkwardGraph, randomArray } from './testing/random-graph';

const rng = new Rng(99);
const graph = awkwardGraph(rng.fork('graph'), 16);
const cases = opCases(graph);

describe.each([kernelGraphOps, referenceGraphOps])('$implementation graph ops on cpu, wasm and multicore', (ops) => {
  it('give the same values and gradients (to 1e-4) for every op', async () => {
    const inputs = cases.map((c) => caseInputs(rng.fork(c.name), c.shapes));
    const weightsR = cases.map((c, i) => randomArray(rng.fork(`${c.name}/R`), c.naive(graph, inputs[i]).length).map(Math.fround));
    const run = () => cases.map((c, i) => valueAndGradients(ops, graph, c, inputs[i], weightsR[i]));
    await initBackend({ prefer: 'cpu' });
    const onCpu = run();
    for (const backend of ['wasm', 'multicore'] as const) {
      await initBackend({ prefer: backend });
      const other = run();
      cases.forEach((c, i) => {
        expectClose(other[i].value, onCpu[i].value, 1e-4, `${backend}: ${c.name} value`);
        other[i].gradients.forEach((g, k) => expectClose(g, onCpu[i].gradients[k], 1e-4, `${backend}: ${c.name} gradient ${k}`));
      });
    }
  });
});

/** One loss touching every op in every configuration, so a leak anywhere (forward, backward, saved tensors) shows. */
function everyOpLoss(ops: GraphOps, inputs: tf.Variable[][]): tf.Scalar {
  return tf.addN(cases.map((c, i) => c.run(ops, graph, inputs[i]).sum())) as tf.Scalar;
}

describe.each(['cpu', 'wasm', 'multicore'] as const)('on %s', (backend) => {
  it.each([kernelGraphOps, referenceGraphOps])('$implementation ops leak no tensors over repeated forward + backward', async (ops) => {
    await initBackend({ prefer: backend });
    const inputs = cases.map((c) => toTensors(caseInputs(rng.fork(c.name), c.shapes), c.shapes).map((t) => tf.variable(t)));
    const step = () => {
      const { value, grads } = tf.variableGrads(() => everyOpLoss(ops, inputs));
      expect(Object.keys(grads).length).toBe(inputs.flat().length);
      value.dispose();
      tf.dispose(grads);
      tf.tidy(() => {
        everyOpLoss(ops, inputs);
      });
    };
    step(); // warm-up: lazily created backend state is not a leak
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(inputs.flat());
  });
});
