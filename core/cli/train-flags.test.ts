import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PAPER_PPI, presetConfig } from '../../contract/presets';
import { runConfigSchema } from '../../contract/run-config';
import { UserError } from '../errors';
import { configFromFlags, RUN_FLAG_OPTIONS } from './train-flags';

const flags = (...argv: string[]) => configFromFlags(parseArgs({ args: argv, options: RUN_FLAG_OPTIONS, strict: true }).values);

describe('run flags', () => {
  it('map onto the config fields, numbers as numbers, the kernel nested, switches as booleans', () => {
    const config = flags(
      '--data', 'csbm:200:800:3', '--model', 'gat', '--layers', '3', '--hidden', '32', '--heads', '2', '--attention-dropout', '0.1',
      '--weight-decay', '1e-4', '--kernel', 'rbf', '--sigma', '0.5', '--tau', '20', '--no-residual', '--shared-init',
      '--split', 'ratio:0.6:0.2', '--peer-mode', 'train', '--checkpoint-every', '0', '--backend', 'cpu',
    );
    expect(config).toEqual({
      data: 'csbm:200:800:3',
      model: 'gat',
      layers: 3,
      hidden: 32,
      heads: 2,
      attentionDropout: 0.1,
      weightDecay: 1e-4,
      kernel: { kind: 'rbf', sigma: 0.5, tau: 20, tauMode: 'fixed' },
      residual: false,
      sharedInit: true,
      split: { kind: 'ratio', train: 0.6, val: 0.2 },
      peerMode: 'train',
      checkpointEvery: 0,
      backend: 'cpu',
    });
    expect(runConfigSchema.safeParse(config).success).toBe(true);
  });

  it('leave unset fields to the schema defaults, with the demo data', () => {
    expect(flags()).toEqual({ data: 'demo' });
    expect(flags('--epochs', '5')).toEqual({ data: 'demo', epochs: 5 });
  });

  it('refuse what is not a number or a split, naming the flag', () => {
    expect(() => flags('--epochs', 'ten')).toThrow(new UserError("--epochs: 'ten' is not a number"));
    expect(() => flags('--tau', '')).toThrow(/--tau: '' is not a number/);
    expect(() => flags('--split', 'half')).toThrow(/--split: 'half' is not per-class:TRAIN:VAL or ratio:TRAIN:VAL/);
    expect(() => flags('--split', 'per-class:20:x')).toThrow(/--split: 'x' is not a number/);
  });
});

describe('the phase-B flags and --preset', () => {
  it('map the new options onto their config fields', () => {
    const config = flags(
      '--model', 'gat', '--out-heads', '3', '--init', 'authors', '--selection', 'authors', '--f1-threshold', '0.5',
      '--redraw-batches', '--tau', 'auto', '--normalise-features',
    );
    expect(config).toEqual({
      data: 'demo',
      model: 'gat',
      outHeads: 3,
      init: 'authors',
      selection: 'authors',
      f1Threshold: 0.5,
      redrawBatches: true,
      kernel: { tauMode: 'auto', normaliseFeatures: true },
    });
    const parsed = runConfigSchema.parse(config);
    expect([parsed.kernel.tauMode, parsed.kernel.tau, parsed.kernel.normaliseFeatures]).toEqual(['auto', 100, true]);
    expect(() => flags('--tau', 'often')).toThrow(/--tau: 'often' is not a number/);
  });

  it('--preset paper-ppi gives exactly the preset, on the real data when it is cached, and later flags win', () => {
    const viaFlags = (argv: string[], available: (data: string) => boolean) =>
      configFromFlags(parseArgs({ args: argv, options: RUN_FLAG_OPTIONS, strict: true }).values, { available });
    for (const available of [() => false, (data: string) => data === 'ppi']) {
      expect(runConfigSchema.parse(viaFlags(['--preset', 'paper-ppi'], available))).toEqual(runConfigSchema.parse(presetConfig(PAPER_PPI, { available })));
    }
    expect(viaFlags(['--preset', 'paper-ppi'], () => false).data).toBe('ppi-like');
    expect(viaFlags(['--preset', 'paper-ppi'], (d) => d === 'ppi').data).toBe('ppi');
    const changed = runConfigSchema.parse(viaFlags(['--preset', 'paper-ppi', '--epochs', '20', '--tau', 'auto', '--selection', 'best-val'], () => false));
    expect(changed).toMatchObject({ epochs: 20, selection: 'best-val', model: 'gat', outHeads: 3, init: 'authors', redrawBatches: true, f1Threshold: 0.5 });
    expect(changed.kernel).toMatchObject({ kind: 'l1', tau: 100, tauMode: 'auto' });
    // the preset itself is not changed by the flags
    expect(PAPER_PPI.config.kernel).toEqual({ kind: 'l1', tau: 100, tauMode: 'fixed', normaliseFeatures: false });
    expect(() => viaFlags(['--preset', 'paper'], () => false)).toThrow(/--preset: unknown preset 'paper' \(one of paper-ppi\)/);
  });
});
