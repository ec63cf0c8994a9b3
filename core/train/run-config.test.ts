import { describe, expect, it } from 'vitest';
import { useCpuBackend } from '../tensor/testing/cpu-backend';
import { UserError } from '../errors';
import { createStudent } from '../models/student';
import { Rng } from '../random';
import { GRAPH_OPS_UNDER_TEST } from '../models/testing/fixtures';
import { generateCsbm } from '../datasets/csbm';
import { parseRunConfig, similarityKernelOf, studentOptionsOf } from './run-config';
import { trainStudents, type TrainEvent } from './trainer';
import { prepareTrainingData } from './training-data';

useCpuBackend();

describe("the run config's scientific-fidelity options", () => {
  it("default to today's behaviour", () => {
    const config = parseRunConfig({ data: 'demo' });
    expect(config).toMatchObject({ outHeads: 1, init: 'glorot', selection: 'best-val', f1Threshold: 0, redrawBatches: false });
    expect(config.kernel).toMatchObject({ tauMode: 'fixed', normaliseFeatures: false });
    expect(similarityKernelOf(config)).toEqual({ kind: 'l1', tau: 100 });
    expect(studentOptionsOf(config)).toEqual({ outputHeads: 1, init: 'glorot' });
  });

  it('build the student they describe: 3 averaged output heads, no bias under the authors init', () => {
    const config = parseRunConfig({ data: 'demo', model: 'gat', layers: 2, hidden: 4, heads: 2, outHeads: 3, init: 'authors' });
    const student = createStudent({ model: 'gat', inFeatures: 6, numClasses: 5, layers: 2, hidden: 4, heads: 2, ...studentOptionsOf(config) }, GRAPH_OPS_UNDER_TEST[0], new Rng(0));
    const weights = student.getWeights();
    expect(weights['output.weight'].shape).toEqual([8, 15]);
    expect(Object.keys(weights).filter((name) => name.endsWith('.bias'))).toEqual([]);
    expect(student.config.init).toBe('authors');
    student.dispose();
    // output heads only exist for GAT
    expect(studentOptionsOf(parseRunConfig({ data: 'demo', model: 'gcn', outHeads: 3 })).outputHeads).toBe(1);
  });

  it('carry normaliseFeatures into the similarity kernel', () => {
    const config = parseRunConfig({ data: 'demo', kernel: { kind: 'rbf', sigma: 2, normaliseFeatures: true } });
    expect(similarityKernelOf(config)).toEqual({ kind: 'rbf', sigma: 2, normalise: true });
  });

  it('reject τ auto for a kernel without τ, and bad values, naming the field', () => {
    expect(() => parseRunConfig({ data: 'demo', kernel: { kind: 'rbf', tauMode: 'auto' } })).toThrow(/kernel\.tauMode: tauMode auto sets the l1 kernel/);
    expect(parseRunConfig({ data: 'demo', kernel: { tauMode: 'auto' } }).kernel.tauMode).toBe('auto');
    expect(() => parseRunConfig({ data: 'demo', init: 'he' })).toThrow(UserError);
    expect(() => parseRunConfig({ data: 'demo', selection: 'best' })).toThrow(/selection/);
    expect(() => parseRunConfig({ data: 'demo', outHeads: 0 })).toThrow(/outHeads/);
    expect(() => parseRunConfig({ data: 'demo', f1Threshold: Number.NaN })).toThrow(/f1Threshold/);
  });
});

describe('kernel options in the trainer', () => {
  it('normaliseFeatures reaches the trainer: it changes the distillation term', async () => {
    const dataset = generateCsbm({ nodes: 120, edges: 600, classes: 3, features: 8, seed: 4 });
    const distill = async (normaliseFeatures: boolean) => {
      const config = parseRunConfig({ data: dataset.name, hidden: 8, epochs: 1, checkpointEvery: 0, heatmapEvery: 0, kernel: { tau: 1, normaliseFeatures } });
      const data = prepareTrainingData(dataset, config, new Rng(0).fork('split'));
      const events: TrainEvent[] = [];
      await trainStudents({ config, data, ops: GRAPH_OPS_UNDER_TEST[1], onEvent: (e) => events.push(e) });
      data.dispose();
      const epoch = events.find((e) => e.type === 'epoch');
      return epoch?.type === 'epoch' ? (epoch.metrics[0].distillLoss ?? Number.NaN) : Number.NaN;
    };
    const [plain, normalised] = [await distill(false), await distill(true)];
    expect(plain).toBeGreaterThan(0);
    expect(normalised).toBeGreaterThan(0);
    expect(Math.abs(plain - normalised)).toBeGreaterThan(1e-3 * plain);
  });
});
