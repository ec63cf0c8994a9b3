import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { sparseFormOf } from '../tensor/sparse-rows';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { createStudent } from './student';
import { studentDense } from './testing/dense-reference';
import {
  GRAPH_OPS_UNDER_TEST,
  maxRelativeError,
  randomiseVariables,
  randomMatrix,
  smallSymmetricGraph,
  toMatrix,
} from './testing/fixtures';
import type { StudentConfigInput } from './types';

useCpuBackend();

const IN = 6;
const CLASSES = 3;

/** One config per model/aggregator, with dropout on so that train mode differs from eval mode. */
const VARIANTS: [string, StudentConfigInput][] = [
  ['gcn', { model: 'gcn', inFeatures: IN, numClasses: CLASSES, layers: 2, hidden: 5, dropout: 0.3 }],
  ['gat', { model: 'gat', inFeatures: IN, numClasses: CLASSES, layers: 3, hidden: 4, heads: 2, outputHeads: 2, dropout: 0.3, attentionDropout: 0.2 }],
  ['sage mean', { model: 'sage', inFeatures: IN, numClasses: CLASSES, layers: 2, hidden: 5, aggregator: 'mean', dropout: 0.3 }],
  ['sage pool', { model: 'sage', inFeatures: IN, numClasses: CLASSES, layers: 2, hidden: 5, aggregator: 'pool', dropout: 0.3 }],
];

const graph = smallSymmetricGraph();
const featureValues = randomMatrix(new Rng(99), graph.numNodes, IN);

function withFeatures<T>(run: (features: tf.Tensor2D) => T): T {
  const features = tf.tensor2d(featureValues);
  try {
    return run(features);
  } finally {
    features.dispose();
  }
}

