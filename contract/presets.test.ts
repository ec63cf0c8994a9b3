import { describe, expect, it } from 'vitest';
import { findPreset, PAPER_PPI, presetConfig, RUN_PRESETS } from './presets';
import { runConfigSchema } from './run-config';

describe('run presets', () => {
  it('every preset parses with the run-config schema, on either dataset', () => {
    for (const preset of RUN_PRESETS) {
      for (const available of [true, false]) {
        const parsed = runConfigSchema.safeParse(presetConfig(preset, { available: () => available }));
        expect(parsed.success, parsed.error?.message).toBe(true);
      }
    }
  });

  it("paper-ppi sets every difference from the authors' code, on ppi or the calibrated ppi-like", () => {
    const onPpi = runConfigSchema.parse(presetConfig(PAPER_PPI, { available: (name) => name === 'ppi' }));
    // every field the preset sets survives parsing as written (a misspelt or stripped key would not)
    expect(onPpi).toMatchObject({ data: 'ppi', ...PAPER_PPI.config });
    // and the values are the authors' (main.py's arguments, gat.py, utils.py's evaluate), spot-checked
    expect([onPpi.model, onPpi.layers, onPpi.heads, onPpi.hidden, onPpi.outHeads, onPpi.residual]).toEqual(['gat', 4, 3, 64, 3, true]);
    expect([onPpi.lr, onPpi.weightDecay, onPpi.epochs, onPpi.evalEvery, onPpi.batchGraphs]).toEqual([0.005, 0, 300, 10, 2]);
    expect([onPpi.init, onPpi.selection, onPpi.f1Threshold, onPpi.dropout]).toEqual(['authors', 'authors', 0.5, 0]);
    expect(onPpi.kernel).toMatchObject({ kind: 'l1', tau: 100, tauMode: 'fixed' });
    expect(presetConfig(PAPER_PPI, { available: () => false }).data).toBe('ppi-like');
    // whatever the preset leaves out keeps our defaults
    expect(onPpi.heatmapEvery).toBe(runConfigSchema.parse({ data: 'x' }).heatmapEvery);
  });

  it('is found by id, and ids are unique', () => {
    expect(findPreset('paper-ppi')).toBe(PAPER_PPI);
    expect(findPreset('nope')).toBeUndefined();
    expect(new Set(RUN_PRESETS.map((p) => p.id)).size).toBe(RUN_PRESETS.length);
  });
});
