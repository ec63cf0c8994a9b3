import { describe, expect, it } from 'vitest';
import { kernelSchema, runConfigSchema, splitSchema, type RunConfig } from '../../../contract/run-config';
import { DEFAULT_FORM, formFromConfig, validateForm, type ExperimentForm } from './experiment-form';

const form = (patch: Partial<ExperimentForm>): ExperimentForm => ({ ...DEFAULT_FORM, ...patch });
const errorsOf = (patch: Partial<ExperimentForm>) => {
  const result = validateForm(form(patch));
  return result.ok ? {} : result.errors;
};

describe('experiment form validation', () => {
  it('accepts the defaults and produces a config the contract accepts', () => {
    const result = validateForm(DEFAULT_FORM);
    expect(result.ok).toBe(true);
    if (result.ok) expect(runConfigSchema.safeParse(result.config).success).toBe(true);
  });

  it("takes its defaults from the schema's", () => {
    const result = validateForm(DEFAULT_FORM);
    expect(result.ok && result.config).toEqual(runConfigSchema.parse({ data: 'demo' }));
  });

  it('names the field of each problem', () => {
    expect(Object.keys(errorsOf({ epochs: 0 }))).toEqual(['epochs']);
    expect(errorsOf({ epochs: 0 }).epochs).toMatch(/>=\s*1/);
    expect(Object.keys(errorsOf({ dropout: 1 }))).toEqual(['dropout']);
    expect(Object.keys(errorsOf({ lr: -0.1 }))).toEqual(['lr']);
    expect(Object.keys(errorsOf({ layers: 2.5 }))).toEqual(['layers']);
    expect(Object.keys(errorsOf({ tau: 0 }))).toEqual(['tau']);
    expect(Object.keys(errorsOf({ polyDegree: 9 }))).toEqual(['polyDegree']);
  });

  it('says a number is required when a number field is empty', () => {
    expect(errorsOf({ hidden: Number.NaN }).hidden).toBe('a number is required');
  });

  it('checks the split: ratios must leave test nodes', () => {
    expect(errorsOf({ splitKind: 'ratio', trainRatio: 0.7, valRatio: 0.3 }).trainRatio).toMatch(/test/);
    expect(validateForm(form({ splitKind: 'ratio', trainRatio: 0.6, valRatio: 0.2 })).ok).toBe(true);
    expect(Object.keys(errorsOf({ trainPerClass: 0 }))).toEqual(['trainPerClass']);
  });

  it('needs a dataset, a well-formed custom plan and two students to distil', () => {
    expect(errorsOf({ data: '  ' }).data).toMatch(/dataset/);
    expect(errorsOf({ strategy: 'custom', plan: '2 from 1' }).plan).toMatch(/student<-peer/);
    expect(validateForm(form({ strategy: 'custom', plan: '2<-1, 1<-2' })).ok).toBe(true);
    expect(errorsOf({ students: 1 }).students).toMatch(/at least 2/);
    expect(validateForm(form({ students: 1, strategy: 'independent' })).ok).toBe(true);
  });

  it('sends the plan only for the custom strategy', () => {
    const result = validateForm(form({ strategy: 'oc', plan: '2<-1' }));
    expect(result.ok && result.config.plan).toBe('');
  });
});

describe('form from a stored config', () => {
  it('round-trips a validated config', () => {
    const original = form({ data: 'citeseer', model: 'sage', aggregator: 'pool', splitKind: 'ratio', trainRatio: 0.5, valRatio: 0.25, kernelKind: 'rbf', sigma: 2, seed: 5 });
    const result = validateForm(original);
    expect(result.ok).toBe(true);
    if (result.ok) expect(formFromConfig(result.config as unknown as Record<string, unknown>)).toEqual(original);
  });

  it('refuses a config the schema rejects, naming the field', () => {
    expect(() => formFromConfig({ data: 'demo', epochs: -1 })).toThrow(/epochs/);
  });
});

