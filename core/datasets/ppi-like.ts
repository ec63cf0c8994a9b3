import { UserError } from '../errors';
import { buildGraph } from '../graph/build';
import type { CsrGraph } from '../graph/csr';
import { Rng } from '../random';
import type { GraphData } from '../graph/graph-data';
import type { Dataset, GraphSplit } from './types';

export interface PpiLikeOptions {
  graphs?: number;
  nodesPerGraph?: number;
  /** directed edges drawn per graph before symmetrising and removing duplicates and self-loops */
  edgesPerGraph?: number;
  labels?: number;
  features?: number;
  seed?: number;
}

/** The uniform layout's defaults, for sizes a spec or caller leaves out (ppi-like:GRAPHS:NODES:EDGES:LABELS). */
export const PPI_LIKE_DEFAULTS = { graphs: 24, nodesPerGraph: 300, edgesPerGraph: 3000, labels: 121, features: 50, seed: 0 };

/**
 * PPI as published (GraphSAGE; the DGL/PyG files): 24 graphs, 20/2/2 split, 56,944 nodes (train
 * 44,906 / validation 6,514 / test 5,524), 818,716 edges, counted as undirected pairs without
 * self-loops (the published mean degree 28.8 = 2 · 818,716 / 56,944), 50 features, 121 labels.
 * positiveRate: the share of (node, label) cells that are 1. PPI's is not published as a figure;
 * 0.31 is derived from a public evaluation record of a classifier on 8,940 PPI nodes (its hamming
 * loss 0.2643, micro precision 0.681 and recall 0.282 over 336,299 positive cells give
 * 8,940 × 121 cells, 31.1% positive), and agrees with the authors' logs, where a collapsed
 * student's loss, 0.56, is the binary entropy of per-label rates averaging about 0.3.
 */
export const PPI_TOTALS = {
  graphs: 24,
  split: { train: 20, val: 2, test: 2 },
  splitNodes: { train: 44_906, val: 6_514, test: 5_524 },
  nodes: 56_944,
  edges: 818_716,
  features: 50,
  labels: 121,
  positiveRate: 0.31,
} as const;

// Shape of the latent model (see generatePpiLike). Chosen so that own features identify a node's
// community only partly and its neighbourhood sharpens that, so message passing has something to add.
const COMMUNITIES = 8;
const WITHIN_COMMUNITY_EDGE_PROBABILITY = 0.8;
const FEATURE_SIGNAL = 0.5;
const FEATURE_NOISE = 1.5;
const LABEL_EFFECT = 2;
const NEIGHBOURHOOD_SHARE = 0.4;
// PPI's graphs differ in size: each graph's share of its split is drawn from U[1 − s, 1 + s]
const SIZE_SPREAD = 0.5;
// every how many nodes one enters the sample that calibrates the label rate
const CALIBRATION_STRIDE = 8;

const MAX_NODES_TOTAL = 1 << 26;
const MAX_EDGES_TOTAL = 1 << 27;
const MAX_VALUES = 1 << 28;

/** The canonical spec text of a uniform PPI-like layout (the calibrated default is plain "ppi-like"). */
export function ppiLikeSpecText(options: Required<Omit<PpiLikeOptions, 'seed'>>): string {
  const { graphs, nodesPerGraph, edgesPerGraph, labels, features } = options;
  const base = `ppi-like:${graphs}:${nodesPerGraph}:${edgesPerGraph}:${labels}`;
  return features === PPI_LIKE_DEFAULTS.features ? base : `${base}:${features}`;
}

/**
 * A synthetic stand-in for PPI: several graphs, multi-label nodes, an inductive split of graphs
 * shaped like PPI's 20/2/2 (scaled to the count, at least one validation and one test graph, taken
 * in order: train first, then validation, then test, as PPI ships them).
 *
 * With no sizes given it is calibrated to PPI (generatePpiCalibrated). With sizes, every graph has
 * `nodesPerGraph` nodes and `edgesPerGraph` directed edge draws (symmetrised, duplicates dropped).
 *
 * Latent model, shared by all graphs so that what is learnt on training graphs transfers:
 * COMMUNITIES latent communities, each with a feature mean N(0, FEATURE_SIGNAL²) per feature and a
 * label-logit vector (a per-label base rate plus LABEL_EFFECT · N(0, 1)). Per graph, community
 * proportions are Dirichlet(1); each node draws a community; edges are drawn as in the CSBM (random
 * source, destination in the source's community with WITHIN_COMMUNITY_EDGE_PROBABILITY, otherwise
 * uniform). Features are the community mean plus N(0, FEATURE_NOISE²) noise. Each label is a
 * Bernoulli draw with logit (1 − NEIGHBOURHOOD_SHARE) · own community's logit + NEIGHBOURHOOD_SHARE
 * · the mean community logit over the node's neighbours, so labels depend on graph structure too.
 */
