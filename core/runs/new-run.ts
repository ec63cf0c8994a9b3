import type { RunConfig } from '../../contract/run-config';
import type { CreateRunInput } from '../store';

/** The store record of a new run of this config: every caller (CLI, API, sweeps) creates runs this one way. */
export function newRunRecord(config: RunConfig, extra: { name?: string; group?: string | null; datasetId?: number | null } = {}): CreateRunInput {
  return {
    name: extra.name ?? (config.name || undefined),
    group: extra.group ?? null,
    config,
    dataset: config.data,
    datasetId: extra.datasetId ?? null,
    model: config.model,
    strategy: config.strategy,
    numStudents: config.students,
    numLayers: config.layers,
    seed: config.seed,
    plannedEpochs: config.epochs,
  };
}
