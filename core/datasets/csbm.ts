import { UserError } from '../errors';
import { buildGraph } from '../graph/build';
import { Rng } from '../random';
import type { Dataset } from './types';

export interface CsbmOptions {
  nodes: number;
  /** directed edges drawn before symmetrising and removing duplicates and self-loops */
  edges: number;
  classes: number;
  /** feature width; default 128 */
  features?: number;
  /** probability that an edge's destination is drawn inside the source's class; default 0.8 */
  homophily?: number;
  /** standard deviation of the per-node noise around the class mean; default 2 */
  featureNoise?: number;
  /** generator seed; default 0 */
  seed?: number;
}

export const CSBM_DEFAULT_FEATURES = 128;

// Bounds that keep every index and typed array within 32-bit sizes (and memory within reason).
const MAX_NODES = 1 << 27;
const MAX_EDGES = 1 << 27;
const MAX_FEATURE_VALUES = 1 << 28;

/** The canonical spec text naming a CSBM dataset, e.g. "csbm:2000:20000:5". */
export function csbmSpecText(nodes: number, edges: number, classes: number, features = CSBM_DEFAULT_FEATURES): string {
  const base = `csbm:${nodes}:${edges}:${classes}`;
  return features === CSBM_DEFAULT_FEATURES ? base : `${base}:${features}`;
}

/**
 * Contextual stochastic block model, with the Python peer's semantics (bench/peer_torch.py `csbm`):
 * labels uniform over the classes; each of `edges` edges takes a uniform random source and, with
 * probability `homophily`, a destination uniform within the source's class, otherwise uniform over
 * all nodes; class means are N(0, 1) per feature and a node's features are its class mean plus
 * N(0, featureNoise²) noise. The uniform destinations land in the same class 1/classes of the time,
 * so the measured edge homophily is about homophily + (1 − homophily)/classes.
 *
 * Labels, edges and features come from separate forks of the seeded Rng, so changing the edge
 * count leaves labels and features unchanged. The graph is symmetrised with one self-loop per node.
 */
export function generateCsbm(options: CsbmOptions): Dataset {
  const nodes = checkInteger('nodes', options.nodes, 1, MAX_NODES);
  const edges = checkInteger('edges', options.edges, 0, MAX_EDGES);
  const classes = checkInteger('classes', options.classes, 1, nodes);
  const features = checkInteger('features', options.features ?? CSBM_DEFAULT_FEATURES, 1, Math.floor(MAX_FEATURE_VALUES / nodes));
  const homophily = options.homophily ?? 0.8;
  if (!(homophily >= 0 && homophily <= 1)) throw new UserError(`csbm: homophily must be in [0, 1], got ${homophily}`);
  const featureNoise = options.featureNoise ?? 2;
  if (!(featureNoise >= 0 && Number.isFinite(featureNoise))) {
    throw new UserError(`csbm: featureNoise must be a finite number ≥ 0, got ${featureNoise}`);
  }
  const seed = checkInteger('seed', options.seed ?? 0, 0, 0xffffffff);

  const rng = new Rng(seed);
  const labels = csbmLabels(nodes, classes, seed);
  const { sources, targets } = drawEdges(labels, classes, edges, homophily, rng.fork('edges'));
  const featureValues = drawFeatures(labels, classes, features, featureNoise, rng.fork('features'));

  return {
    name: csbmSpecText(nodes, edges, classes, features),
    task: 'multiclass',
    numFeatures: features,
    numClasses: classes,
    graphs: [{ graph: buildGraph(nodes, sources, targets), features: featureValues, labels }],
    classNames: Array.from({ length: classes }, (_, k) => `class ${k}`),
    source: `synthetic CSBM: nodes=${nodes} edges=${edges} classes=${classes} features=${features} homophily=${homophily} featureNoise=${featureNoise} seed=${seed}`,
  };
}

/**
 * The labels of the CSBM of this size and seed, drawn alone from their own stream (what the split
 * of a spec depends on, known without generating edges and features).
 */
export function csbmLabels(nodes: number, classes: number, seed = 0): Int32Array {
  return drawLabels(nodes, classes, new Rng(seed).fork('labels'));
}

function drawLabels(nodes: number, classes: number, rng: Rng): Int32Array {
  const labels = new Int32Array(nodes);
  for (let v = 0; v < nodes; v++) labels[v] = rng.int(classes);
  return labels;
}

function drawEdges(labels: Int32Array, classes: number, edges: number, homophily: number, rng: Rng) {
  const nodes = labels.length;
  // Members of each class, contiguous (counting sort), to draw same-class destinations in O(1).
  const classStart = new Int32Array(classes + 1);
  for (let v = 0; v < nodes; v++) classStart[labels[v] + 1]++;
  for (let k = 0; k < classes; k++) classStart[k + 1] += classStart[k];
  const members = new Int32Array(nodes);
  const fill = classStart.slice(0, classes);
  for (let v = 0; v < nodes; v++) members[fill[labels[v]]++] = v;

  const sources = new Int32Array(edges);
  const targets = new Int32Array(edges);
  for (let e = 0; e < edges; e++) {
    const source = rng.int(nodes);
    sources[e] = source;
    if (rng.next() < homophily) {
      const k = labels[source];
      targets[e] = members[classStart[k] + rng.int(classStart[k + 1] - classStart[k])];
    } else {
      targets[e] = rng.int(nodes);
    }
  }
  return { sources, targets };
}

function drawFeatures(labels: Int32Array, classes: number, features: number, noise: number, rng: Rng): Float32Array {
  const means = new Float64Array(classes * features);
  for (let i = 0; i < means.length; i++) means[i] = rng.normal();
  const values = new Float32Array(labels.length * features);
  for (let v = 0; v < labels.length; v++) {
    const meanRow = labels[v] * features;
    const row = v * features;
    for (let f = 0; f < features; f++) values[row + f] = means[meanRow + f] + noise * rng.normal();
  }
  return values;
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(`csbm: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