describe.each(GRAPH_OPS_UNDER_TEST.map((ops) => [ops.implementation, ops] as [string, GraphOps]))('students on %s graph ops', (_name, ops) => {
  describe.each(VARIANTS)('%s', (_variant, config) => {
    it('returns logits [N, C] and L pre-activation hidden outputs of the announced widths', () => {
      const student = createStudent(config, ops, new Rng(1));
      withFeatures((features) => {
        const { logits, hidden } = student.forward(graph, features, { training: true });
        expect(logits.shape).toEqual([graph.numNodes, CLASSES]);
        expect(hidden).toHaveLength(config.layers);
        const widths = student.hiddenWidths();
        expect(widths).toEqual(new Array(config.layers).fill(config.model === 'gat' ? config.hidden * config.heads! : config.hidden));
        hidden.forEach((h, l) => expect(h.shape).toEqual([graph.numNodes, widths[l]]));
        // before the activation: ReLU outputs would be ≥ 0, ELU outputs ≥ −1
        for (const h of hidden) expect(h.min().arraySync()).toBeLessThan(config.model === 'gat' ? -1 : 0);
        tf.dispose([logits, ...hidden]);
      });
      student.dispose();
    });

    it('matches the dense float64 reference in eval mode (composition, activations, residuals)', () => {
      const student = createStudent(config, ops, new Rng(2));
      randomiseVariables(student.trainableVariables(), new Rng(3));
      const expected = studentDense(student.config, graph, featureValues, student.getWeights());
      withFeatures((features) => {
        const { logits, hidden } = student.forward(graph, features, { training: false });
        expect(maxRelativeError(toMatrix(logits), expected.logits)).toBeLessThan(1e-5);
        hidden.forEach((h, l) => expect(maxRelativeError(toMatrix(h), expected.hidden[l])).toBeLessThan(1e-5));
        tf.dispose([logits, ...hidden]);
      });
      student.dispose();
    });

    it('is deterministic per seed: same seed, same weights and train-mode outputs; another seed differs', () => {
      const [a, b, c] = [7, 7, 8].map((seed) => createStudent(config, ops, new Rng(seed)));
      expect(b.getWeights()).toEqual(a.getWeights());
      expect(c.getWeights()).not.toEqual(a.getWeights());
      withFeatures((features) => {
        const outputs = [a, b, c].map((s) => {
          const first = s.forward(graph, features, { training: true });
          const second = s.forward(graph, features, { training: true });
          const evaluated = s.forward(graph, features, { training: false });
          const values = [first, second, evaluated].map((o) => toMatrix(o.logits));
          tf.dispose([first, second, evaluated].flatMap((o) => [o.logits, ...o.hidden]));
          return values;
        });
        const [[a1, a2, aEval], [b1, b2]] = outputs;
        expect(b1).toEqual(a1);
        expect(b2).toEqual(a2);
        // dropout is really applied, and the stream advances between passes
        expect(maxRelativeError(a1, aEval)).toBeGreaterThan(1e-3);
        expect(maxRelativeError(a2, a1)).toBeGreaterThan(1e-3);
        // an explicit stream overrides the student's own
        const x = trainLogits(a, features, new Rng(5));
        const y = trainLogits(c, features, new Rng(5));
        expect(x).not.toEqual(y); // different weights
        expect(trainLogits(a, features, new Rng(5))).toEqual(x);
      });
      [a, b, c].forEach((s) => s.dispose());
    });

    it('round-trips its weights through getWeights/setWeights', () => {
      const source = createStudent(config, ops, new Rng(10));
      const target = createStudent(config, ops, new Rng(11));
      randomiseVariables(source.trainableVariables(), new Rng(12));
      target.setWeights(source.getWeights());
      expect(target.getWeights()).toEqual(source.getWeights());
      withFeatures((features) => {
        const [x, y] = [source, target].map((s) => {
          const out = s.forward(graph, features, { training: false });
          const values = toMatrix(out.logits);
          tf.dispose([out.logits, ...out.hidden]);
          return values;
        });
        expect(y).toEqual(x);
      });
      source.dispose();
      target.dispose();
    });

    it('releases every intermediate: tensor count stays flat over repeated forward/backward', () => {
      const student = createStudent(config, ops, new Rng(20));
      withFeatures((features) => {
        const step = () => {
          const { value, grads } = tf.variableGrads(() => {
            const { logits, hidden } = student.forward(graph, features, { training: true });
            return tf.addN([tf.sum(tf.square(logits)), ...hidden.map((h) => tf.sum(h))]) as tf.Scalar;
          }, student.trainableVariables());
          expect(Object.keys(grads)).toHaveLength(student.trainableVariables().length);
          tf.dispose([value, ...Object.values(grads)]);
        };
        step(); // the first pass uploads the per-graph edge weights
        const before = tf.memory().numTensors;
        for (let i = 0; i < 4; i++) step();
        expect(tf.memory().numTensors).toBe(before);
      });
      const beforeDispose = tf.memory().numTensors;
      const owned = student.trainableVariables().length;
      student.dispose();
      expect(tf.memory().numTensors).toBeLessThanOrEqual(beforeDispose - owned);
    });
  });
});

function trainLogits(student: ReturnType<typeof createStudent>, features: tf.Tensor2D, rng: Rng): number[][] {
  const out = student.forward(graph, features, { training: true, rng });
  const values = toMatrix(out.logits);
  tf.dispose([out.logits, ...out.hidden]);
  return values;
}

describe('students on sparse input features (bag of words)', () => {
  // 2% non-zero: under the density limit, so the first layer multiplies the CSR form
  const sparseValues = featureValues.map((row, v) => row.map((value, f) => ((v * IN + f) % 50 === 0 ? value : 0)));

  it.each(VARIANTS)('%s: matches the dense float64 reference in eval mode', (_variant, config) => {
    const ops = GRAPH_OPS_UNDER_TEST[0];
    const student = createStudent(config, ops, new Rng(2));
    randomiseVariables(student.trainableVariables(), new Rng(3));
    const expected = studentDense(student.config, graph, sparseValues, student.getWeights());
    const features = tf.tensor2d(sparseValues);
    expect(sparseFormOf(features)).not.toBeNull();
    const { logits, hidden } = student.forward(graph, features, { training: false });
    expect(maxRelativeError(toMatrix(logits), expected.logits)).toBeLessThan(1e-5);
    hidden.forEach((h, l) => expect(maxRelativeError(toMatrix(h), expected.hidden[l])).toBeLessThan(1e-5));
    tf.dispose([features, logits, ...hidden]);
    student.dispose();
  });

  it('trains on the sparse form: train mode draws dropout on the stored values and still gives [N, C] logits', () => {
    const config: StudentConfigInput = { model: 'gcn', inFeatures: IN, numClasses: CLASSES, layers: 1, hidden: 4, dropout: 0.5 };
    const student = createStudent(config, GRAPH_OPS_UNDER_TEST[0], new Rng(4));
    const features = tf.tensor2d(sparseValues);
    const { grads } = tf.variableGrads(() => student.forward(graph, features, { training: true, rng: new Rng(5) }).logits.square().sum() as tf.Scalar);
    expect(Object.keys(grads)).toHaveLength(student.trainableVariables().length);
    tf.dispose([features, ...Object.values(grads)]);
    student.dispose();
  });
});

