import { DEFAULT_FORM, type ExperimentForm } from './experiment-form';

/** Published settings a researcher starts from; a preset sets some fields, the rest return to the defaults. */
export interface Preset {
  id: string;
  label: string;
  description: string;
  /** the fields the preset sets */
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

/** The preset's fields over the defaults; the run's name, seed and backend stay as the user set them. */
export function applyPreset(form: ExperimentForm, preset: Preset, options: { ppiAvailable: boolean }): ExperimentForm {
  return { ...DEFAULT_FORM, name: form.name, seed: form.seed, backend: form.backend, ...preset.apply(options) };
}
