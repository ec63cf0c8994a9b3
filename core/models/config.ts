import { UserError } from '../errors';
import type { Activation, InitScheme, ModelKind, SageAggregator, StudentConfig, StudentConfigInput } from './types';

const MODELS: readonly ModelKind[] = ['gcn', 'gat', 'sage'];
const ACTIVATIONS: readonly Activation[] = ['relu', 'elu'];
const AGGREGATORS: readonly SageAggregator[] = ['mean', 'pool'];
const INITS: readonly InitScheme[] = ['glorot', 'authors'];

/**
 * Checks a student config (which may come from JSON or the UI, so every field is checked at run
 * time) and fills the defaults. Fields that do not apply to the chosen model are validated when
 * given but resolved to neutral values (heads 1, no attention dropout), so that the stored config
 * says what was actually built.
 */
export function validateStudentConfig(input: StudentConfigInput): StudentConfig {
  if (typeof input !== 'object' || input === null) throw new UserError('student config: expected an object');
  const model = oneOf('model', input.model, MODELS);
  const isGat = model === 'gat';
  const inFeatures = positiveInteger('inFeatures', input.inFeatures);
  const numClasses = positiveInteger('numClasses', input.numClasses);
  const layers = positiveInteger('layers', input.layers);
  const hidden = positiveInteger('hidden', input.hidden);
  const heads = positiveInteger('heads', input.heads ?? 3);
  const outputHeads = positiveInteger('outputHeads', input.outputHeads ?? 1);
  const dropout = rate('dropout', input.dropout ?? (isGat ? 0 : 0.5));
  const attentionDropout = rate('attentionDropout', input.attentionDropout ?? 0);
  const residual = input.residual ?? true;
  if (typeof residual !== 'boolean') throw new UserError(`student config: residual must be true or false, got ${show(residual)}`);
  const activation = oneOf('activation', input.activation ?? (isGat ? 'elu' : 'relu'), ACTIVATIONS);
  const aggregator = oneOf('aggregator', input.aggregator ?? 'mean', AGGREGATORS);
  const init = oneOf('init', input.init ?? 'glorot', INITS);
  return {
    model,
    inFeatures,
    numClasses,
    layers,
    hidden,
    heads: isGat ? heads : 1,
    outputHeads: isGat ? outputHeads : 1,
    dropout,
    attentionDropout: isGat ? attentionDropout : 0,
    residual: isGat ? residual : false,
    activation,
    aggregator: model === 'sage' ? aggregator : 'mean',
    ...(isGat && init === 'authors' ? { init } : {}),
  };
}

function positiveInteger(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new UserError(`student config: ${field} must be an integer ≥ 1, got ${show(value)}`);
  }
  return value;
}

function rate(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new UserError(`student config: ${field} must be a rate in [0, 1), got ${show(value)}`);
  }
  return value;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new UserError(`student config: unknown ${field} ${show(value)} (expected ${allowed.join(', ')})`);
  }
  return value as T;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