describe('every config field survives config → form → config', () => {
  type Plain = Omit<RunConfig, 'split' | 'kernel'>;
  const DEFAULTS = runConfigSchema.parse({ data: 'demo' });
  // a valid value other than the default for every top-level field; typed so none can be left out
  const OTHER: { [K in keyof Plain]-?: Plain[K] } = {
    name: 'renamed',
    data: 'csbm:300:1500:3:16',
    model: 'gat',
    layers: 4,
    hidden: 32,
    heads: 5,
    outHeads: 3,
    init: 'authors',
    selection: 'authors',
    f1Threshold: 0.5,
    redrawBatches: true,
    dropout: 0.25,
    attentionDropout: 0.1,
    residual: false,
    aggregator: 'pool',
    strategy: 'oc',
    plan: '2<-1,1<-2',
    students: 3,
    epochs: 50,
    seed: 7,
    lr: 0.005,
    weightDecay: 0,
    a: 2.5,
    dmlWeight: 0.5,
    deepSupervision: 0.3,
    featureTransfer: 0.2,
    featureLoss: 'cosine',
    sharedInit: true,
    peerMode: 'train',
    evalEvery: 2,
    heatmapEvery: 0,
    patience: 20,
    checkpointEvery: 0,
    batchGraphs: 4,
    backend: 'wasm',
  };
  const OTHER_KERNEL: RunConfig['kernel'] = { kind: 'poly', tau: 50, tauMode: 'auto', normaliseFeatures: true, sigma: 2, c: 0.5, degree: 3 };
  const OTHER_SPLITS: RunConfig['split'][] = [
    { kind: 'per-class', trainPerClass: 10, valPerClass: 15 },
    { kind: 'ratio', train: 0.5, val: 0.25 },
  ];
  /** what a field needs around it to mean anything: a plan goes only with the custom strategy */
  const CONTEXT: Partial<RunConfig> = { strategy: 'custom' };

  const roundTrip = (config: RunConfig) => {
    const result = validateForm(formFromConfig(config as unknown as Record<string, unknown>));
    if (!result.ok) throw new Error(`the form rejected its own config: ${JSON.stringify(result.errors)}`);
    return result.config;
  };

  it('the test covers every field of the schema with a value other than its default', () => {
    const nested = ['split', 'kernel'];
    expect(Object.keys(OTHER).sort()).toEqual(Object.keys(runConfigSchema.shape).filter((k) => !nested.includes(k)).sort());
    expect(Object.keys(OTHER_KERNEL).sort()).toEqual(Object.keys(kernelSchema.shape).sort());
    expect(OTHER_SPLITS.map((s) => s.kind)).toEqual(splitSchema.options.map((o) => o.shape.kind.value));
    for (const [key, value] of Object.entries(OTHER)) expect(value, key).not.toEqual(DEFAULTS[key as keyof Plain]);
    for (const [key, value] of Object.entries(OTHER_KERNEL)) expect(value, `kernel.${key}`).not.toEqual(DEFAULTS.kernel[key as keyof RunConfig['kernel']]);
  });

  it('each top-level field', () => {
    for (const [key, value] of Object.entries(OTHER)) {
      const config = runConfigSchema.parse({ ...DEFAULTS, ...(key === 'plan' ? CONTEXT : {}), [key]: value });
      expect(roundTrip(config)[key as keyof Plain], key).toEqual(value);
    }
  });

  it('each kernel field, the polynomial kernel’s c and degree included', () => {
    for (const [key, value] of Object.entries(OTHER_KERNEL)) {
      const config = runConfigSchema.parse({ ...DEFAULTS, kernel: { ...DEFAULTS.kernel, [key]: value } });
      expect(roundTrip(config).kernel, `kernel.${key}`).toEqual(config.kernel);
    }
  });

  it('each kind of split with every one of its fields', () => {
    for (const split of OTHER_SPLITS) expect(roundTrip({ ...DEFAULTS, split }).split).toEqual(split);
  });

  it('all fields changed at once', () => {
    for (const split of OTHER_SPLITS) {
      // τ auto belongs to the L1 kernel only: with the polynomial kernel τ stays fixed
      const config = runConfigSchema.parse({ ...OTHER, ...CONTEXT, kernel: { ...OTHER_KERNEL, tauMode: 'fixed' }, split });
      expect(roundTrip(config)).toEqual(config);
    }
  });
});