export function generatePpiLike(options: PpiLikeOptions = {}): Dataset {
  const { graphs: g, nodesPerGraph: n, edgesPerGraph: e, labels: l, features: f } = options;
  if ([g, n, e, l, f].every((x) => x === undefined)) return generatePpiCalibrated(options.seed ?? 0);
  const d = PPI_LIKE_DEFAULTS;
  const graphs = checkInteger('graphs', options.graphs ?? d.graphs, 3, MAX_NODES_TOTAL);
  const nodesPerGraph = checkInteger('nodesPerGraph', options.nodesPerGraph ?? d.nodesPerGraph, 2, Math.floor(MAX_NODES_TOTAL / graphs));
  const edgesPerGraph = checkInteger('edgesPerGraph', options.edgesPerGraph ?? d.edgesPerGraph, 0, Math.floor(MAX_EDGES_TOTAL / graphs));
  const totalNodes = graphs * nodesPerGraph;
  const labels = checkInteger('labels', options.labels ?? d.labels, 1, Math.floor(MAX_VALUES / totalNodes));
  const features = checkInteger('features', options.features ?? d.features, 1, Math.floor(MAX_VALUES / totalNodes));
  const seed = checkInteger('seed', options.seed ?? d.seed, 0, 0xffffffff);

  const rng = new Rng(seed);
  const model = drawLatentModel(labels, features, rng.fork('latent model'));
  const parts: GraphData[] = [];
  for (let graph = 0; graph < graphs; graph++) {
    const graphRng = rng.fork(`graph ${graph}`);
    const structure = drawStructure(model, nodesPerGraph, (community) => drawEdges(community, edgesPerGraph, graphRng), graphRng);
    parts.push({ graph: structure.graph, features: structure.features, labels: drawLabels(model, structure, 0, graphRng) });
  }

  return {
    name: ppiLikeSpecText({ graphs, nodesPerGraph, edgesPerGraph, labels, features }),
    task: 'multilabel',
    numFeatures: features,
    numClasses: labels,
    graphs: parts,
    graphSplit: ppiShapedSplit(graphs),
    classNames: Array.from({ length: labels }, (_, label) => `label ${label}`),
    source: `synthetic PPI-like: graphs=${graphs} nodesPerGraph=${nodesPerGraph} edgesPerGraph=${edgesPerGraph} labels=${labels} features=${features} seed=${seed}`,
  };
}

/**
 * PPI-like data calibrated to PPI's published totals (PPI_TOTALS): per-split node counts exactly,
 * graph sizes spread within each split, exactly 818,716 distinct undirected neighbour pairs shared
 * out in proportion to the graphs' sizes (so the mean degree is PPI's everywhere), and the label
 * base rates shifted so that the expected share of positive cells is PPI's 31%.
 */
export function generatePpiCalibrated(seed = 0): Dataset {
  checkInteger('seed', seed, 0, 0xffffffff);
  const t = PPI_TOTALS;
  const rng = new Rng(seed);
  const model = drawLatentModel(t.labels, t.features, rng.fork('latent model'));
  const sizeRng = rng.fork('graph sizes');
  const nodeCounts = (['train', 'val', 'test'] as const).flatMap((part) =>
    shareOut(t.splitNodes[part], Array.from({ length: t.split[part] }, () => 1 - SIZE_SPREAD + 2 * SIZE_SPREAD * sizeRng.next())),
  );
  const edgeCounts = shareOut(t.edges, nodeCounts);
  const graphRngs = nodeCounts.map((_, g) => rng.fork(`graph ${g}`));
  const structures = nodeCounts.map((nodes, g) =>
    drawStructure(model, nodes, (community) => drawDistinctEdges(community, edgeCounts[g], graphRngs[g]), graphRngs[g]),
  );
  const shift = labelShiftFor(t.positiveRate, model, structures);
  return {
    name: 'ppi-like',
    task: 'multilabel',
    numFeatures: t.features,
    numClasses: t.labels,
    graphs: structures.map((structure, g) => ({ graph: structure.graph, features: structure.features, labels: drawLabels(model, structure, shift, graphRngs[g]) })),
    graphSplit: ppiShapedSplit(t.graphs),
    classNames: Array.from({ length: t.labels }, (_, label) => `label ${label}`),
    source: `synthetic PPI-like, calibrated to PPI: ${t.graphs} graphs, ${t.nodes} nodes, ${t.edges} edges, ${t.features} features, ${t.labels} labels, ${t.positiveRate} positive, seed=${seed}`,
  };
}

