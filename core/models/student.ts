import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { CsrGraph } from '../graph/csr';
import type { Rng } from '../random';
import type { GraphOps } from '../tensor/graph-ops';
import { validateStudentConfig } from './config';
import { sparseFormOf, withValues, type LayerInput } from '../tensor/sparse-rows';
import { dropout, dropoutValues } from './dropout';
import { EdgeWeightCache } from './edge-weights';
import { GatLayer } from './gat-layer';
import { GcnLayer } from './gcn-layer';
import type { GraphLayer, LayerContext } from './layer';
import { SageLayer } from './sage-layer';
import type {
  ForwardOptions,
  Student,
  StudentConfig,
  StudentConfigInput,
  StudentOutput,
  StudentWeights,
} from './types';

/**
 * Builds a student: L hidden layers then an output layer, each preceded by feature dropout (as the
 * PyTorch peer). Initial weights are drawn from `rng` (which is advanced); the dropout stream is
 * forked from it first, so one seed fixes both.
 */
export function createStudent(config: StudentConfigInput, ops: GraphOps, rng: Rng): Student {
  return new GnnStudent(validateStudentConfig(config), ops, rng);
}

class GnnStudent implements Student {
  private readonly hiddenLayers: GraphLayer[] = [];
  private readonly outputLayer: GraphLayer;
  /** every parameter under its public name ("hidden1.weight", "output.bias"), in a fixed order */
  private readonly variables = new Map<string, tf.Variable>();
  private readonly edgeWeights = new EdgeWeightCache();
  private readonly dropoutRng: Rng;
  private disposed = false;

  constructor(
    readonly config: StudentConfig,
    ops: GraphOps,
    rng: Rng,
  ) {
    this.dropoutRng = rng.fork('dropout');
    let inWidth = config.inFeatures;
    for (let l = 0; l < config.layers; l++) {
      this.hiddenLayers.push(this.makeLayer(ops, rng, inWidth, 'hidden', l));
      inWidth = this.hiddenWidth();
    }
    this.outputLayer = this.makeLayer(ops, rng, inWidth, 'output', config.layers);
    this.hiddenLayers.forEach((layer, l) => this.register(`hidden${l + 1}`, layer));
    this.register('output', this.outputLayer);
  }

  private makeLayer(ops: GraphOps, rng: Rng, inWidth: number, role: 'hidden' | 'output', index: number): GraphLayer {
    const { config } = this;
    const outWidth = role === 'hidden' ? config.hidden : config.numClasses;
    switch (config.model) {
      case 'gcn':
        return new GcnLayer(ops, this.edgeWeights, inWidth, outWidth, rng);
      case 'sage':
        return new SageLayer(ops, this.edgeWeights, config.aggregator, inWidth, outWidth, rng);
      case 'gat':
        return new GatLayer(
          ops,
          {
            inWidth,
            heads: role === 'hidden' ? config.heads : config.outputHeads,
            headWidth: outWidth,
            mergeHeads: role === 'hidden' ? 'concat' : 'mean',
            // the first layer maps raw features and has no residual; later ones do (authors, peer)
            residual: config.residual && index > 0,
            attentionDropout: config.attentionDropout,
            init: config.init,
          },
          rng,
        );
    }
  }

  private register(prefix: string, layer: GraphLayer): void {
    for (const [name, variable] of layer.parameters) this.variables.set(`${prefix}.${name}`, variable);
  }

  private hiddenWidth(): number {
    return this.config.model === 'gat' ? this.config.heads * this.config.hidden : this.config.hidden;
  }

  hiddenWidths(): number[] {
    return Array.from({ length: this.config.layers }, () => this.hiddenWidth());
  }

  trainableVariables(): tf.Variable[] {
    this.checkAlive();
    return [...this.variables.values()];
  }

  forward(graph: CsrGraph, features: tf.Tensor2D, options: ForwardOptions): StudentOutput {
    this.checkAlive();
    this.checkFeatures(graph, features);
    const { dropout: rate, activation } = this.config;
    const context: LayerContext = { training: options.training, rng: options.rng ?? this.dropoutRng };
    const dropped = (x: tf.Tensor2D) => (context.training ? dropout(x, rate, context.rng) : x);
    const activate = activation === 'elu' ? tf.elu : tf.relu;
    // sparse inputs (bag of words) enter the first layer in CSR form, dropout on their non-zeros
    const sparse = sparseFormOf(features);
    const input = (): LayerInput => {
      if (!sparse) return dropped(features);
      return context.training ? withValues(sparse, dropoutValues(sparse.values, rate, context.rng)) : sparse;
    };

    const [logits, ...hidden] = tf.tidy(() => {
      const preActivations: tf.Tensor2D[] = [];
      let h: tf.Tensor2D | null = null;
      for (const layer of this.hiddenLayers) {
        const z = layer.forward(graph, h === null ? input() : dropped(h), context);
        preActivations.push(z);
        h = activate(z);
      }
      return [this.outputLayer.forward(graph, h === null ? input() : dropped(h), context), ...preActivations];
    });
    return { logits, hidden };
  }

  getWeights(): StudentWeights {
    this.checkAlive();
    const weights: StudentWeights = {};
    for (const [name, variable] of this.variables) {
      // dataSync may return the backend's own buffer: copy it
      weights[name] = { shape: [...variable.shape], data: Float32Array.from(variable.dataSync()) };
    }
    return weights;
  }

  setWeights(weights: StudentWeights): void {
    this.checkAlive();
    this.checkWeights(weights);
    for (const [name, variable] of this.variables) {
      const { data, shape } = weights[name];
      const values = tf.tensor(data, shape, 'float32');
      variable.assign(values);
      values.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of this.variables.values()) variable.dispose();
    this.edgeWeights.dispose();
  }

  /** Every check runs before any assignment, so a bad checkpoint leaves the student untouched. */
  private checkWeights(weights: StudentWeights): void {
    const unknown = Object.keys(weights).filter((name) => !this.variables.has(name));
    if (unknown.length > 0) {
      throw new UserError(`student weights: unknown parameter '${unknown[0]}' for a ${this.describe()}`);
    }
    for (const [name, variable] of this.variables) {
      const entry = weights[name];
      if (!entry) throw new UserError(`student weights: parameter '${name}' is missing`);
      const expected = variable.shape;
      if (!Array.isArray(entry.shape) || entry.shape.length !== expected.length || entry.shape.some((d, i) => d !== expected[i])) {
        throw new UserError(
          `student weights: parameter '${name}' has shape [${entry.shape}] but this ${this.describe()} needs [${expected}]`,
        );
      }
      if (!entry.data || entry.data.length !== variable.size) {
        throw new UserError(`student weights: parameter '${name}' has ${entry.data?.length} values, expected ${variable.size}`);
      }
      const bad = entry.data.findIndex((value) => !Number.isFinite(value));
      if (bad >= 0) throw new UserError(`student weights: parameter '${name}' value ${bad} is ${entry.data[bad]}`);
    }
  }

  private checkFeatures(graph: CsrGraph, features: tf.Tensor2D): void {
    if (features.rank !== 2 || features.shape[0] !== graph.numNodes || features.shape[1] !== this.config.inFeatures) {
      throw new UserError(
        `student forward: features have shape [${features.shape}] but the graph has ${graph.numNodes} nodes ` +
          `and the student expects ${this.config.inFeatures} input features`,
      );
    }
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('student: used after dispose()');
  }

  private describe(): string {
    const { model, layers } = this.config;
    return `${model} student with ${layers} hidden layer${layers === 1 ? '' : 's'}`;
  }
}
