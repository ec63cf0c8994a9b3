import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import { GRAPH_OPS_UNDER_TEST } from '../models/testing/fixtures';
import { kernelGraphOps } from '../tensor/graph-ops-kernels';
import { referenceGraphOps } from '../tensor/graph-ops-native';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { disposeTargets, localStructureLog, peerTargets, structureDistance, structureTarget } from './local-structure';
import { finiteDifferences, KERNELS_UNDER_TEST as KERNELS, naiveLogStructure, naiveStructureDistance, randomRows, relativeError, toTensor, unevenGraph } from './testing/naive';
import { builtinPlan, parsePlan, peerLayersOf } from './plans';
import type { SimilarityKernel } from './similarity';
import { planStructureLoss } from './structure-loss';

useCpuBackend();

describe.each(GRAPH_OPS_UNDER_TEST)('local structure with $implementation ops', (ops) => {
  // Two graphs: in-degrees 1..9 with self-loops; and one without self-loops where node 0 has no incoming edge.
  const graphs = [
    { label: 'self-loops', graph: unevenGraph(11, 40, 8) },
    { label: 'no self-loops, a source-only node', graph: unevenGraph(12, 40, 8, false) },
  ];
  const rng = new Rng(21);
  const student = randomRows(rng, 40, 6);
  const peer = randomRows(rng, 40, 6);

  it.each(KERNELS)('log LS matches a float64 per-node softmax for %j', (kernel) => {
    for (const { graph } of graphs) {
      const log = tf.tidy(() => localStructureLog(ops, graph, toTensor(student), kernel).dataSync());
      const expected = naiveLogStructure(graph, student, kernel);
      expect(relativeError(log, expected)).toBeLessThan(1e-5);
      // each destination's LS sums to 1
      for (let v = 0; v < graph.numNodes; v++) {
        if (graph.offsets[v + 1] === graph.offsets[v]) continue;
        let sum = 0;
        for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) sum += Math.exp(log[e]);
        expect(sum).toBeCloseTo(1, 5);
      }
    }
  });

  it('stays finite where the softmax underflows (linear kernel, large rows)', () => {
    const graph = graphs[0].graph;
    const big = randomRows(new Rng(5), 40, 6, 40);
    const log = tf.tidy(() => localStructureLog(ops, graph, toTensor(big), { kind: 'linear' }).dataSync());
    expect(log.every(Number.isFinite)).toBe(true);
    expect(Math.min(...log)).toBeLessThan(-200);
  });

  it.each(KERNELS)('D is exactly 0 for identical layers and matches float64 KL otherwise, %j', (kernel) => {
    for (const { graph } of graphs) {
      const before = tf.memory().numTensors;
      const h = toTensor(student);
      const target = structureTarget(ops, graph, h, kernel);
      expect(tf.tidy(() => structureDistance(ops, graph, h, target, kernel).dataSync()[0])).toBe(0);
      disposeTargets(new Map([[0, target]]));

      const peerH = toTensor(peer);
      const peerTarget = structureTarget(ops, graph, peerH, kernel);
      peerH.dispose();
      const d = tf.tidy(() => structureDistance(ops, graph, h, peerTarget, kernel).dataSync()[0]);
      const expected = naiveStructureDistance(graph, student, peer, kernel);
      expect(expected).toBeGreaterThan(0);
      expect(d).toBeGreaterThan(0);
      expect(Math.abs(d - expected)).toBeLessThan(1e-4 * expected + 1e-7);
      peerTarget.logProbs.dispose();
      peerTarget.probs.dispose();
      h.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('averages over a node subset when given one', () => {
    const kernel: SimilarityKernel = { kind: 'rbf', sigma: 2 };
    for (const { graph } of graphs) {
      const nodes = Int32Array.from([0, 3, 17, 18, 39]);
      const d = tf.tidy(() => {
        const target = structureTarget(ops, graph, toTensor(peer), kernel);
        return structureDistance(ops, graph, toTensor(student), target, kernel, nodes).dataSync()[0];
      });
      const expected = naiveStructureDistance(graph, student, peer, kernel, nodes);
      expect(Math.abs(d - expected)).toBeLessThan(1e-4 * expected);
      expect(Math.abs(expected - naiveStructureDistance(graph, student, peer, kernel))).toBeGreaterThan(1e-3 * expected);
    }
  });

  it('rejects node indices outside the graph', () => {
    const graph = graphs[0].graph;
    tf.tidy(() => {
      const target = structureTarget(ops, graph, toTensor(peer), { kind: 'l1' });
      expect(() => structureDistance(ops, graph, toTensor(student), target, { kind: 'l1' }, Int32Array.from([1, 40]))).toThrow(
        /node index 40 \(position 1\) is out of range/,
      );
      expect(() => structureDistance(ops, graph, toTensor(student), target, { kind: 'l1' }, new Int32Array(0))).toThrow(UserError);
    });
  });

  it.each(KERNELS)('gradient wrt the student matches central differences of the float64 D, %j', (kernel) => {
    const graph = unevenGraph(31, 12, 4);
    const small = new Rng(8);
    const s = randomRows(small, 12, 3);
    const t = randomRows(small, 12, 3);
    const nodes = Int32Array.from([1, 4, 5, 9, 11]);
    for (const subset of [undefined, nodes]) {
      const gradient = tf.tidy(() => {
        const target = structureTarget(ops, graph, toTensor(t), kernel);
        return tf.grad((h) => structureDistance(ops, graph, h as tf.Tensor2D, target, kernel, subset))(toTensor(s)).dataSync();
      });
      const numeric = finiteDifferences((x) => naiveStructureDistance(graph, x, t, kernel, subset), s).flat();
      expect(Math.max(...numeric.map(Math.abs))).toBeGreaterThan(0);
      expect(relativeError(gradient, numeric)).toBeLessThan(2e-3);
    }
  });
});

describe('the peer receives no gradient', () => {
  const ops = referenceGraphOps;
  const graph = unevenGraph(41, 20, 5);
  const kernel: SimilarityKernel = { kind: 'l1', tau: 1 };

  function setup() {
    const rng = new Rng(2);
    const x = toTensor(randomRows(rng, 20, 4));
    const studentW = tf.variable(toTensor(randomRows(rng, 4, 3)), true, 'student-w-test');
    const peerW = tf.variable(toTensor(randomRows(rng, 4, 3)), true, 'peer-w-test');
    const cleanup = () => [x, studentW, peerW].forEach((t) => t.dispose());
    return { x, studentW, peerW, cleanup };
  }

  it('targets from peerTargets, made outside or inside the gradient closure, give the peer no gradient', () => {
    const { x, studentW, peerW, cleanup } = setup();
    const outside = peerTargets(ops, graph, [(x.matMul(peerW) as tf.Tensor2D)], [0], kernel);
    const cases = [
      () => structureDistance(ops, graph, (x.matMul(studentW) as tf.Tensor2D), outside.get(0)!, kernel),
      () => {
        const inside = peerTargets(ops, graph, [(x.matMul(peerW) as tf.Tensor2D)], [0], kernel);
        return structureDistance(ops, graph, (x.matMul(studentW) as tf.Tensor2D), inside.get(0)!, kernel);
      },
    ];
    for (const loss of cases) {
      const { value, grads } = tf.variableGrads(loss as () => tf.Scalar, [studentW, peerW]);
      expect(value.dataSync()[0]).toBeGreaterThan(0);
      expect(Object.keys(grads)).toEqual(['student-w-test']);
      expect(tf.abs(grads['student-w-test']).max().dataSync()[0]).toBeGreaterThan(0);
      value.dispose();
      tf.dispose(grads);
    }
    disposeTargets(outside);
    cleanup();
  });

  it('(control) a peer structure taken straight from the peer tensor inside the closure WOULD train the peer', () => {
    const { x, studentW, peerW, cleanup } = setup();
    const { grads } = tf.variableGrads(() => {
      const logT = localStructureLog(ops, graph, (x.matMul(peerW) as tf.Tensor2D), kernel);
      const target = { logProbs: logT, probs: logT.exp() };
      return structureDistance(ops, graph, (x.matMul(studentW) as tf.Tensor2D), target, kernel);
    }, [studentW, peerW]);
    expect(Object.keys(grads).sort()).toEqual(['peer-w-test', 'student-w-test']);
    tf.dispose(grads);
    cleanup();
  });
});

describe('planStructureLoss', () => {
  const ops = kernelGraphOps;
  const graph = unevenGraph(51, 30, 6);
  const kernel: SimilarityKernel = { kind: 'rbf', sigma: 3 };
  const rng = new Rng(77);
  const studentRows = [0, 1, 2].map(() => randomRows(rng, 30, 5));
  const peersRows = [0, 1].map(() => [0, 1, 2].map(() => randomRows(rng, 30, 5)));

  it('sums D over the plan pairs and averages over peers', () => {
    for (const plan of [builtinPlan('align-ahead', 3), builtinPlan('one-to-one', 3), parsePlan('1<-3,3<-3')]) {
      const loss = tf.tidy(() => {
        const studentHidden = studentRows.map(toTensor);
        const peers = peersRows.map((rows) => peerTargets(ops, graph, rows.map(toTensor), peerLayersOf(plan), kernel));
        const value = planStructureLoss(ops, graph, studentHidden, peers, plan, kernel).dataSync()[0];
        peers.forEach(disposeTargets);
        return value;
      });
      let expected = 0;
      for (const rows of peersRows) {
        for (const { student, peer } of plan.pairs) expected += naiveStructureDistance(graph, studentRows[student], rows[peer], kernel);
      }
      expected /= peersRows.length;
      expect(Math.abs(loss - expected)).toBeLessThan(1e-4 * expected);
    }
  });

  it('is 0 for the plan none and refuses a student layer the plan names but the student lacks', () => {
    tf.tidy(() => {
      const studentHidden = studentRows.map(toTensor);
      const peers = [peerTargets(ops, graph, peersRows[0].map(toTensor), [0, 1, 2], kernel)];
      expect(planStructureLoss(ops, graph, studentHidden, peers, builtinPlan('none', 3), kernel).dataSync()[0]).toBe(0);
      expect(() => planStructureLoss(ops, graph, studentHidden.slice(0, 2), peers, parsePlan('3<-1'), kernel)).toThrow(UserError);
    });
  });

  it('peerTargets computes each requested layer once and names a missing one', () => {
    tf.tidy(() => {
      const targets = peerTargets(ops, graph, peersRows[0].map(toTensor), [2, 0, 2], kernel);
      expect([...targets.keys()]).toEqual([2, 0]);
      expect(() => peerTargets(ops, graph, peersRows[0].map(toTensor), [3], kernel)).toThrow(/peer layer 4 does not exist/);
    });
  });
});
