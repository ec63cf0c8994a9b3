import type { RunConfigInput } from './run-config';

/**
 * Published settings as data, shared by the CLI (`--preset ID`, flags given after it win) and the
 * "new experiment" form (the first presets offered). A preset sets the fields below; every other
 * field keeps the schema's default. Its dataset is the real one when the user has it, otherwise a
 * synthetic stand-in that needs no download.
 */
export interface RunPreset {
  id: string;
  label: string;
  description: string;
  /** where each setting comes from, for docs/PROTOCOL.md and tooltips */
  source: string;
  data: { preferred: string; fallback: string };
  config: Omit<RunConfigInput, 'data'>;
}

/**
 * The authors' PPI protocol, as their released code runs it (GuoJY-eatsTG/Alignahead: main.py,
 * gat.py, get_models.py, utils.py; see ../shared/docs/ALGORITHM.md, last section). Two students, as
 * in their reported PPI run (their script's default is 3). Their peers run under no-grad in train
 * mode, which with dropout 0 is our eval mode.
 */
export const PAPER_PPI: RunPreset = {
  id: 'paper-ppi',
  label: 'Paper protocol (PPI · GAT)',
  description:
    "The authors' released protocol: GAT 4 × 3 heads × 64, residual, 3 output heads averaged, Xavier-normal init without bias, " +
    'dropout 0, Adam lr 0.005 without weight decay, 300 epochs evaluated every 10, 2 graphs per batch re-drawn every pass, ' +
    'students copied from one initialisation, test score refreshed when validation F1 improves or the training loss falls, ' +
    'F1 cut at logit 0.5; align-ahead, a = 1, τ = 100. PPI when downloaded, else ppi-like (calibrated to PPI).',
  source: 'GuoJY-eatsTG/Alignahead (main.py arguments and training loop, gat.py, get_models.py, utils.py evaluate)',
  data: { preferred: 'ppi', fallback: 'ppi-like' },
  config: {
    model: 'gat',
    layers: 4,
    heads: 3,
    hidden: 64,
    outHeads: 3,
    residual: true,
    init: 'authors',
    dropout: 0,
    attentionDropout: 0,
    strategy: 'alignahead',
    students: 2,
    a: 1,
    kernel: { kind: 'l1', tau: 100, tauMode: 'fixed', normaliseFeatures: false },
    lr: 0.005,
    weightDecay: 0,
    epochs: 300,
    evalEvery: 10,
    batchGraphs: 2,
    redrawBatches: true,
    sharedInit: true,
    peerMode: 'eval',
    selection: 'authors',
    f1Threshold: 0.5,
  },
};

export const RUN_PRESETS: readonly RunPreset[] = [PAPER_PPI];

export function findPreset(id: string): RunPreset | undefined {
  return RUN_PRESETS.find((preset) => preset.id === id);
}

/** The preset's config input on the dataset the user has (`available` says whether the preferred one is there). */
export function presetConfig(preset: RunPreset, options: { available: (data: string) => boolean }): RunConfigInput {
  return { data: options.available(preset.data.preferred) ? preset.data.preferred : preset.data.fallback, ...preset.config };
}
