import type { RunConfig } from '../../contract/run-config';
import { UserError } from '../errors';
import { csbmLabels } from './csbm';
import { ppiShapedSplit } from './ppi-like';
import { parseDatasetSpec } from './spec';
import { perClassSplitSizes, ratioSplitSizes, type SplitSizes } from './splits';
import { DEMO_SPEC } from './catalog';

/**
 * Whether a run's split leaves every part it needs non-empty: training items to learn from,
 * validation items to select the best epoch on (unless the split asks for none), and some held-out
 * items to evaluate and draw heatmaps on (validation or test; a split with no test items runs and
 * reports no test metric, as small fixtures do). One rule and one message, applied where the real split is drawn (the trainer's data
 * preparation) and, for generator specs, before a run is created (the API), so a dataset too small
 * for its split is refused up front instead of becoming a failed run.
 */

export type RunSplit = RunConfig['split'];

/** What a split is taken of: nodes of one graph (with its class count), or whole graphs. */
export type SplitShape = { unit: 'nodes'; nodes: number; classes: number } | { unit: 'graphs'; graphs: number };

function describeSplit(split: RunSplit, shape: SplitShape): string {
  const of = shape.unit === 'nodes' ? `${shape.nodes} nodes in ${shape.classes} classes` : `${shape.graphs} graphs`;
  if (shape.unit === 'graphs') return `the graph split of ${of}`;
  return split.kind === 'per-class'
    ? `a per-class split (${split.trainPerClass} train + ${split.valPerClass} validation nodes per class) of ${of}`
    : `a ratio split (train ${split.train}, validation ${split.val}) of ${of}`;
}

/** Throws a UserError naming the empty parts when the split cannot make a meaningful run. */
export function refuseEmptySplit(dataset: string, split: RunSplit, shape: SplitShape, sizes: SplitSizes): void {
  const wantsValidation = split.kind === 'per-class' ? split.valPerClass > 0 : split.val > 0;
  const empty = [
    sizes.train === 0 ? 'training' : null,
    sizes.val === 0 && wantsValidation ? 'validation' : null,
    sizes.test === 0 && sizes.val === 0 ? 'test' : null,
  ].filter((part): part is string => part !== null);
  if (empty.length === 0) return;
  throw new UserError(
    `${dataset}: the split leaves no ${empty.join(' and no ')} ${shape.unit}: ${describeSplit(split, shape)} ` +
      `gives ${sizes.train} train / ${sizes.val} validation / ${sizes.test} test; use a larger dataset or a smaller split`,
  );
}

/**
 * The split sizes a generator spec will give, computed without generating its graph: a CSBM's
 * labels are drawn first from their own random stream, so drawing them alone (one integer per node)
 * gives the exact class sizes, and the per-class and ratio splits depend on those sizes only; a
 * ppi-like spec always has its PPI-shaped graph split. Null when `ref` is not a generator spec.
 */
export function specSplit(ref: string, split: RunSplit): { shape: SplitShape; sizes: SplitSizes } | null {
  const spec = parseDatasetSpec(ref === 'demo' ? DEMO_SPEC : ref);
  if (spec === null) return null;
  if (spec.kind === 'ppi-like') {
    const graphs = 'calibrated' in spec ? null : spec.graphs;
    if (graphs === null) return null; // PPI's own 20/2/2 graphs
    const parts = ppiShapedSplit(graphs);
    return { shape: { unit: 'graphs', graphs }, sizes: { train: parts.train.length, val: parts.val.length, test: parts.test.length } };
  }
  const shape: SplitShape = { unit: 'nodes', nodes: spec.nodes, classes: spec.classes };
  if (split.kind === 'ratio') return { shape, sizes: ratioSplitSizes(spec.nodes, split) };
  const counts = new Array<number>(spec.classes).fill(0);
  for (const label of csbmLabels(spec.nodes, spec.classes)) counts[label]++;
  return { shape, sizes: perClassSplitSizes(counts, split.trainPerClass, split.valPerClass) };
}

/** Refuses a generator spec whose split would leave a part empty (see specSplit); other references pass. */
export function refuseUnsplittableSpec(ref: string, split: RunSplit): void {
  const planned = specSplit(ref, split);
  if (planned) refuseEmptySplit(ref, split, planned.shape, planned.sizes);
}
