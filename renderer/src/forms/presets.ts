import { presetConfig, RUN_PRESETS, type RunPreset } from '../../../contract/presets';
import { DEFAULT_FORM, formFromConfig, type ExperimentForm } from './experiment-form';

/** Published settings a researcher starts from; a preset sets some fields, the rest return to the defaults. */
export interface Preset {
  id: string;
  label: string;
  description: string;
  /** the fields the preset sets */
  apply: (options: { ppiAvailable: boolean }) => Partial<ExperimentForm>;
}

/**
 * A preset of contract/presets.ts (shared with the CLI's --preset) as form fields: the fields where
 * its config differs from the defaults. Its real dataset when downloaded, else its stand-in.
 */
function contractPreset(preset: RunPreset): Preset {
  return {
    id: preset.id,
    label: preset.label,
    description: preset.description,
    apply: ({ ppiAvailable }) => {
      const form = formFromConfig(presetConfig(preset, { available: (data) => data === 'ppi' && ppiAvailable }) as Record<string, unknown>);
      return Object.fromEntries(Object.entries(form).filter(([field, value]) => DEFAULT_FORM[field as keyof ExperimentForm] !== value));
    },
  };
}

/** The published presets first, then the citation-graph settings and the demo. */
export const PRESETS: Preset[] = [
  ...RUN_PRESETS.map(contractPreset),
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
