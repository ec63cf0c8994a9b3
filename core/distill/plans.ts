import { UserError } from '../errors';

/**
 * Alignment plans: which student layer learns from which peer layer. Indices are 0-based in code
 * and 1-based wherever a person reads or writes them ("2<-1": student layer 2 learns from peer
 * layer 1). A plan is a plain value so the UI can build custom ones and mark the trained cells of
 * the alignment heatmap.
 */

export interface LayerPair {
  /** student hidden layer, 0-based */
  readonly student: number;
  /** peer hidden layer, 0-based */
  readonly peer: number;
}

export interface AlignmentPlan {
  readonly name: string;
  readonly pairs: readonly LayerPair[];
}

export type BuiltinPlanName = 'none' | 'one-to-one' | 'align-ahead' | 'align-behind';

export const BUILTIN_PLANS: readonly BuiltinPlanName[] = ['none', 'one-to-one', 'align-ahead', 'align-behind'];

/** Other spellings in use: the authors' code ('oc', 'alignahead') and the baseline's description. */
export const PLAN_ALIASES: Readonly<Record<string, BuiltinPlanName>> = {
  oc: 'one-to-one',
  alignahead: 'align-ahead',
  alignbehind: 'align-behind',
  independent: 'none',
};

/** The canonical builtin name for a name or alias, or undefined when it is neither. */
export function builtinPlanName(name: string): BuiltinPlanName | undefined {
  const key = name.trim().toLowerCase();
  if ((BUILTIN_PLANS as readonly string[]).includes(key)) return key as BuiltinPlanName;
  return PLAN_ALIASES[key];
}

function checkLayerCount(layers: number, what: string): void {
  if (!Number.isInteger(layers) || layers < 1) throw new UserError(`alignment plan: ${what} must be a positive integer, got ${layers}`);
}

/**
 * The builtin plans for L hidden layers (1-based, as in ALGORITHM.md):
 * one-to-one (l ← l); align-ahead (l+1 ← l) for l < L and (1 ← L); align-behind, its mirror,
 * (l ← l+1) for l < L and (L ← 1); none, no pairs. With L = 1 the two cyclic plans are (1 ← 1).
 */
export function builtinPlan(name: string, layers: number): AlignmentPlan {
  const canonical = builtinPlanName(name);
  if (!canonical) {
    const known = [...BUILTIN_PLANS, ...Object.keys(PLAN_ALIASES)].join(', ');
    throw new UserError(`alignment plan: unknown plan '${name}' (expected one of ${known}, or pairs like "1<-3,2<-1")`);
  }
  checkLayerCount(layers, 'the number of layers');
  const L = layers;
  const range = Array.from({ length: L }, (_, l) => l);
  switch (canonical) {
    case 'none':
      return { name: canonical, pairs: [] };
    case 'one-to-one':
      return { name: canonical, pairs: range.map((l) => ({ student: l, peer: l })) };
    case 'align-ahead':
      return { name: canonical, pairs: range.map((l) => ({ student: (l + 1) % L, peer: l })) };
    case 'align-behind':
      return { name: canonical, pairs: range.map((l) => ({ student: l, peer: (l + 1) % L })) };
  }
}

function pairText(pair: LayerPair): string {
  return `${pair.student + 1}<-${pair.peer + 1}`;
}

/** Checks indices against the layer counts and rejects repeated pairs, naming the bad pair (1-based). */
export function validatePlan(plan: AlignmentPlan, studentLayers: number, peerLayers: number): void {
  checkLayerCount(studentLayers, 'the number of student layers');
  checkLayerCount(peerLayers, 'the number of peer layers');
  const seen = new Set<string>();
  for (const pair of plan.pairs) {
    const { student, peer } = pair;
    if (!Number.isInteger(student) || !Number.isInteger(peer)) {
      throw new UserError(`alignment plan '${plan.name}': pair (${student}, ${peer}) has a non-integer layer index`);
    }
    if (student < 0 || student >= studentLayers) {
      throw new UserError(
        `alignment plan '${plan.name}': pair ${pairText(pair)} names student layer ${student + 1}, but the student has ${studentLayers} hidden layers`,
      );
    }
    if (peer < 0 || peer >= peerLayers) {
      throw new UserError(
        `alignment plan '${plan.name}': pair ${pairText(pair)} names peer layer ${peer + 1}, but the peer has ${peerLayers} hidden layers`,
      );
    }
    const key = pairText(pair);
    if (seen.has(key)) throw new UserError(`alignment plan '${plan.name}': pair ${key} appears twice`);
    seen.add(key);
  }
}

/**
 * A user-written plan: comma-separated 1-based pairs "student<-peer" (or "student←peer"), e.g.
 * "1<-3, 2<-1". Whitespace is ignored. Layer counts are checked later by validatePlan; repeated
 * pairs are rejected here already.
 */
export function parsePlan(text: string, name = 'custom'): AlignmentPlan {
  const tokens = text.split(',').map((t) => t.trim());
  if (tokens.length === 1 && tokens[0] === '') {
    throw new UserError(`alignment plan '${text}': no pairs given (write pairs like "2<-1,1<-2", or use the plan 'none')`);
  }
  const pairs: LayerPair[] = [];
  const seen = new Set<string>();
  for (const token of tokens) {
    const match = /^(\d+)\s*(?:<-|←)\s*(\d+)$/.exec(token);
    if (!match) {
      throw new UserError(`alignment plan '${text}': cannot read pair '${token}' (expected "student<-peer" with 1-based layer numbers, e.g. "2<-1")`);
    }
    const student = Number(match[1]);
    const peer = Number(match[2]);
    if (student < 1 || peer < 1) {
      throw new UserError(`alignment plan '${text}': pair '${token}' uses layer 0; layers are numbered from 1`);
    }
    const pair = { student: student - 1, peer: peer - 1 };
    const key = pairText(pair);
    if (seen.has(key)) throw new UserError(`alignment plan '${text}': pair ${key} appears twice`);
    seen.add(key);
    pairs.push(pair);
  }
  return { name, pairs };
}

/** A builtin name/alias or a user-written pair list, checked against the layer counts. */
export function resolvePlan(spec: string, studentLayers: number, peerLayers = studentLayers): AlignmentPlan {
  const builtin = builtinPlanName(spec);
  let plan: AlignmentPlan;
  if (builtin) {
    if (builtin !== 'none' && studentLayers !== peerLayers) {
      throw new UserError(
        `alignment plan '${spec}': builtin plans need equal depths, but the student has ${studentLayers} and the peer ${peerLayers} hidden layers; write the pairs instead`,
      );
    }
    plan = builtinPlan(builtin, studentLayers);
  } else {
    plan = parsePlan(spec);
  }
  validatePlan(plan, studentLayers, peerLayers);
  return plan;
}

/** Display form, 1-based: "2<-1,3<-2,1<-3" ('' for no pairs). parsePlan reads it back. */
export function formatPlan(plan: AlignmentPlan): string {
  return plan.pairs.map(pairText).join(',');
}

/** The distinct peer layers a plan reads, ascending: the targets to compute once per step. */
export function peerLayersOf(plan: AlignmentPlan): number[] {
  return [...new Set(plan.pairs.map((p) => p.peer))].sort((a, b) => a - b);
}

/** The distinct student layers a plan trains, ascending. */
export function studentLayersOf(plan: AlignmentPlan): number[] {
  return [...new Set(plan.pairs.map((p) => p.student))].sort((a, b) => a - b);
}
