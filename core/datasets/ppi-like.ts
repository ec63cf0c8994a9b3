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

export const PPI_LIKE_DEFAULTS = { graphs: 24, nodesPerGraph: 300, edgesPerGraph: 3000, labels: 121, features: 50, seed: 0 };

// Shape of the latent model (see generatePpiLike). Chosen so that own features identify a node's
// community only partly and its neighbourhood sharpens that, so message passing has something to add.
const COMMUNITIES = 8;
const WITHIN_COMMUNITY_EDGE_PROBABILITY = 0.8;
const FEATURE_SIGNAL = 0.5;
const FEATURE_NOISE = 1.5;
const LABEL_EFFECT = 2;
const NEIGHBOURHOOD_SHARE = 0.4;

const MAX_NODES_TOTAL = 1 << 26;
const MAX_EDGES_TOTAL = 1 << 27;
const MAX_VALUES = 1 << 28;

/** The canonical spec text naming a PPI-like dataset: "ppi-like" for the defaults. */
export function ppiLikeSpecText(options: Required<Omit<PpiLikeOptions, 'seed'>>): string {
  const { graphs, nodesPerGraph, edgesPerGraph, labels, features } = options;
  const d = PPI_LIKE_DEFAULTS;
  if (graphs === d.graphs && nodesPerGraph === d.nodesPerGraph && edgesPerGraph === d.edgesPerGraph && labels === d.labels && features === d.features) {
    return 'ppi-like';
  }
  const base = `ppi-like:${graphs}:${nodesPerGraph}:${edgesPerGraph}:${labels}`;
  return features === d.features ? base : `${base}:${features}`;
}

/**
 * A synthetic stand-in for PPI: several graphs, multi-label nodes, an inductive split of graphs
 * shaped like PPI's 20/2/2 (scaled to the count, at least one validation and one test graph, taken
 * in order: train first, then validation, then test, as PPI ships them).
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
  for (let g = 0; g < graphs; g++) {
    parts.push(drawGraph(model, nodesPerGraph, edgesPerGraph, rng.fork(`graph ${g}`)));
  }

  return {
    name: ppiLikeSpecText({ graphs, nodesPerGraph, edgesPerGraph, labels, features }),
    task: 'multilabel',
    numFeatures: features,
    numClasses: labels,
    graphs: parts,
    graphSplit: ppiShapedSplit(graphs),
    classNames: Array.from({ length: labels }, (_, l) => `label ${l}`),
    source: `synthetic PPI-like: graphs=${graphs} nodesPerGraph=${nodesPerGraph} edgesPerGraph=${edgesPerGraph} labels=${labels} features=${features} seed=${seed}`,
  };
}

/** PPI's 20/2/2 proportions scaled to `graphs` (≥ 3), in order. */
function ppiShapedSplit(graphs: number): GraphSplit {
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

function drawGraph(model: LatentModel, nodes: number, edges: number, rng: Rng): GraphData {
  const community = drawCommunities(nodes, rng);
  const graph = drawEdges(community, edges, rng);

  const features = new Float32Array(nodes * model.features);
  for (let v = 0; v < nodes; v++) {
    const mean = community[v] * model.features;
    for (let f = 0; f < model.features; f++) {
      features[v * model.features + f] = model.featureMeans[mean + f] + FEATURE_NOISE * rng.normal();
    }
  }

  const labels = new Uint8Array(nodes * model.labels);
  const neighbourLogit = new Float64Array(model.labels);
  for (let v = 0; v < nodes; v++) {
    neighbourLogit.fill(0);
    let neighbours = 0;
    for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
      const u = graph.sources[e];
      if (u === v) continue;
      neighbours++;
      const row = community[u] * model.labels;
      for (let l = 0; l < model.labels; l++) neighbourLogit[l] += model.labelLogits[row + l];
    }
    const own = community[v] * model.labels;
    for (let l = 0; l < model.labels; l++) {
      const neighbourMean = neighbours > 0 ? neighbourLogit[l] / neighbours : model.labelLogits[own + l];
      const logit = (1 - NEIGHBOURHOOD_SHARE) * model.labelLogits[own + l] + NEIGHBOURHOOD_SHARE * neighbourMean;
      labels[v * model.labels + l] = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    }
  }
  return { graph, features, labels };
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

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(`ppi-like: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
