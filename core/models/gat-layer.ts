import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../graph/csr';
import type { Rng } from '../random';
import { edgeAttention, type GraphOps } from '../tensor/graph-ops';
import { matMul } from '../tensor/matmul';
import { project, type LayerInput } from '../tensor/sparse-rows';
import { dropout } from './dropout';
import { glorotMatrix, glorotUniform, xavierNormal, zerosVariable } from './init';
import type { GraphLayer, LayerContext } from './layer';

export interface GatLayerShape {
  inWidth: number;
  heads: number;
  /** width of one head */
  headWidth: number;
  /** hidden layers concatenate their heads, the output layer averages them */
  mergeHeads: 'concat' | 'mean';
  /** add a linear projection of the input (X W_res), as the PyTorch peer does */
  residual: boolean;
  attentionDropout: number;
  /**
   * glorot (default): Glorot-uniform, gain 1, zero bias. authors: DGL's GATConv as the authors ran
   * it: Xavier-normal with gain √2 on every weight and no bias parameter at all.
   */
  init?: 'glorot' | 'authors';
}

const RELU_GAIN = Math.SQRT2;

/**
 * Graph attention (Veličković et al.), per head h:
 *   z = X W,  e_uv = LeakyReLU_0.2(a_lᵀ z_u + a_rᵀ z_v),  α_uv = softmax over the edges entering v,
 *   out_v = Σ_{u→v} α_uv z_u  (+ X W_res)  (+ b),
 * heads concatenated or averaged. The residual is always a projection, also when widths agree,
 * like the peer's, so both have the same parameters. The bias (absent under the authors' init) is
 * added after merging the heads.
 *
 * All heads' a_lᵀ z_u and a_rᵀ z_u come from one product z · A, A [H·D, 2H] block-diagonal with
 * a_l's heads in its first H columns and a_r's in the last H: one dense kernel instead of a
 * broadcast multiply and a sum over [N, H, D] (and their gradients) per side.
 */
export class GatLayer implements GraphLayer {
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  private readonly weight: tf.Variable;
  private readonly attentionSource: tf.Variable;
  private readonly attentionTarget: tf.Variable;
  private readonly residualWeight?: tf.Variable;
  private readonly bias?: tf.Variable;

  constructor(
    private readonly ops: GraphOps,
    private readonly shape: GatLayerShape,
    rng: Rng,
  ) {
    const { inWidth, heads, headWidth } = shape;
    const authors = shape.init === 'authors';
    // authors: the attention vectors' fans are those torch computes for a (1, H, D) tensor
    const width = heads * headWidth;
    const matrix = () => (authors ? xavierNormal(rng, [inWidth, width], inWidth, width, RELU_GAIN) : glorotMatrix(rng, inWidth, width));
    const attention = () =>
      authors ? xavierNormal(rng, [heads, headWidth], width, headWidth, RELU_GAIN) : glorotUniform(rng, [heads, headWidth], headWidth, 1);
    this.weight = matrix();
    this.attentionSource = attention();
    this.attentionTarget = attention();
    const parameters: [string, tf.Variable][] = [
      ['weight', this.weight],
      ['attentionSource', this.attentionSource],
      ['attentionTarget', this.attentionTarget],
    ];
    if (shape.residual) {
      this.residualWeight = matrix();
      parameters.push(['residual', this.residualWeight]);
    }
    if (!authors) {
      this.bias = zerosVariable([shape.mergeHeads === 'concat' ? heads * headWidth : headWidth]);
      parameters.push(['bias', this.bias]);
    }
    this.parameters = new Map(parameters);
  }

  forward(graph: CsrGraph, x: LayerInput, context: LayerContext): tf.Tensor2D {
    const { heads, headWidth } = this.shape;
    const z = project(x, this.weight as tf.Tensor2D); // [N, H·D]
    const n = z.shape[0];
    const scores = matMul(z, this.attentionMatrix()); // [N, 2H]: a_lᵀ z_u, then a_rᵀ z_v
    const [scoreSource, scoreTarget] = tf.split(scores, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    let attention = edgeAttention(this.ops, graph, scoreSource, scoreTarget, 0.2); // [E, H]
    if (context.training) attention = dropout(attention, this.shape.attentionDropout, context.rng);
    let out = this.ops.spmm(graph, z, attention);
    if (this.residualWeight) out = tf.add(out, project(x, this.residualWeight as tf.Tensor2D));
    if (this.shape.mergeHeads === 'mean') out = tf.mean(tf.reshape(out, [n, heads, headWidth]), 1) as tf.Tensor2D;
    return this.bias ? tf.add(out, this.bias) : out;
  }

  /** [H·D, 2H]: column h holds a_l's head h in rows h·D .. (h+1)·D, column H + h likewise a_r's; zeros elsewhere. */
  private attentionMatrix(): tf.Tensor2D {
    const { heads, headWidth } = this.shape;
    const mask = tf.tensor2d(blockDiagonalMask(heads, headWidth), [heads * headWidth, heads]);
    const block = (a: tf.Variable) => tf.mul(tf.reshape(a, [heads * headWidth, 1]), mask);
    return tf.concat([block(this.attentionSource), block(this.attentionTarget)], 1) as tf.Tensor2D;
  }
}

/** [H·D, H] with 1 where row r belongs to head column ⌊r / D⌋. */
function blockDiagonalMask(heads: number, headWidth: number): Float32Array {
  const mask = new Float32Array(heads * headWidth * heads);
  for (let r = 0; r < heads * headWidth; r++) mask[r * heads + Math.floor(r / headWidth)] = 1;
  return mask;
}
