import { BACKENDS, KERNELS, MODELS, STRATEGIES, runConfigSchema, type RunConfig, type RunConfigInput, type Strategy } from '../../../contract/run-config';

/**
 * The "new experiment" form without the DOM: its flat state, presets, conversion to a RunConfig
 * (validated by the contract's own schema, so the form can never accept what runs.create rejects)
 * and the sweep launcher that expands strategies × students × seeds into one config per run.
 */

export interface ExperimentForm {
  name: string;
  data: string;
  splitKind: 'per-class' | 'ratio';
  trainPerClass: number;
  valPerClass: number;
  trainRatio: number;
  valRatio: number;
  model: (typeof MODELS)[number];
  layers: number;
  hidden: number;
  heads: number;
  dropout: number;
  attentionDropout: number;
  residual: boolean;
  aggregator: 'mean' | 'pool';
  strategy: Strategy;
  plan: string;
  students: number;
  epochs: number;
  seed: number;
  lr: number;
  weightDecay: number;
  a: number;
  kernelKind: (typeof KERNELS)[number];
  tau: number;
  sigma: number;
  dmlWeight: number;
  deepSupervision: number;
  featureTransfer: number;
  sharedInit: boolean;
  peerMode: 'eval' | 'train';
  evalEvery: number;
  heatmapEvery: number;
  patience: number;
  checkpointEvery: number;
  batchGraphs: number;
  backend: (typeof BACKENDS)[number];
}

export interface SweepForm {
  enabled: boolean;
  strategies: Strategy[];
  /** comma list, e.g. "2,3,4" */
  students: string;
  /** comma list and ranges, e.g. "0-4" or "0,7,42" */
  seeds: string;
  group: string;
}

export type FieldErrors = Partial<Record<keyof ExperimentForm | 'sweep', string>>;

export const DEFAULT_FORM: ExperimentForm = {
  name: '',
  data: 'demo',
  splitKind: 'per-class',
  trainPerClass: 20,
  valPerClass: 30,
  trainRatio: 0.6,
  valRatio: 0.2,
  model: 'gcn',
  layers: 2,
  hidden: 64,
  heads: 3,
  dropout: 0.5,
  attentionDropout: 0,
  residual: true,
  aggregator: 'mean',
  strategy: 'alignahead',
  plan: '',
  students: 2,
  epochs: 200,
  seed: 0,
  lr: 0.01,
  weightDecay: 5e-4,
  a: 1,
  kernelKind: 'l1',
  tau: 100,
  sigma: 1,
  dmlWeight: 0,
  deepSupervision: 0,
  featureTransfer: 0,
  sharedInit: false,
  peerMode: 'eval',
  evalEvery: 1,
  heatmapEvery: 10,
  patience: 0,
  checkpointEvery: 10,
  batchGraphs: 2,
  backend: 'auto',
};

export const DEFAULT_SWEEP: SweepForm = { enabled: false, strategies: ['oc', 'alignahead'], students: '2', seeds: '0-2', group: '' };

export interface Preset {
  id: string;
  label: string;
  description: string;
  /** fields the preset sets; the rest keep the defaults */
  apply: (options: { ppiAvailable: boolean }) => Partial<ExperimentForm>;
}

export const PRESETS: Preset[] = [
  {
    id: 'ppi',
    label: 'PPI · GAT (paper)',
    description: 'GAT, 4 layers, 3 heads × 64 units, lr 0.005, no dropout, 2 graphs per batch (ppi-like data when PPI is not downloaded)',
    apply: ({ ppiAvailable }) => ({
      data: ppiAvailable ? 'ppi' : 'ppi-like',
      model: 'gat',
      layers: 4,
      heads: 3,
      hidden: 64,
      lr: 0.005,
      dropout: 0,
      attentionDropout: 0,
      weightDecay: 0,
      batchGraphs: 2,
      residual: true,
    }),
  },
  {
    id: 'cora',
    label: 'Cora · GCN',
    description: 'GCN, 2 layers × 64, dropout 0.5, lr 0.01, weight decay 5e-4, 200 epochs, 20 train / 30 val per class',
    apply: () => ({ data: 'cora', model: 'gcn', layers: 2, hidden: 64, dropout: 0.5, lr: 0.01, weightDecay: 5e-4, epochs: 200, splitKind: 'per-class', trainPerClass: 20, valPerClass: 30 }),
  },
  {
    id: 'citeseer',
    label: 'CiteSeer · GCN',
    description: 'As Cora: GCN, 2 layers × 64, dropout 0.5, lr 0.01, weight decay 5e-4, 200 epochs',
    apply: () => ({ data: 'citeseer', model: 'gcn', layers: 2, hidden: 64, dropout: 0.5, lr: 0.01, weightDecay: 5e-4, epochs: 200, splitKind: 'per-class', trainPerClass: 20, valPerClass: 30 }),
  },
  {
    id: 'demo',
    label: 'Synthetic demo',
    description: 'The embedded synthetic graph: no download, a run finishes in seconds',
    apply: () => ({ data: 'demo', model: 'gcn', layers: 2, hidden: 32, epochs: 60, heatmapEvery: 5 }),
  },
];

