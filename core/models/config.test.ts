import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { validateStudentConfig } from './config';
import type { StudentConfigInput } from './types';

const base: StudentConfigInput = { model: 'gcn', inFeatures: 10, numClasses: 3, layers: 2, hidden: 8 };

describe('validateStudentConfig', () => {
  it('fills the defaults per model', () => {
    expect(validateStudentConfig(base)).toEqual({
      ...base,
      heads: 1,
      outputHeads: 1,
      dropout: 0.5,
      attentionDropout: 0,
      residual: false,
      activation: 'relu',
      aggregator: 'mean',
    });
    expect(validateStudentConfig({ ...base, model: 'gat' })).toMatchObject({
      heads: 3,
      outputHeads: 1,
      dropout: 0,
      residual: true,
      activation: 'elu',
    });
    expect(validateStudentConfig({ ...base, model: 'sage', aggregator: 'pool' }).aggregator).toBe('pool');
  });

  it('keeps explicit values and neutralises fields that do not apply to the model', () => {
    const gat = validateStudentConfig({ ...base, model: 'gat', heads: 4, dropout: 0.2, residual: false, activation: 'relu' });
    expect(gat).toMatchObject({ heads: 4, dropout: 0.2, residual: false, activation: 'relu' });
    const gcn = validateStudentConfig({ ...base, heads: 4, attentionDropout: 0.3, aggregator: 'pool' });
    expect(gcn).toMatchObject({ heads: 1, attentionDropout: 0, aggregator: 'mean' });
  });

  it.each<[string, Partial<Record<keyof StudentConfigInput, unknown>>, RegExp]>([
    ['unknown model', { model: 'gin' }, /unknown model 'gin' \(expected gcn, gat, sage\)/],
    ['no hidden layer', { layers: 0 }, /layers must be an integer ≥ 1, got 0/],
    ['fractional layers', { layers: 1.5 }, /layers must be an integer ≥ 1, got 1\.5/],
    ['zero heads', { model: 'gat', heads: 0 }, /heads must be an integer ≥ 1, got 0/],
    ['zero output heads', { model: 'gat', outputHeads: 0 }, /outputHeads must be an integer ≥ 1/],
    ['missing inFeatures', { inFeatures: undefined }, /inFeatures must be an integer ≥ 1, got undefined/],
    ['numClasses as text', { numClasses: '3' }, /numClasses must be an integer ≥ 1, got '3'/],
    ['zero hidden width', { hidden: 0 }, /hidden must be an integer ≥ 1/],
    ['dropout of 1', { dropout: 1 }, /dropout must be a rate in \[0, 1\), got 1/],
    ['negative dropout', { dropout: -0.1 }, /dropout must be a rate in \[0, 1\)/],
    ['NaN attention dropout', { model: 'gat', attentionDropout: NaN }, /attentionDropout must be a rate in \[0, 1\), got NaN/],
    ['unknown activation', { activation: 'tanh' }, /unknown activation 'tanh'/],
    ['unknown aggregator', { model: 'sage', aggregator: 'lstm' }, /unknown aggregator 'lstm' \(expected mean, pool\)/],
    ['residual as text', { model: 'gat', residual: 'yes' }, /residual must be true or false, got 'yes'/],
  ])('rejects %s with a UserError naming the field', (_case, change, message) => {
    const config = { ...base, ...change } as StudentConfigInput;
    expect(() => validateStudentConfig(config)).toThrow(UserError);
    expect(() => validateStudentConfig(config)).toThrow(message);
  });
});