describe('student checks', () => {
  const [ops] = GRAPH_OPS_UNDER_TEST;
  const config: StudentConfigInput = { model: 'gcn', inFeatures: IN, numClasses: CLASSES, layers: 2, hidden: 4 };

  it('names its parameters by layer', () => {
    const student = createStudent({ ...config, model: 'gat', heads: 2 }, ops, new Rng(1));
    expect(Object.keys(student.getWeights())).toEqual([
      'hidden1.weight',
      'hidden1.attentionSource',
      'hidden1.attentionTarget',
      'hidden1.bias',
      'hidden2.weight',
      'hidden2.attentionSource',
      'hidden2.attentionTarget',
      'hidden2.residual',
      'hidden2.bias',
      'output.weight',
      'output.attentionSource',
      'output.attentionTarget',
      'output.residual',
      'output.bias',
    ]);
    student.dispose();
  });

  it('starts from Glorot-uniform weights within the limit and zero biases', () => {
    const student = createStudent(config, ops, new Rng(1));
    const weights = student.getWeights();
    const limit = Math.sqrt(6 / (IN + 4));
    const first = weights['hidden1.weight'].data;
    expect(Math.max(...first.map(Math.abs))).toBeLessThanOrEqual(limit);
    // uniform on [−limit, limit]: the sample spread is close to limit/√3
    const std = Math.sqrt(first.reduce((s, w) => s + w * w, 0) / first.length);
    expect(std).toBeGreaterThan(0.6 * (limit / Math.sqrt(3)));
    expect([...weights['hidden1.bias'].data, ...weights['output.bias'].data].every((b) => b === 0)).toBe(true);
    student.dispose();
  });

  it('rejects weights with a wrong shape, a missing or unknown name, or non-finite values, leaving itself unchanged', () => {
    const student = createStudent(config, ops, new Rng(1));
    const good = student.getWeights();
    const wrongShape = { ...good, 'hidden2.weight': { shape: [5, 4], data: new Float32Array(20) } };
    expect(() => student.setWeights(wrongShape)).toThrow(UserError);
    expect(() => student.setWeights(wrongShape)).toThrow(/'hidden2\.weight' has shape \[5,4\] but .* needs \[4,4\]/);
    const { ['output.bias']: _dropped, ...missing } = good;
    expect(() => student.setWeights(missing)).toThrow(/'output\.bias' is missing/);
    expect(() => student.setWeights({ ...good, 'hidden3.weight': good['hidden1.weight'] })).toThrow(/unknown parameter 'hidden3\.weight'/);
    const nan = Float32Array.from(good['output.bias'].data);
    nan[1] = NaN;
    expect(() => student.setWeights({ ...good, 'output.bias': { shape: [CLASSES], data: nan } })).toThrow(/'output\.bias' value 1 is NaN/);
    expect(student.getWeights()).toEqual(good);
    student.dispose();
  });

  it('rejects features that do not fit the graph or the config', () => {
    const student = createStudent(config, ops, new Rng(1));
    const narrow = tf.zeros([graph.numNodes, IN - 1]) as tf.Tensor2D;
    const short = tf.zeros([graph.numNodes - 1, IN]) as tf.Tensor2D;
    expect(() => student.forward(graph, narrow, { training: false })).toThrow(/expects 6 input features/);
    expect(() => student.forward(graph, short, { training: false })).toThrow(/graph has 8 nodes/);
    tf.dispose([narrow, short]);
    student.dispose();
  });

  it('cannot be used after dispose', () => {
    const student = createStudent(config, ops, new Rng(1));
    student.dispose();
    expect(() => student.getWeights()).toThrow(/after dispose/);
  });
});