export function applyPreset(form: ExperimentForm, preset: Preset, options: { ppiAvailable: boolean }): ExperimentForm {
  return { ...DEFAULT_FORM, name: form.name, seed: form.seed, backend: form.backend, ...preset.apply(options) };
}

/** The config the form describes, before validation. */
export function formToConfigInput(form: ExperimentForm): RunConfigInput {
  return {
    name: form.name.trim(),
    data: form.data.trim(),
    split:
      form.splitKind === 'per-class'
        ? { kind: 'per-class', trainPerClass: form.trainPerClass, valPerClass: form.valPerClass }
        : { kind: 'ratio', train: form.trainRatio, val: form.valRatio },
    model: form.model,
    layers: form.layers,
    hidden: form.hidden,
    heads: form.heads,
    dropout: form.dropout,
    attentionDropout: form.attentionDropout,
    residual: form.residual,
    aggregator: form.aggregator,
    strategy: form.strategy,
    plan: form.strategy === 'custom' ? form.plan.trim() : '',
    students: form.students,
    epochs: form.epochs,
    seed: form.seed,
    lr: form.lr,
    weightDecay: form.weightDecay,
    a: form.a,
    kernel: { kind: form.kernelKind, tau: form.tau, sigma: form.sigma, c: 1, degree: 2 },
    dmlWeight: form.dmlWeight,
    deepSupervision: form.deepSupervision,
    featureTransfer: form.featureTransfer,
    featureLoss: 'mse',
    sharedInit: form.sharedInit,
    peerMode: form.peerMode,
    evalEvery: form.evalEvery,
    heatmapEvery: form.heatmapEvery,
    patience: form.patience,
    checkpointEvery: form.checkpointEvery,
    batchGraphs: form.batchGraphs,
    backend: form.backend,
  };
}

/** Maps a schema issue path to the form field that shows it. */
function fieldOf(path: readonly PropertyKey[]): keyof ExperimentForm {
  const [head, sub] = path.map(String);
  if (head === 'split') {
    if (sub === 'trainPerClass' || sub === 'valPerClass') return sub;
    if (sub === 'val') return 'valRatio';
    return 'trainRatio';
  }
  if (head === 'kernel') return sub === 'sigma' ? 'sigma' : sub === 'kind' ? 'kernelKind' : 'tau';
  return head as keyof ExperimentForm;
}

function readableIssue(message: string, input: unknown): string {
  if (typeof input === 'number' && Number.isNaN(input)) return 'a number is required';
  return message.replace(/^Invalid input: /, '').replace(/^Too (small|big): expected number to be /, 'must be ');
}

export type FormResult = { ok: true; config: RunConfig; errors: FieldErrors } | { ok: false; errors: FieldErrors };

/** Validates the form against the contract's schema plus the checks the schema cannot express. */
export function validateForm(form: ExperimentForm): FormResult {
  const input = formToConfigInput(form);
  const errors: FieldErrors = {};
  const parsed = runConfigSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      const value = (form as unknown as Record<string, unknown>)[field];
      errors[field] ??= readableIssue(issue.message, value);
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

/** "0-2,7" → [0, 1, 2, 7]; a message naming the bad part otherwise. */
export function parseIntegerList(text: string, what: string, min: number, max: number): number[] | string {
  const values: number[] = [];
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return `${what}: give at least one value`;
  for (const part of parts) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from) return `${what}: range "${part}" runs backwards`;
      if (to - from > 500) return `${what}: range "${part}" is too long`;
      for (let v = from; v <= to; v++) values.push(v);
    } else if (/^\d+$/.test(part)) {
      values.push(Number(part));
    } else {
      return `${what}: "${part}" is not a whole number or a range like 0-4`;
    }
  }
  const bad = values.find((v) => v < min || v > max);
  if (bad !== undefined) return `${what}: ${bad} is outside ${min}..${max}`;
  return [...new Set(values)];
}

