import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../errors';
import { buildGraph } from '../graph/build';
import { parseNpy, toFloat32, toInt32, toNumbers, type NpyArray } from './npy';
import type { GraphData } from '../graph/graph-data';
import type { Dataset } from './types';
import { validateDataset } from './validate';

/**
 * The PPI layout of GraphSAGE / DGL: a folder holding, for each split in train/valid/test,
 * `{split}_graph.json` (networkx node-link JSON with all graphs of the split as one),
 * `{split}_feats.npy` [n, F], `{split}_labels.npy` [n, C] of 0/1 and `{split}_graph_id.npy` [n]
 * saying which graph each node belongs to; a node's JSON id is its row in the arrays.
 * Each graph id becomes one GraphData (symmetrised, one self-loop per node); the split comes from
 * the files. Features are kept as stored (the DGL loader does not rescale them either).
 */

export const PPI_SPLITS = [
  { file: 'train', part: 'train' },
  { file: 'valid', part: 'val' },
  { file: 'test', part: 'test' },
] as const;

/** Whether `dir` looks like a PPI folder (has train_graph.json). */
export function isPpiFolder(dir: string): boolean {
  return existsSync(join(dir, 'train_graph.json'));
}

/** The PPI folder at `dir` or in its single subfolder (archives often wrap the files in one folder). */
export function findPpiFolder(dir: string): string | null {
  if (isPpiFolder(dir)) return dir;
  const subfolders = readdirSync(dir).filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isDirectory());
  for (const name of subfolders) if (isPpiFolder(join(dir, name))) return join(dir, name);
  return null;
}

/** The files a PPI folder must hold, relative to it. */
export function ppiFileNames(): string[] {
  return PPI_SPLITS.flatMap(({ file }) => ['graph.json', 'feats.npy', 'labels.npy', 'graph_id.npy'].map((suffix) => `${file}_${suffix}`));
}

export function loadPpiFolder(dir: string, options: { name?: string; source?: string } = {}): Dataset {
  const label = basename(dir);
  const graphs: GraphData[] = [];
  const graphSplit = { train: [] as number[], val: [] as number[], test: [] as number[] };
  let numFeatures = -1;
  let numClasses = -1;
  for (const { file, part } of PPI_SPLITS) {
    const split = readSplit(dir, file);
    if (numFeatures < 0) {
      numFeatures = split.numFeatures;
      numClasses = split.numClasses;
    } else if (split.numFeatures !== numFeatures || split.numClasses !== numClasses) {
      throw new UserError(
        `${file}_feats.npy / ${file}_labels.npy: ${split.numFeatures} features and ${split.numClasses} labels, ` +
          `but the train split has ${numFeatures} and ${numClasses}`,
      );
    }
    for (const graph of split.graphs) {
      graphSplit[part].push(graphs.length);
      graphs.push(graph);
    }
  }
  const dataset: Dataset = {
    name: options.name ?? label,
    task: 'multilabel',
    numFeatures,
    numClasses,
    graphs,
    graphSplit,
    source: options.source ?? dir,
  };
  validateDataset(dataset, label);
  return dataset;
}

interface SplitData {
  numFeatures: number;
  numClasses: number;
  graphs: GraphData[];
}

