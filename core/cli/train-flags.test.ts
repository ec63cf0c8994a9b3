import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
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
      kernel: { kind: 'rbf', sigma: 0.5, tau: 20 },
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