/** `total` shared out in proportion to `weights`, rounded by largest remainder so the parts sum to it exactly. */
export function shareOut(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const missing = total - parts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) parts[order[k][1]]++;
  return parts;
}

/** PPI's 20/2/2 proportions scaled to `graphs` (≥ 3), in order. */
export function ppiShapedSplit(graphs: number): GraphSplit {
  const held = Math.max(1, Math.round((graphs * 2) / 24));
  const trainCount = graphs - 2 * held;
  const range = (start: number, count: number) => Array.from({ length: count }, (_, i) => start + i);
  return { train: range(0, trainCount), val: range(trainCount, held), test: range(trainCount + held, held) };
}

interface LatentModel {
  labels: number;
  features: number;
  /** [COMMUNITIES, features] */
  featureMeans: Float64Array;
  /** [COMMUNITIES, labels] */
  labelLogits: Float64Array;
}

function drawLatentModel(labels: number, features: number, rng: Rng): LatentModel {
  const featureMeans = new Float64Array(COMMUNITIES * features);
  for (let i = 0; i < featureMeans.length; i++) featureMeans[i] = FEATURE_SIGNAL * rng.normal();
  // Base rates vary per label (some labels common, some rare), as in PPI.
  const baseLogit = Array.from({ length: labels }, () => -1 + rng.normal());
  const labelLogits = new Float64Array(COMMUNITIES * labels);
  for (let k = 0; k < COMMUNITIES; k++) {
    for (let l = 0; l < labels; l++) labelLogits[k * labels + l] = baseLogit[l] + LABEL_EFFECT * rng.normal();
  }
  return { labels, features, featureMeans, labelLogits };
}

interface GraphStructure {
  graph: CsrGraph;
  features: Float32Array;
  community: Int32Array;
}

/** A graph's communities, edges (from `drawEdgesOf`) and features; its labels are drawn after, from the same stream. */
function drawStructure(model: LatentModel, nodes: number, drawEdgesOf: (community: Int32Array) => CsrGraph, rng: Rng): GraphStructure {
  const community = drawCommunities(nodes, rng);
  const graph = drawEdgesOf(community);
  const features = new Float32Array(nodes * model.features);
  for (let v = 0; v < nodes; v++) {
    const mean = community[v] * model.features;
    for (let f = 0; f < model.features; f++) {
      features[v * model.features + f] = model.featureMeans[mean + f] + FEATURE_NOISE * rng.normal();
    }
  }
  return { graph, features, community };
}

/** Node v's label logits (before any shift) into `out`: own community's, mixed with its neighbours' mean. */
function labelLogits(model: LatentModel, { graph, community }: GraphStructure, v: number, out: Float64Array): void {
  out.fill(0);
  let neighbours = 0;
  for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
    const u = graph.sources[e];
    if (u === v) continue;
    neighbours++;
    const row = community[u] * model.labels;
    for (let l = 0; l < model.labels; l++) out[l] += model.labelLogits[row + l];
  }
  const own = community[v] * model.labels;
  for (let l = 0; l < model.labels; l++) {
    const neighbourMean = neighbours > 0 ? out[l] / neighbours : model.labelLogits[own + l];
    out[l] = (1 - NEIGHBOURHOOD_SHARE) * model.labelLogits[own + l] + NEIGHBOURHOOD_SHARE * neighbourMean;
  }
}

