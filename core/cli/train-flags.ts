import { findPreset, presetConfig, RUN_PRESETS } from '../../contract/presets';
import type { RunConfigInput } from '../../contract/run-config';
import { defaultCacheDir, findCached } from '../datasets/load';
import { UserError } from '../errors';

/**
 * The flags that describe a run, shared by `train` and `sweep`: one table saying, for each flag,
 * the RunConfig field it sets and how its text is read (node:util parseArgs does the parsing).
 * Ranges are checked afterwards by the config schema, which names the field.
 */

interface RunFlag<Type extends 'string' | 'boolean' = 'string' | 'boolean'> {
  type: Type;
  /** writes the flag's value into the config being built */
  set(config: Record<string, unknown>, value: string | boolean, flag: string): void;
}

/** a text field (enums are checked by the schema) */
const text = (field: string): RunFlag<'string'> => ({ type: 'string', set: (config, value) => (config[field] = value) });
/** a number field */
const number = (field: string): RunFlag<'string'> => ({ type: 'string', set: (config, value, flag) => (config[field] = toNumber(flag, value as string)) });
/** a switch that sets a field to a fixed value */
const toggle = (field: string, to: boolean): RunFlag<'boolean'> => ({ type: 'boolean', set: (config, value) => value && (config[field] = to) });
const kernelOf = (config: Record<string, unknown>) => (config.kernel ??= {}) as Record<string, unknown>;
/** a field of the similarity kernel */
const kernel = (field: string, read: (flag: string, raw: string) => unknown = (_, raw) => raw): RunFlag<'string'> => ({
  type: 'string',
  set: (config, value, flag) => (kernelOf(config)[field] = read(flag, value as string)),
});
/** --tau X sets the fixed τ; --tau auto sets each peer layer's τ from its distances (kernel.tauMode) */
const tau: RunFlag<'string'> = {
  type: 'string',
  set: (config, value, flag) => {
    if (value === 'auto') kernelOf(config).tauMode = 'auto';
    else Object.assign(kernelOf(config), { tau: toNumber(flag, value as string), tauMode: 'fixed' });
  },
};

const RUN_FLAGS = {
  data: text('data'),
  name: text('name'),
  split: { type: 'string', set: (config, value) => (config.split = parseSplit(value as string)) },
  model: text('model'),
  layers: number('layers'),
  hidden: number('hidden'),
  heads: number('heads'),
  dropout: number('dropout'),
  'attention-dropout': number('attentionDropout'),
  'out-heads': number('outHeads'),
  init: text('init'),
  'no-residual': toggle('residual', false),
  aggregator: text('aggregator'),
  strategy: text('strategy'),
  plan: text('plan'),
  students: number('students'),
  epochs: number('epochs'),
  seed: number('seed'),
  lr: number('lr'),
  'weight-decay': number('weightDecay'),
  a: number('a'),
  kernel: kernel('kind'),
  tau,
  'normalise-features': { type: 'boolean', set: (config, value) => value && (kernelOf(config).normaliseFeatures = true) },
  sigma: kernel('sigma', toNumber),
  'dml-weight': number('dmlWeight'),
  'deep-supervision': number('deepSupervision'),
  'feature-transfer': number('featureTransfer'),
  'feature-loss': text('featureLoss'),
  'shared-init': toggle('sharedInit', true),
  'peer-mode': text('peerMode'),
  'eval-every': number('evalEvery'),
  selection: text('selection'),
  'f1-threshold': number('f1Threshold'),
  'heatmap-every': number('heatmapEvery'),
  patience: number('patience'),
  'checkpoint-every': number('checkpointEvery'),
  'batch-graphs': number('batchGraphs'),
  'redraw-batches': toggle('redrawBatches', true),
  backend: text('backend'),
} satisfies Record<string, RunFlag>;

type RunFlagName = keyof typeof RUN_FLAGS;

/** The run flags as parseArgs options, and --preset. */
export const RUN_FLAG_OPTIONS = {
  ...(Object.fromEntries(Object.entries(RUN_FLAGS).map(([name, flag]) => [name, { type: flag.type }])) as {
    [K in RunFlagName]: { type: (typeof RUN_FLAGS)[K]['type'] };
  }),
  preset: { type: 'string' },
} as const;

