import { z } from 'zod';

/**
 * The complete description of one training run: what the CLI's `train` flags, the UI's "new
 * experiment" form and the API's `runs.create` all produce. Stored as the run's config JSON, so a
 * run can be re-run exactly. Unknown fields are rejected, every number is range-checked.
 */

export const MODELS = ['gcn', 'gat', 'sage'] as const;
export const STRATEGIES = ['independent', 'oc', 'alignahead', 'alignbehind', 'dml', 'custom'] as const;
export const KERNELS = ['l1', 'rbf', 'linear', 'cosine', 'poly'] as const;
export const BACKENDS = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'multicore', 'wasm', 'cpu'] as const;
/** parameter initialisation: ours (Glorot-uniform, zero biases) or the authors' GAT (DGL GATConv) */
export const INITS = ['glorot', 'authors'] as const;
/** which evaluation's test score a student reports (see core/train/selection.ts) */
export const SELECTION_RULES = ['best-val', 'authors'] as const;
/** the L1 kernel's τ: the fixed `tau`, or set per peer layer from its median neighbour distance */
export const TAU_MODES = ['fixed', 'auto'] as const;

const positiveInt = (max: number) => z.number().int().min(1).max(max);
const probability = z.number().min(0).lt(1);
const nonNegative = z.number().min(0).max(1e6);

export const splitSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('per-class'),
      trainPerClass: positiveInt(100_000).default(20),
      valPerClass: z.number().int().min(0).max(100_000).default(30),
    })
    .strict(),
  z
    .object({
      kind: z.literal('ratio'),
      train: z.number().gt(0).lt(1),
      val: z.number().min(0).lt(1),
    })
    .strict()
    .refine((s) => s.train + s.val < 1, { message: 'train + val must leave some nodes for test' }),
]);

export const kernelSchema = z
  .object({
    kind: z.enum(KERNELS).default('l1'),
    /** L1 kernel temperature, exp(-‖a−b‖₁/τ); the authors use 100 */
    tau: z.number().gt(0).max(1e9).default(100),
    /**
     * Our extension, off by default. fixed: τ = tau. auto: each peer layer's τ is its median
     * neighbour L1 distance, measured once before the first step and recorded in the run; `tau`
     * remains the fallback for a layer whose distances are all 0.
     */
    tauMode: z.enum(TAU_MODES).default('fixed'),
    /** Our extension, off by default: scale hidden rows to unit L2 norm before the kernel. */
    normaliseFeatures: z.boolean().default(false),
    /** RBF width */
    sigma: z.number().gt(0).max(1e9).default(1),
    /** polynomial (aᵀb + c)^degree */
    c: z.number().min(-1e6).max(1e6).default(1),
    degree: z.number().int().min(1).max(8).default(2),
  })
  .strict()
  .refine((k) => k.tauMode === 'fixed' || k.kind === 'l1', { message: 'tauMode auto sets the l1 kernel\'s τ; pick kind l1', path: ['tauMode'] });

export const runConfigSchema = z
  .object({
    name: z.string().max(200).default(''),
    /** a dataset path, catalog name, `demo`, or generator spec such as csbm:2000:20000:5 */
    data: z.string().min(1).max(4096),
    split: splitSchema.default({ kind: 'per-class', trainPerClass: 20, valPerClass: 30 }),
    model: z.enum(MODELS).default('gcn'),
    /** hidden layers L; the output layer comes on top */
    layers: positiveInt(32).default(2),
    hidden: positiveInt(4096).default(64),
    heads: positiveInt(64).default(3),
    /** GAT output-layer heads, averaged (the authors use 3) */
    outHeads: positiveInt(64).default(1),
    /** parameter initialisation; 'authors' applies to GAT (GCN's is the same either way) */
    init: z.enum(INITS).default('glorot'),
    dropout: probability.default(0.5),
    attentionDropout: probability.default(0),
    residual: z.boolean().default(true),
    aggregator: z.enum(['mean', 'pool']).default('mean'),
    strategy: z.enum(STRATEGIES).default('alignahead'),
    /** user-defined plan for strategy "custom": 1-based "student<-peer" pairs, e.g. "1<-3,2<-1" */
    plan: z.string().max(1000).default(''),
    students: positiveInt(16).default(2),
    epochs: positiveInt(100_000).default(200),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    lr: z.number().gt(0).max(10).default(0.01),
    weightDecay: nonNegative.default(5e-4),
    /** weight a of the local-structure distillation term */
    a: nonNegative.default(1),
    kernel: kernelSchema.default({ kind: 'l1', tau: 100, tauMode: 'fixed', normaliseFeatures: false, sigma: 1, c: 1, degree: 2 }),
    /** weight of deep mutual learning on logits (strategy dml sets 1 when left at 0) */
    dmlWeight: nonNegative.default(0),
    /** deep supervision: weight β of the auxiliary classifiers on the hidden layers (0 = off) */
    deepSupervision: nonNegative.default(0),
    /** feature-level transfer between planned layer pairs: weight γ (0 = off) and its distance */
    featureTransfer: nonNegative.default(0),
    featureLoss: z.enum(['mse', 'cosine']).default('mse'),
    /** the authors copy one initialisation into every student; the default is independent draws */
    sharedInit: z.boolean().default(false),
    /** peers provide targets in eval mode (default) or train mode (dropout on) */
    peerMode: z.enum(['eval', 'train']).default('eval'),
    evalEvery: positiveInt(100_000).default(1),
    /** best-val: the test score at the best validation metric; authors: refreshed whenever validation improves or the training loss falls */
    selection: z.enum(SELECTION_RULES).default('best-val'),
    /** multi-label micro-F1 counts a label as predicted when its logit is above this (0 ⇔ probability 0.5) */
    f1Threshold: z.number().min(-1e6).max(1e6).default(0),
    heatmapEvery: z.number().int().min(0).max(100_000).default(10),
    /** stop when no student's validation metric improved for this many evaluations (0 = never) */
    patience: z.number().int().min(0).max(100_000).default(0),
    checkpointEvery: z.number().int().min(0).max(100_000).default(10),
    /** multi-graph data: graphs per batch */
    batchGraphs: positiveInt(1000).default(2),
    /** multi-graph data: regroup the training graphs into new batches on every pass (the authors' shuffled loader) instead of fixed batches */
    redrawBatches: z.boolean().default(false),
    backend: z.enum(BACKENDS).default('auto'),
  })
  .strict();

export type RunConfig = z.infer<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;
export type Strategy = (typeof STRATEGIES)[number];

/** Human-readable validation messages, one per problem: "epochs: Too small: expected number to be >=1". */
export function describeConfigIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ');
}
