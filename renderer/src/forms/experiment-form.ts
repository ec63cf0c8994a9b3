import { BACKENDS, describeConfigIssues, INITS, KERNELS, MODELS, SELECTION_RULES, TAU_MODES, runConfigSchema, splitSchema, STRATEGIES, type RunConfig, type RunConfigInput, type Strategy } from '../../../contract/run-config';

/**
 * The "new experiment" form without the DOM. Its state is flat, one value per input, and one table
 * (FORM_FIELDS) says which config field each input edits. Defaults, config → form ("edit & run")
 * and form → config all follow that table, so no config field can be dropped on the way; the config
 * is validated by the contract's own schema, so the form never accepts what runs.create rejects.
 */

type Split = RunConfig['split'];
type Kernel = RunConfig['kernel'];
type KeysOfUnion<T> = T extends unknown ? keyof T & string : never;
/** Every field of a RunConfig, the nested kernel.* and split.* ones included. */
type ConfigPath = Exclude<keyof RunConfig, 'split' | 'kernel'> | `kernel.${keyof Kernel & string}` | `split.${KeysOfUnion<Split>}`;

/** The one table: form field → the config field it edits. split.* fields belong to one kind of split. */
const FORM_FIELDS = {
  name: 'name',
  data: 'data',
  splitKind: 'split.kind',
  trainPerClass: 'split.trainPerClass',
  valPerClass: 'split.valPerClass',
  trainRatio: 'split.train',
  valRatio: 'split.val',
  batchGraphs: 'batchGraphs',
  model: 'model',
  layers: 'layers',
  hidden: 'hidden',
  heads: 'heads',
  outHeads: 'outHeads',
  init: 'init',
  dropout: 'dropout',
  attentionDropout: 'attentionDropout',
  aggregator: 'aggregator',
  residual: 'residual',
  strategy: 'strategy',
  plan: 'plan',
  students: 'students',
  a: 'a',
  kernelKind: 'kernel.kind',
  tau: 'kernel.tau',
  tauMode: 'kernel.tauMode',
  normaliseFeatures: 'kernel.normaliseFeatures',
  sigma: 'kernel.sigma',
  polyC: 'kernel.c',
  polyDegree: 'kernel.degree',
  dmlWeight: 'dmlWeight',
  deepSupervision: 'deepSupervision',
  featureTransfer: 'featureTransfer',
  featureLoss: 'featureLoss',
  peerMode: 'peerMode',
  sharedInit: 'sharedInit',
  epochs: 'epochs',
  lr: 'lr',
  weightDecay: 'weightDecay',
  seed: 'seed',
  evalEvery: 'evalEvery',
  selection: 'selection',
  f1Threshold: 'f1Threshold',
  redrawBatches: 'redrawBatches',
  heatmapEvery: 'heatmapEvery',
  patience: 'patience',
  checkpointEvery: 'checkpointEvery',
  backend: 'backend',
} as const satisfies Record<string, ConfigPath>;

type FormField = keyof typeof FORM_FIELDS;
type ValueAt<P> = P extends `kernel.${infer K extends keyof Kernel}`
  ? Kernel[K]
  : P extends `split.${infer K}`
    ? Split extends infer S
      ? S extends Record<K, infer V>
        ? V
        : never
      : never
    : P extends keyof RunConfig
      ? RunConfig[P]
      : never;

export type ExperimentForm = { -readonly [F in FormField]: ValueAt<(typeof FORM_FIELDS)[F]> };
export type FieldErrors = Partial<Record<FormField | 'sweep', string>>;

// A config field that no form field edits fails the typecheck here, with its name in the message.
type AllMapped<Unmapped extends never> = Unmapped;
type _EveryConfigFieldHasAFormField = AllMapped<Exclude<ConfigPath, (typeof FORM_FIELDS)[FormField]>>;

const shape = runConfigSchema.shape;
/** The choices of each select, as the schema lists them. */
export const FIELD_CHOICES = {
  splitKind: splitSchema.options.map((o) => o.shape.kind.value),
  model: MODELS,
  aggregator: shape.aggregator.unwrap().options,
  strategy: STRATEGIES,
  kernelKind: KERNELS,
  featureLoss: shape.featureLoss.unwrap().options,
  peerMode: shape.peerMode.unwrap().options,
  init: INITS,
  selection: SELECTION_RULES,
  tauMode: TAU_MODES,
  backend: BACKENDS,
} satisfies Partial<Record<FormField, readonly string[]>>;

/** What each strategy does, for the strategy choices' help. */
export const STRATEGY_HELP: Record<Strategy, string> = {
  independent: 'no distillation: K students trained side by side (baseline)',
  oc: 'one-to-one: student layer l learns from peer layer l',
  alignahead: 'align-ahead: student layer l+1 learns from peer layer l, last from first (the paper)',
  alignbehind: 'align-behind: student layer l learns from peer layer l+1',
  dml: 'deep mutual learning on the logits only',
  custom: 'your own layer pairs, e.g. 2<-1,1<-2',
};

export const INIT_HELP: Record<(typeof INITS)[number], string> = {
  glorot: 'Glorot-uniform, zero biases (GAT and PyG)',
  authors: "the authors' GAT (DGL's GATConv): Xavier-normal with gain √2, no bias",
};

export const SELECTION_HELP: Record<(typeof SELECTION_RULES)[number], string> = {
  'best-val': 'report the test score at the best validation score',
  authors: "the authors' rule: also refresh the test score when the training loss falls",
};