export const MAX_SWEEP_RUNS = 500;

export type SweepResult = { ok: true; configs: RunConfig[]; group: string | undefined } | { ok: false; errors: FieldErrors };

/**
 * One config per (strategy, students, seed), each validated like a single run. The group names the
 * sweep so the compare view can pick it up as a whole.
 */
export function expandSweep(form: ExperimentForm, sweep: SweepForm): SweepResult {
  const studentCounts = parseIntegerList(sweep.students, 'students', 1, 16);
  const seeds = parseIntegerList(sweep.seeds, 'seeds', 0, 2 ** 31 - 1);
  if (typeof studentCounts === 'string') return { ok: false, errors: { sweep: studentCounts } };
  if (typeof seeds === 'string') return { ok: false, errors: { sweep: seeds } };
  if (sweep.strategies.length === 0) return { ok: false, errors: { sweep: 'strategies: pick at least one' } };
  const total = sweep.strategies.length * studentCounts.length * seeds.length;
  if (total > MAX_SWEEP_RUNS) return { ok: false, errors: { sweep: `${total} runs is more than the ${MAX_SWEEP_RUNS} one sweep may queue` } };
  const base = form.name.trim() || form.data.trim();
  const configs: RunConfig[] = [];
  for (const strategy of sweep.strategies) {
    for (const students of studentCounts) {
      for (const seed of seeds) {
        const result = validateForm({ ...form, strategy, students, seed, name: `${base} ${strategy} ×${students} seed ${seed}` });
        if (!result.ok) {
          const [field, message] = Object.entries(result.errors)[0];
          return { ok: false, errors: { ...result.errors, sweep: `${strategy} ×${students} seed ${seed}: ${field}: ${message}` } };
        }
        configs.push(result.config);
      }
    }
  }
  const group = sweep.group.trim() || undefined;
  return { ok: true, configs, group };
}

/** A form filled from a stored run's config (for "re-run with changes"); unknown keys are ignored. */
export function formFromConfig(config: Record<string, unknown>): ExperimentForm {
  const parsed = runConfigSchema.safeParse(config);
  if (!parsed.success) return { ...DEFAULT_FORM };
  const c = parsed.data;
  return {
    ...DEFAULT_FORM,
    name: c.name,
    data: c.data,
    splitKind: c.split.kind,
    trainPerClass: c.split.kind === 'per-class' ? c.split.trainPerClass : DEFAULT_FORM.trainPerClass,
    valPerClass: c.split.kind === 'per-class' ? c.split.valPerClass : DEFAULT_FORM.valPerClass,
    trainRatio: c.split.kind === 'ratio' ? c.split.train : DEFAULT_FORM.trainRatio,
    valRatio: c.split.kind === 'ratio' ? c.split.val : DEFAULT_FORM.valRatio,
    model: c.model,
    layers: c.layers,
    hidden: c.hidden,
    heads: c.heads,
    dropout: c.dropout,
    attentionDropout: c.attentionDropout,
    residual: c.residual,
    aggregator: c.aggregator,
    strategy: c.strategy,
    plan: c.plan,
    students: c.students,
    epochs: c.epochs,
    seed: c.seed,
    lr: c.lr,
    weightDecay: c.weightDecay,
    a: c.a,
    kernelKind: c.kernel.kind,
    tau: c.kernel.tau,
    sigma: c.kernel.sigma,
    dmlWeight: c.dmlWeight,
    deepSupervision: c.deepSupervision,
    featureTransfer: c.featureTransfer,
    sharedInit: c.sharedInit,
    peerMode: c.peerMode,
    evalEvery: c.evalEvery,
    heatmapEvery: c.heatmapEvery,
    patience: c.patience,
    checkpointEvery: c.checkpointEvery,
    batchGraphs: c.batchGraphs,
    backend: c.backend,
  };
}

export { BACKENDS, KERNELS, MODELS, STRATEGIES };
