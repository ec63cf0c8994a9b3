import type { RunConfigInput } from '../../contract/run-config';
import { UserError } from '../errors';

/**
 * The flags that describe a run, shared by `train` and `sweep`, and their mapping onto RunConfig
 * fields. Values are parsed here (numbers, booleans, the split); ranges are checked by the config
 * schema, which names the field.
 */
export const RUN_FLAG_OPTIONS = {
  data: { type: 'string' },
  name: { type: 'string' },
  split: { type: 'string' },
  model: { type: 'string' },
  layers: { type: 'string' },
  hidden: { type: 'string' },
  heads: { type: 'string' },
  dropout: { type: 'string' },
  'attention-dropout': { type: 'string' },
  'no-residual': { type: 'boolean' },
  aggregator: { type: 'string' },
  strategy: { type: 'string' },
  plan: { type: 'string' },
  students: { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  lr: { type: 'string' },
  'weight-decay': { type: 'string' },
  a: { type: 'string' },
  kernel: { type: 'string' },
  tau: { type: 'string' },
  sigma: { type: 'string' },
  'dml-weight': { type: 'string' },
  'deep-supervision': { type: 'string' },
  'feature-transfer': { type: 'string' },
  'feature-loss': { type: 'string' },
  'shared-init': { type: 'boolean' },
  'peer-mode': { type: 'string' },
  'eval-every': { type: 'string' },
  'heatmap-every': { type: 'string' },
  patience: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'batch-graphs': { type: 'string' },
  backend: { type: 'string' },
} as const;

export const RUN_FLAGS_USAGE = `run options (defaults in brackets):
  --data PATH|NAME|SPEC        dataset: a .npz/PPI folder/CSV folder, a catalog name, demo, or csbm:N:E:C[:F] [demo]
  --split per-class:T:V|ratio:T:V   per class T train / V val nodes, or fractions [per-class:20:30]
  --model gcn|gat|sage [gcn]   --layers L hidden layers [2]   --hidden H [64]   --heads N (GAT) [3]
  --dropout P [0.5]   --attention-dropout P [0]   --no-residual   --aggregator mean|pool (SAGE) [mean]
  --strategy independent|oc|alignahead|alignbehind|dml|custom [alignahead]   --plan "2<-1,1<-2" (custom)
  --students K [2]   --epochs E [200]   --seed S [0]   --lr X [0.01]   --weight-decay X [5e-4]
  --a X distillation weight [1]   --kernel l1|rbf|linear|cosine|poly [l1]   --tau X (l1) [100]   --sigma X (rbf) [1]
  --dml-weight X [0; 1 with strategy dml]   --deep-supervision BETA [0]   --feature-transfer GAMMA [0]
  --feature-loss mse|cosine [mse]   --shared-init   --peer-mode eval|train [eval]
  --eval-every N [1]   --heatmap-every N [10]   --patience N (0 = off) [0]   --checkpoint-every N [10]
  --batch-graphs N (multi-graph data) [2]   --backend auto|tensorflow-gpu|tensorflow|multicore|wasm|cpu [auto]
  --name TEXT`;

type FlagValues = Partial<Record<keyof typeof RUN_FLAG_OPTIONS, string | boolean>>;

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

/** Builds the (unvalidated) config input from parsed flag values; unset flags keep the schema defaults. */
export function configFromFlags(values: FlagValues): RunConfigInput {
  const config: Record<string, unknown> = {};
  const str = (flag: keyof FlagValues) => values[flag] as string | undefined;
  const num = (flag: keyof FlagValues, field: string) => {
    const raw = str(flag);
    if (raw !== undefined) config[field] = toNumber(flag, raw);
  };
  const text = (flag: keyof FlagValues, field: string) => {
    const raw = str(flag);
    if (raw !== undefined) config[field] = raw;
  };
  text('data', 'data');
  text('name', 'name');
  text('model', 'model');
  text('aggregator', 'aggregator');
  text('strategy', 'strategy');
  text('plan', 'plan');
  text('feature-loss', 'featureLoss');
  text('peer-mode', 'peerMode');
  text('backend', 'backend');
  num('layers', 'layers');
  num('hidden', 'hidden');
  num('heads', 'heads');
  num('dropout', 'dropout');
  num('attention-dropout', 'attentionDropout');
  num('students', 'students');
  num('epochs', 'epochs');
  num('seed', 'seed');
  num('lr', 'lr');
  num('weight-decay', 'weightDecay');
  num('a', 'a');
  num('dml-weight', 'dmlWeight');
  num('deep-supervision', 'deepSupervision');
  num('feature-transfer', 'featureTransfer');
  num('eval-every', 'evalEvery');
  num('heatmap-every', 'heatmapEvery');
  num('patience', 'patience');
  num('checkpoint-every', 'checkpointEvery');
  num('batch-graphs', 'batchGraphs');
  if (values['no-residual']) config.residual = false;
  if (values['shared-init']) config.sharedInit = true;
  if (str('split') !== undefined) config.split = parseSplit(str('split')!);
  const kernel: Record<string, unknown> = {};
  if (str('kernel') !== undefined) kernel.kind = str('kernel');
  if (str('tau') !== undefined) kernel.tau = toNumber('tau', str('tau')!);
  if (str('sigma') !== undefined) kernel.sigma = toNumber('sigma', str('sigma')!);
  if (Object.keys(kernel).length > 0) config.kernel = kernel;
  if (config.data === undefined) config.data = 'demo';
  return config as RunConfigInput;
}