export const TAU_MODE_HELP: Record<(typeof TAU_MODES)[number], string> = {
  fixed: 'exp(−d/τ) with the τ below (the authors use 100)',
  auto: "our extension: each peer layer's median neighbour distance, refreshed every epoch",
};

/** The keys of each kind of split (per-class: trainPerClass, valPerClass; ratio: train, val). */
const SPLIT_KEYS = new Map(splitSchema.options.map((o) => [o.shape.kind.value as string, Object.keys(o.shape)]));

const FIELDS = Object.entries(FORM_FIELDS) as [FormField, ConfigPath][];
const FIELD_OF_PATH = new Map(FIELDS.map(([field, path]) => [path as string, field]));

function splitPath(path: ConfigPath): [head: string, key: string | undefined] {
  const [head, key] = path.split('.');
  return [head, key];
}

/** The form values a config holds; split fields of the other kind are absent. */
function valuesOf(config: RunConfig): Partial<ExperimentForm> {
  const values: Record<string, unknown> = {};
  for (const [field, path] of FIELDS) {
    const [head, key] = splitPath(path);
    const value = (config as Record<string, unknown>)[head];
    const leaf = key === undefined ? value : (value as Record<string, unknown>)[key];
    if (leaf !== undefined) values[field] = leaf;
  }
  return values as Partial<ExperimentForm>;
}

/** Whether the form sends this config field: split fields only for the split kind chosen. */
function sends(form: ExperimentForm, path: ConfigPath): boolean {
  const [head, key] = splitPath(path);
  return head !== 'split' || (SPLIT_KEYS.get(form.splitKind)?.includes(key!) ?? false);
}

/** The schema's defaults; the dataset, which has none there, starts as the embedded demo graph. */
const SCHEMA_DEFAULTS = runConfigSchema.parse({ data: 'demo' });
/** The ratio split has no defaults in the schema; the form offers these until ratio is picked. */
const RATIO_DEFAULTS = { trainRatio: 0.6, valRatio: 0.2 };

export const DEFAULT_FORM: ExperimentForm = (() => {
  const form = { ...RATIO_DEFAULTS, ...valuesOf(SCHEMA_DEFAULTS) };
  const missing = FIELDS.map(([field]) => field).filter((field) => !(field in form));
  if (missing.length) throw new Error(`experiment form: no default for ${missing.join(', ')}`);
  return form as ExperimentForm;
})();

/** The config the form describes, before validation. */
function formToConfigInput(form: ExperimentForm): RunConfigInput {
  const config: Record<string, unknown> = { split: {}, kernel: {} };
  for (const [field, path] of FIELDS) {
    if (!sends(form, path)) continue;
    const [head, key] = splitPath(path);
    if (key === undefined) config[head] = form[field];
    else (config[head] as Record<string, unknown>)[key] = form[field];
  }
  // text is sent trimmed, and a plan only with the custom strategy
  config.name = form.name.trim();
  config.data = form.data.trim();
  config.plan = form.strategy === 'custom' ? form.plan.trim() : '';
  return config as RunConfigInput;
}

/**
 * A form filled from a stored run's config ("edit & run"). A config the schema no longer accepts is
 * an error naming the problem, never a form silently reset to the defaults.
 */
export function formFromConfig(config: Record<string, unknown>): ExperimentForm {
  const parsed = runConfigSchema.safeParse(config);
  if (!parsed.success) throw new Error(`the run's config does not fit this version's form: ${describeConfigIssues(parsed.error)}`);
  return { ...DEFAULT_FORM, ...valuesOf(parsed.data) };
}

/**
 * The form field that shows a schema issue. A check on a whole part of the config (the ratio
 * split's train + val < 1) shows at the first value field the form sends for that part; an issue
 * about the config as a whole, at the dataset (the form's first field).
 */
function fieldOf(path: readonly PropertyKey[], form: ExperimentForm): FormField {
  const text = path.map(String).join('.');
  const exact = FIELD_OF_PATH.get(text);
  if (exact) return exact;
  const inside = FIELDS.find(([, p]) => p.startsWith(`${text}.`) && !p.endsWith('.kind') && sends(form, p));
  return inside?.[0] ?? 'data';
}

function readableIssue(message: string, input: unknown): string {
  if (typeof input === 'number' && Number.isNaN(input)) return 'a number is required';
  return message.replace(/^Invalid input: /, '').replace(/^Too (small|big): expected number to be /, 'must be ');
}

export type FormResult = { ok: true; config: RunConfig; errors: FieldErrors } | { ok: false; errors: FieldErrors };

/** Validates the form against the contract's schema plus the checks the schema cannot express. */
export function validateForm(form: ExperimentForm): FormResult {
  const errors: FieldErrors = {};
  const parsed = runConfigSchema.safeParse(formToConfigInput(form));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path, form);
      errors[field] ??= readableIssue(issue.message, form[field]);
    }
  }
  if (!form.data.trim()) errors.data = 'choose a dataset, a file path or a generator spec';
  if (form.strategy === 'custom' && !/^\s*\d+\s*<-\s*\d+\s*(,\s*\d+\s*<-\s*\d+\s*)*$/.test(form.plan)) {
    errors.plan = 'a custom plan lists 1-based layer pairs "student<-peer", e.g. 2<-1,1<-2';
  }
  if (form.strategy !== 'independent' && form.students < 2 && !errors.students) {
    errors.students = 'distillation needs at least 2 students (or choose strategy "independent")';
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, config: parsed.data, errors };
}
