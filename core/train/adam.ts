import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { readValues } from '../tensor/readback';
import { onCpuBackend } from '../tensor/multicore/backend';
import type { NamedTensor } from './checkpoint-format';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** L2 penalty added to the gradient (PyTorch's Adam `weight_decay`, not AdamW's decoupled form) */
  weightDecay?: number;
  /** update each variable in one loop over its values (same bits as the tensor ops) [on the CPU backends] */
  onePass?: boolean;
}

/**
 * Adam as PyTorch's torch.optim.Adam defines it (the peer we are compared with): g ← g + wd·θ;
 * m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²; θ ← θ − lr · m̂ / (√v̂ + ε) with bias-corrected m̂, v̂.
 * Written here rather than using tf.train.adam so that its state is explicit: one per student,
 * saved in checkpoints by variable position, and restored exactly on resume.
 */
export class Adam {
  private readonly lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private readonly onePass: boolean | undefined;
  private readonly firstMoments: tf.Variable[];
  private readonly secondMoments: tf.Variable[];
  private step = 0;

  constructor(
    private readonly variables: tf.Variable[],
    options: AdamOptions,
  ) {
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.onePass = options.onePass;
    const zeros = (v: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(v), false));
    this.firstMoments = variables.map(zeros);
    this.secondMoments = variables.map(zeros);
  }

  /** Applies one update; `gradients[i]` belongs to the i-th variable given at construction. */
  apply(gradients: tf.Tensor[]): void {
    if (gradients.length !== this.variables.length) {
      throw new Error(`Adam: ${gradients.length} gradients for ${this.variables.length} variables`);
    }
    this.step++;
    const correction1 = 1 - this.beta1 ** this.step;
    const correction2 = 1 - this.beta2 ** this.step;
    if (this.onePass ?? onCpuBackend()) {
      this.variables.forEach((variable, i) => this.fusedUpdate(variable, gradients[i], i, correction1, correction2));
      return;
    }
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        let g = gradients[i];
        if (this.weightDecay > 0) g = g.add(variable.mul(this.weightDecay));
        const m = this.firstMoments[i].mul(this.beta1).add(g.mul(1 - this.beta1));
        const v = this.secondMoments[i].mul(this.beta2).add(g.square().mul(1 - this.beta2));
        this.firstMoments[i].assign(m);
        this.secondMoments[i].assign(v);
        const update = m.div(correction1).div(v.div(correction2).sqrt().add(this.epsilon)).mul(this.lr);
        variable.assign(variable.sub(update));
      });
    });
  }

  /**
   * One variable's update in a single pass over its values (the tensor form below costs ~12
   * element-wise kernels per variable), rounding to float32 wherever the tensor ops store a result
   * and with their float32 scalars, so both forms give the same bits.
   */
  private fusedUpdate(variable: tf.Variable, gradient: tf.Tensor, i: number, correction1: number, correction2: number): void {
    const f = Math.fround;
    const [beta1, beta2, keep1, keep2] = [f(this.beta1), f(this.beta2), f(1 - this.beta1), f(1 - this.beta2)];
    const [c1, c2, eps, lr, wd] = [f(correction1), f(correction2), f(this.epsilon), f(this.lr), f(this.weightDecay)];
    const theta = variable.dataSync() as Float32Array;
    const g = gradient.dataSync() as Float32Array;
    const m = Float32Array.from(this.firstMoments[i].dataSync() as Float32Array);
    const v = Float32Array.from(this.secondMoments[i].dataSync() as Float32Array);
    const next = new Float32Array(theta.length);
    for (let k = 0; k < theta.length; k++) {
      const gk = this.weightDecay > 0 ? f(g[k] + f(theta[k] * wd)) : g[k];
      m[k] = f(m[k] * beta1) + f(gk * keep1);
      v[k] = f(v[k] * beta2) + f(f(gk * gk) * keep2);
      const update = f(f(m[k] / c1) / f(f(Math.sqrt(f(v[k] / c2))) + eps));
      next[k] = theta[k] - f(update * lr);
    }
    tf.tidy(() => {
      this.firstMoments[i].assign(tf.tensor(m, variable.shape));
      this.secondMoments[i].assign(tf.tensor(v, variable.shape));
      variable.assign(tf.tensor(next, variable.shape));
    });
  }

  /** The optimiser's state for a checkpoint: step count and both moments of every variable, by position. */
  async getState(): Promise<{ step: number; moments: NamedTensor[] }> {
    const all = [...this.firstMoments, ...this.secondMoments];
    const values = await readValues(all);
    const moments = all.map((t, i) => ({ shape: t.shape.slice(), data: Float32Array.from(values[i]) }));
    return { step: this.step, moments };
  }

  setState(state: { step: number; moments: NamedTensor[] }): void {
    const n = this.variables.length;
    if (state.moments.length !== 2 * n) throw new UserError(`optimizer state has ${state.moments.length} moments, expected ${2 * n}`);
    [...this.firstMoments, ...this.secondMoments].forEach((target, i) => {
      const saved = state.moments[i];
      if (saved.shape.join(',') !== target.shape.join(',')) {
        throw new UserError(`optimizer state: moment ${i} has shape [${saved.shape}], expected [${target.shape}]`);
      }
      tf.tidy(() => target.assign(tf.tensor(saved.data, saved.shape)));
    });
    this.step = state.step;
  }

  dispose(): void {
    for (const t of [...this.firstMoments, ...this.secondMoments]) t.dispose();
  }
}
