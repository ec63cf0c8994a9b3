import { describe, expect, it } from 'vitest';
import { runConfigSchema } from '../../../contract/run-config';
import { applyPreset, DEFAULT_FORM, DEFAULT_SWEEP, expandSweep, formFromConfig, parseIntegerList, PRESETS, validateForm, type ExperimentForm } from './experiment-form';

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

  it('names the field of each problem', () => {
    expect(Object.keys(errorsOf({ epochs: 0 }))).toEqual(['epochs']);
    expect(errorsOf({ epochs: 0 }).epochs).toMatch(/>=\s*1/);
    expect(Object.keys(errorsOf({ dropout: 1 }))).toEqual(['dropout']);
    expect(Object.keys(errorsOf({ lr: -0.1 }))).toEqual(['lr']);
    expect(Object.keys(errorsOf({ layers: 2.5 }))).toEqual(['layers']);
    expect(Object.keys(errorsOf({ tau: 0 }))).toEqual(['tau']);
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

describe('presets', () => {
  const preset = (id: string) => PRESETS.find((p) => p.id === id)!;

  it("applies the paper's PPI setting, falling back to ppi-like data", () => {
    const withPpi = applyPreset(DEFAULT_FORM, preset('ppi'), { ppiAvailable: true });
    expect(withPpi).toMatchObject({ data: 'ppi', model: 'gat', layers: 4, heads: 3, hidden: 64, lr: 0.005, dropout: 0, batchGraphs: 2 });
    expect(applyPreset(DEFAULT_FORM, preset('ppi'), { ppiAvailable: false }).data).toBe('ppi-like');
  });

  it('applies the Cora GCN setting', () => {
    expect(applyPreset(DEFAULT_FORM, preset('cora'), { ppiAvailable: false })).toMatchObject({ data: 'cora', model: 'gcn', layers: 2, hidden: 64, dropout: 0.5, lr: 0.01, weightDecay: 5e-4, epochs: 200 });
  });

  it('every preset yields a valid form and keeps name and seed', () => {
    for (const p of PRESETS) {
      const applied = applyPreset(form({ name: 'mine', seed: 9 }), p, { ppiAvailable: false });
      expect(validateForm(applied).ok).toBe(true);
      expect([applied.name, applied.seed]).toEqual(['mine', 9]);
    }
  });
});

describe('sweep launcher', () => {
  it('expands strategies × students × seeds into validated configs', () => {
    const result = expandSweep(form({ name: 'cora' }), { ...DEFAULT_SWEEP, enabled: true, strategies: ['oc', 'alignahead'], students: '2,3', seeds: '0-2', group: 'g1' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.configs).toHaveLength(2 * 2 * 3);
    expect(result.group).toBe('g1');
    const keys = result.configs.map((c) => `${c.strategy}/${c.students}/${c.seed}`);
    expect(new Set(keys).size).toBe(12);
    expect(keys).toContain('alignahead/3/2');
    expect(result.configs[0].name).toBe('cora oc ×2 seed 0');
  });

  it('reports malformed lists and invalid combinations', () => {
    const sweep = { ...DEFAULT_SWEEP, enabled: true };
    expect(expandSweep(DEFAULT_FORM, { ...sweep, seeds: '0-x' })).toEqual({ ok: false, errors: { sweep: 'seeds: "0-x" is not a whole number or a range like 0-4' } });
    expect(expandSweep(DEFAULT_FORM, { ...sweep, strategies: [] }).ok).toBe(false);
    const tooFew = expandSweep(DEFAULT_FORM, { ...sweep, strategies: ['alignahead'], students: '1' });
    expect(!tooFew.ok && tooFew.errors.sweep).toMatch(/alignahead ×1 seed 0: students/);
    const tooMany = expandSweep(DEFAULT_FORM, { ...sweep, strategies: ['oc', 'alignahead'], students: '2,3,4', seeds: '0-99' });
    expect(!tooMany.ok && tooMany.errors.sweep).toMatch(/600 runs/);
  });

  it('parses integer lists with ranges and bounds', () => {
    expect(parseIntegerList('0-2, 7, 2', 'seeds', 0, 100)).toEqual([0, 1, 2, 7]);
    expect(parseIntegerList('5-3', 'seeds', 0, 100)).toMatch(/backwards/);
    expect(parseIntegerList('17', 'students', 1, 16)).toMatch(/17 is outside 1..16/);
    expect(parseIntegerList('', 'seeds', 0, 1)).toMatch(/at least one/);
  });
});

describe('form from a stored config', () => {
  it('round-trips a validated config', () => {
    const original = form({ data: 'citeseer', model: 'sage', aggregator: 'pool', splitKind: 'ratio', trainRatio: 0.5, valRatio: 0.25, kernelKind: 'rbf', sigma: 2, seed: 5 });
    const result = validateForm(original);
    expect(result.ok).toBe(true);
    if (result.ok) expect(formFromConfig(result.config as unknown as Record<string, unknown>)).toEqual(original);
  });
});