function readSplit(dir: string, split: string): SplitData {
  const jsonName = `${split}_graph.json`;
  const { nodeCount, sources, targets } = readNodeLinkJson(join(dir, jsonName), jsonName);

  const featsName = `${split}_feats.npy`;
  const feats = readNpyFile(dir, featsName);
  if (feats.shape.length !== 2) throw new UserError(`${featsName}: shape (${feats.shape.join(', ')}); expected (nodes, features)`);
  const [rows, numFeatures] = feats.shape;
  if (rows !== nodeCount) throw new UserError(`${featsName}: ${rows} rows but ${jsonName} has ${nodeCount} nodes`);
  const features = toFloat32(feats, featsName);

  const labelsName = `${split}_labels.npy`;
  const labelArray = readNpyFile(dir, labelsName);
  if (labelArray.shape.length !== 2 || labelArray.shape[0] !== nodeCount) {
    throw new UserError(`${labelsName}: shape (${labelArray.shape.join(', ')}); expected (${nodeCount} nodes, labels)`);
  }
  const numClasses = labelArray.shape[1];
  const labelValues = toNumbers(labelArray, labelsName);
  const labels = new Uint8Array(labelValues.length);
  for (let i = 0; i < labelValues.length; i++) {
    const y = labelValues[i];
    if (y !== 0 && y !== 1) throw new UserError(`${labelsName}: value ${y} at node ${Math.floor(i / numClasses)} is not 0 or 1`);
    labels[i] = y;
  }

  const idsName = `${split}_graph_id.npy`;
  const idArray = readNpyFile(dir, idsName);
  if (idArray.shape.length !== 1 || idArray.shape[0] !== nodeCount) {
    throw new UserError(`${idsName}: shape (${idArray.shape.join(', ')}); expected ${nodeCount} graph ids (one per node)`);
  }
  const graphIds = toInt32(idArray, idsName);

  // Nodes of each graph id, in row order; each node's index inside its graph.
  const distinctIds = [...new Set(graphIds)].sort((a, b) => a - b);
  const graphIndex = new Map(distinctIds.map((id, g) => [id, g]));
  const members: number[][] = distinctIds.map(() => []);
  const localIndex = new Int32Array(nodeCount);
  for (let row = 0; row < nodeCount; row++) {
    const list = members[graphIndex.get(graphIds[row]) as number];
    localIndex[row] = list.length;
    list.push(row);
  }
  const edgeSources: number[][] = distinctIds.map(() => []);
  const edgeTargets: number[][] = distinctIds.map(() => []);
  for (let e = 0; e < sources.length; e++) {
    const u = sources[e];
    const v = targets[e];
    if (graphIds[u] !== graphIds[v]) {
      throw new UserError(`${jsonName}: link ${e} joins node ${u} (graph ${graphIds[u]}) and node ${v} (graph ${graphIds[v]}); links must stay inside one graph`);
    }
    const g = graphIndex.get(graphIds[u]) as number;
    edgeSources[g].push(localIndex[u]);
    edgeTargets[g].push(localIndex[v]);
  }

  const graphs = members.map((rowsOfGraph, g): GraphData => {
    const n = rowsOfGraph.length;
    const graphFeatures = new Float32Array(n * numFeatures);
    const graphLabels = new Uint8Array(n * numClasses);
    rowsOfGraph.forEach((row, local) => {
      graphFeatures.set(features.subarray(row * numFeatures, (row + 1) * numFeatures), local * numFeatures);
      graphLabels.set(labels.subarray(row * numClasses, (row + 1) * numClasses), local * numClasses);
    });
    const graph = buildGraph(n, edgeSources[g], edgeTargets[g], { symmetrise: true, selfLoops: true });
    return { graph, features: graphFeatures, labels: graphLabels };
  });
  return { numFeatures, numClasses, graphs };
}

function readNpyFile(dir: string, name: string): NpyArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, name));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${name} is missing from ${dir}` : `${name}: cannot read file (${code})`);
  }
  return parseNpy(bytes, name);
}

/**
 * Reads networkx node-link JSON. Node ids must be the integers 0..n-1, each once, in any order: an id
 * is the node's row in the .npy arrays (how both DGL and PyG read these files).
 */
function readNodeLinkJson(path: string, label: string): { nodeCount: number; sources: Int32Array; targets: Int32Array } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${label} is missing`);
    throw new UserError(`${label}: not valid JSON (${(error as Error).message})`);
  }
  const doc = parsed as { nodes?: unknown; links?: unknown; edges?: unknown };
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.nodes)) throw new UserError(`${label}: expected node-link JSON with a 'nodes' list`);
  const links = doc.links ?? doc.edges; // networkx 3.4+ can write 'edges'
  if (!Array.isArray(links)) throw new UserError(`${label}: expected node-link JSON with a 'links' list`);

  const nodeCount = doc.nodes.length;
  const isRow = (id: unknown): id is number => typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < nodeCount;
  const seen = new Uint8Array(nodeCount);
  (doc.nodes as unknown[]).forEach((node, position) => {
    const id = (node as { id?: unknown } | null)?.id;
    if (!isRow(id)) throw new UserError(`${label}: node ${position} has id ${JSON.stringify(id)}; ids must be the integers 0..${nodeCount - 1} (rows of the .npy arrays)`);
    if (seen[id]) throw new UserError(`${label}: node id ${id} appears twice`);
    seen[id] = 1;
  });
  const sources = new Int32Array(links.length);
  const targets = new Int32Array(links.length);
  links.forEach((link, e) => {
    const { source, target } = (link ?? {}) as { source?: unknown; target?: unknown };
    if (!isRow(source) || !isRow(target)) {
      const bad = isRow(source) ? target : source;
      throw new UserError(`${label}: link ${e} names node ${JSON.stringify(bad)}, which is not in 'nodes'`);
    }
    sources[e] = source;
    targets[e] = target;
  });
  return { nodeCount, sources, targets };
}
