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
    expect(onPpi).toMatchObject({
      data: 'ppi',
      model: 'gat',
      layers: 4,
      heads: 3,
      hidden: 64,
      outHeads: 3,
      residual: true,
      init: 'authors',
      dropout: 0,
      lr: 0.005,
      weightDecay: 0,
      epochs: 300,
      evalEvery: 10,
      batchGraphs: 2,
      redrawBatches: true,
      sharedInit: true,
      selection: 'authors',
      f1Threshold: 0.5,
      strategy: 'alignahead',
      students: 2,
    });
    expect(onPpi.kernel).toMatchObject({ kind: 'l1', tau: 100, tauMode: 'fixed', normaliseFeatures: false });
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
