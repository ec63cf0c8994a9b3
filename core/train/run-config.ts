import { describeConfigIssues, runConfigSchema, type RunConfig } from '../../contract/run-config';
import { resolvePlan, type AlignmentPlan } from '../distill/plans';
import type { SimilarityKernel } from '../distill/similarity';
import { UserError } from '../errors';
import type { StudentConfigInput } from '../models/types';

/**
 * What a run config means for training, without loading the tensor engine (the server and the UI
 * handlers validate configs and show plans; only the trainer needs tfjs).
 */

/** Validates a config from any source (CLI flags, API payload, stored JSON) into a complete RunConfig. */
export function parseRunConfig(input: unknown): RunConfig {
  const parsed = runConfigSchema.safeParse(input);
  if (!parsed.success) throw new UserError(`invalid run config: ${describeConfigIssues(parsed.error)}`);
  return parsed.data;
}

/** The alignment plan a config asks for: the strategy's builtin plan, or the user's pairs. */
export function planOf(config: RunConfig): AlignmentPlan {
  switch (config.strategy) {
    case 'independent':
    case 'dml':
      return resolvePlan('none', config.layers);
    case 'oc':
      return resolvePlan('one-to-one', config.layers);
    case 'alignahead':
      return resolvePlan('align-ahead', config.layers);
    case 'alignbehind':
      return resolvePlan('align-behind', config.layers);
    case 'custom':
      if (!config.plan.trim()) throw new UserError('strategy custom needs a plan, e.g. --plan "2<-1,1<-2"');
      return resolvePlan(config.plan, config.layers);
  }
}

/**
 * The student-model fields of a run config beyond the architecture basics: GAT output heads
 * (averaged) and the initialisation scheme. The trainer spreads them into its student config.
 */
export function studentOptionsOf(config: RunConfig): Pick<StudentConfigInput, 'outputHeads' | 'init'> {
  return { outputHeads: config.model === 'gat' ? config.outHeads : 1, init: config.init };
}

/**
 * The similarity kernel of a config. With kernel.tauMode 'auto' the l1 kernel's τ here is the
 * fallback `tau`; the per-layer τ come from core/distill/auto-tau.ts once the students exist.
 */
export function similarityKernelOf(config: RunConfig): SimilarityKernel {
  const base = baseKernelOf(config);
  return config.kernel.normaliseFeatures ? { ...base, normalise: true } : base;
}

function baseKernelOf(config: RunConfig): SimilarityKernel {
  const k = config.kernel;
  switch (k.kind) {
    case 'l1':
      return { kind: 'l1', tau: k.tau };
    case 'rbf':
      return { kind: 'rbf', sigma: k.sigma };
    case 'linear':
      return { kind: 'linear' };
    case 'cosine':
      return { kind: 'cosine' };
    case 'poly':
      return { kind: 'poly', c: k.c, degree: k.degree };
  }
}
