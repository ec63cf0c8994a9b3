import { describeConfigIssues, runConfigSchema, type RunConfig } from '../../contract/run-config';
import { refuseUnsplittableSpec } from '../datasets/split-check';
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

/** Deep mutual learning's weight: strategy 'dml' means weight 1 unless one is given. */
export function dmlWeightOf(config: RunConfig): number {
  return config.strategy === 'dml' && config.dmlWeight === 0 ? 1 : config.dmlWeight;
}

/** Throws when a config asks students to learn from peers (a plan, DML, feature transfer) but has only one. */
export function refuseLonelyStudent(config: RunConfig, plan: AlignmentPlan): void {
  if (config.students < 2 && (plan.pairs.length > 0 || dmlWeightOf(config) > 0 || config.featureTransfer > 0)) {
    throw new UserError(`strategy '${config.strategy}' needs at least 2 students (got ${config.students})`);
  }
}

/**
 * Refuses a config that cannot train: a plan naming layers the students do not have, peer terms
 * with a single student, a generator spec too small for the split (core/datasets/split-check.ts;
 * other data is checked once loaded, still before the run is recorded). Every path that creates a
 * run (CLI train and sweep, the API's runs.create and rerun) calls it first, so such a config never
 * becomes a failed run. Returns the config's plan.
 */
export function refuseUnrunnableConfig(config: RunConfig): AlignmentPlan {
  const plan = planOf(config);
  refuseLonelyStudent(config, plan);
  refuseUnsplittableSpec(config.data, config.split);
  return plan;
}

/** parseRunConfig, then refuseUnrunnableConfig: a config that is valid and can run. */
export function parseRunnableConfig(input: unknown): RunConfig {
  const config = parseRunConfig(input);
  refuseUnrunnableConfig(config);
  return config;
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
