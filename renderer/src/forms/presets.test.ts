import { describe, expect, it } from 'vitest';
import { PAPER_PPI, presetConfig } from '../../../contract/presets';
import { runConfigSchema } from '../../../contract/run-config';
import { DEFAULT_FORM, formFromConfig, validateForm, type ExperimentForm } from './experiment-form';
import { applyPreset, PRESETS } from './presets';

const form = (patch: Partial<ExperimentForm>): ExperimentForm => ({ ...DEFAULT_FORM, ...patch });
const preset = (id: string) => PRESETS.find((p) => p.id === id)!;

describe('presets', () => {
  it("lists the contract's presets first and applies paper-ppi, falling back to ppi-like data", () => {
    expect(PRESETS[0].id).toBe('paper-ppi');
    const withPpi = applyPreset(DEFAULT_FORM, preset('paper-ppi'), { ppiAvailable: true });
    expect(withPpi).toMatchObject({ data: 'ppi', model: 'gat', layers: 4, heads: 3, hidden: 64, outHeads: 3, init: 'authors', lr: 0.005, dropout: 0, batchGraphs: 2 });
    expect(withPpi).toMatchObject({ redrawBatches: true, selection: 'authors', f1Threshold: 0.5, sharedInit: true, evalEvery: 10, epochs: 300, weightDecay: 0 });
    expect(applyPreset(DEFAULT_FORM, preset('paper-ppi'), { ppiAvailable: false }).data).toBe('ppi-like');
  });

  it('round-trips paper-ppi: the form sends exactly the preset\'s config, and a run of it fills the form back', () => {
    for (const ppiAvailable of [false, true]) {
      const expected = runConfigSchema.parse(presetConfig(PAPER_PPI, { available: (d) => ppiAvailable && d === 'ppi' }));
      const applied = applyPreset(DEFAULT_FORM, preset('paper-ppi'), { ppiAvailable });
      const result = validateForm(applied);
      expect(result.ok && result.config).toEqual(expected);
      expect(formFromConfig(expected)).toEqual(applied);
    }
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