export const RUN_FLAGS_USAGE = `run options (defaults in brackets):
  --preset ${RUN_PRESETS.map((p) => p.id).join('|')}   start from a published setting (docs/PROTOCOL.md); the other flags change it
  --data PATH|NAME|SPEC        dataset: a .npz/PPI folder/CSV folder, a catalog name, demo, or csbm:N:E:C[:F] [demo]
  --split per-class:T:V|ratio:T:V   per class T train / V val nodes, or fractions [per-class:20:30]
  --model gcn|gat|sage [gcn]   --layers L hidden layers [2]   --hidden H [64]   --heads N (GAT) [3]
  --out-heads N (GAT output heads, averaged) [1]   --init glorot|authors (authors: GAT as DGL's GATConv) [glorot]
  --dropout P [0.5]   --attention-dropout P [0]   --no-residual   --aggregator mean|pool (SAGE) [mean]
  --strategy independent|oc|alignahead|alignbehind|dml|custom [alignahead]   --plan "2<-1,1<-2" (custom)
  --students K [2]   --epochs E [200]   --seed S [0]   --lr X [0.01]   --weight-decay X [5e-4]
  --a X distillation weight [1]   --kernel l1|rbf|linear|cosine|poly [l1]   --sigma X (rbf) [1]
  --tau X|auto (l1; auto: each peer layer's median neighbour distance, refreshed every epoch) [100]
  --normalise-features (unit-L2 rows before the kernel)
  --dml-weight X [0; 1 with strategy dml]   --deep-supervision BETA [0]   --feature-transfer GAMMA [0]
  --feature-loss mse|cosine [mse]   --shared-init   --peer-mode eval|train [eval]
  --eval-every N [1]   --heatmap-every N [10]   --patience N (0 = off) [0]   --checkpoint-every N [10]
  --selection best-val|authors (authors: also refresh the test score when the training loss falls) [best-val]
  --f1-threshold X (multi-label: logit cut-off; 0 ⇔ probability 0.5) [0]
  --batch-graphs N (multi-graph data) [2]   --redraw-batches (regroup the graphs every pass)
  --backend auto|tensorflow-gpu|webgpu|tensorflow|multicore|wasm|cpu [auto]
  --name TEXT`;

function toNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UserError(`--${flag}: '${raw}' is not a number`);
  return value;
}

function parseSplit(raw: string): RunConfigInput['split'] {
  const [kind, a, b] = raw.split(':');
  if (kind === 'per-class' && a !== undefined && b !== undefined) {
    return { kind: 'per-class', trainPerClass: toNumber('split', a), valPerClass: toNumber('split', b) };
  }
  if (kind === 'ratio' && a !== undefined && b !== undefined) {
    return { kind: 'ratio', train: toNumber('split', a), val: toNumber('split', b) };
  }
  throw new UserError(`--split: '${raw}' is not per-class:TRAIN:VAL or ratio:TRAIN:VAL`);
}

/**
 * Builds the (unvalidated) config input from parsed flag values: the preset's config when --preset
 * names one (its real dataset when `available` says it is there, else its stand-in), then every
 * other flag over it; unset fields keep the schema defaults.
 */
export function configFromFlags(
  values: Partial<Record<RunFlagName | 'preset', string | boolean>>,
  options: { available?: (data: string) => boolean } = {},
): RunConfigInput {
  const config: Record<string, unknown> = presetBase(values.preset, options.available ?? (() => false));
  for (const [flag, value] of Object.entries(values)) {
    if (value !== undefined && flag in RUN_FLAGS) RUN_FLAGS[flag as RunFlagName].set(config, value, flag);
  }
  config.data ??= 'demo';
  return config as RunConfigInput;
}

function presetBase(id: string | boolean | undefined, available: (data: string) => boolean): Record<string, unknown> {
  if (id === undefined) return {};
  const preset = findPreset(String(id));
  if (!preset) throw new UserError(`--preset: unknown preset '${String(id)}' (one of ${RUN_PRESETS.map((p) => p.id).join(', ')})`);
  // a copy: flags write into the nested kernel
  return structuredClone(presetConfig(preset, { available })) as Record<string, unknown>;
}

/** Whether a catalog dataset is in the cache (the real data a preset prefers). */
export function cachedIn(cacheDir: string | undefined): (data: string) => boolean {
  return (data) => findCached(cacheDir ?? defaultCacheDir(), data) !== null;
}
