import { describe, expect, it } from 'vitest';
import { DEFAULT_FORM, validateForm, type ExperimentForm } from './experiment-form';
import { applyPreset, PRESETS } from './presets';

const form = (patch: Partial<ExperimentForm>): ExperimentForm => ({ ...DEFAULT_FORM, ...patch });
const preset = (id: string) => PRESETS.find((p) => p.id === id)!;

describe('presets', () => {
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