function drawLabels(model: LatentModel, structure: GraphStructure, shift: number, rng: Rng): Uint8Array {
  const nodes = structure.graph.numNodes;
  const labels = new Uint8Array(nodes * model.labels);
  const logits = new Float64Array(model.labels);
  for (let v = 0; v < nodes; v++) {
    labelLogits(model, structure, v, logits);
    for (let l = 0; l < model.labels; l++) {
      labels[v * model.labels + l] = rng.next() < 1 / (1 + Math.exp(-(logits[l] + shift))) ? 1 : 0;
    }
  }
  return labels;
}

/**
 * The shift of every label logit that makes the expected share of positive cells `rate`, by
 * bisection over a sample of the nodes (every CALIBRATION_STRIDE-th of each graph).
 */
function labelShiftFor(rate: number, model: LatentModel, structures: readonly GraphStructure[]): number {
  const sample: number[] = [];
  const logits = new Float64Array(model.labels);
  for (const structure of structures) {
    for (let v = 0; v < structure.graph.numNodes; v += CALIBRATION_STRIDE) {
      labelLogits(model, structure, v, logits);
      sample.push(...logits);
    }
  }
  const expectedRate = (shift: number) => sample.reduce((sum, x) => sum + 1 / (1 + Math.exp(-(x + shift))), 0) / sample.length;
  let [low, high] = [-20, 20];
  for (let i = 0; i < 50; i++) {
    const mid = (low + high) / 2;
    if (expectedRate(mid) < rate) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** Community per node, from graph-specific Dirichlet(1) proportions so graphs differ in make-up. */
function drawCommunities(nodes: number, rng: Rng): Int32Array {
  const cumulative = new Float64Array(COMMUNITIES);
  let total = 0;
  for (let k = 0; k < COMMUNITIES; k++) {
    total += -Math.log(1 - rng.next()); // Exp(1) draws, normalised, are Dirichlet(1, …, 1)
    cumulative[k] = total;
  }
  const community = new Int32Array(nodes);
  for (let v = 0; v < nodes; v++) {
    const draw = rng.next() * total;
    let k = 0;
    while (k < COMMUNITIES - 1 && cumulative[k] <= draw) k++;
    community[v] = k;
  }
  return community;
}

function drawEdges(community: Int32Array, edges: number, rng: Rng): CsrGraph {
  const nodes = community.length;
  const members: number[][] = Array.from({ length: COMMUNITIES }, () => []);
  for (let v = 0; v < nodes; v++) members[community[v]].push(v);
  const sources = new Int32Array(edges);
  const targets = new Int32Array(edges);
  for (let e = 0; e < edges; e++) {
    const source = rng.int(nodes);
    sources[e] = source;
    const peers = members[community[source]];
    targets[e] = rng.next() < WITHIN_COMMUNITY_EDGE_PROBABILITY ? peers[rng.int(peers.length)] : rng.int(nodes);
  }
  return buildGraph(nodes, sources, targets);
}

/**
 * Exactly `pairs` distinct undirected neighbour pairs (no self-loops), drawn like drawEdges and
 * redrawn on a repeat, then symmetrised with one self-loop per node: 2 · pairs + n message edges.
 */
function drawDistinctEdges(community: Int32Array, pairs: number, rng: Rng): CsrGraph {
  const nodes = community.length;
  if (pairs > (nodes * (nodes - 1)) / 4) throw new UserError(`ppi-like: ${pairs} edges are too many for a graph of ${nodes} nodes`);
  const members: number[][] = Array.from({ length: COMMUNITIES }, () => []);
  for (let v = 0; v < nodes; v++) members[community[v]].push(v);
  const seen = new Set<number>();
  const sources = new Int32Array(pairs);
  const targets = new Int32Array(pairs);
  while (seen.size < pairs) {
    const source = rng.int(nodes);
    const peers = members[community[source]];
    const target = rng.next() < WITHIN_COMMUNITY_EDGE_PROBABILITY ? peers[rng.int(peers.length)] : rng.int(nodes);
    const key = Math.min(source, target) * nodes + Math.max(source, target);
    if (source === target || seen.has(key)) continue;
    sources[seen.size] = source;
    targets[seen.size] = target;
    seen.add(key);
  }
  return buildGraph(nodes, sources, targets);
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(`ppi-like: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
