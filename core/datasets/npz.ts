import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError } from '../errors';
import { buildGraph } from '../graph/build';
import { parseNpy, toFloat32, toInt32, toNumbers, type NpyArray } from './npy';
import { rowNormalise } from './preprocess';
import type { Dataset } from './types';
import { validateDataset } from './validate';
import { openZip, type ZipLimits } from './zip';

/**
 * NumPy `.npz` archives (a ZIP of `.npy` files) and the gnn-benchmark dataset layout stored in them.
 */

export interface NpzFile {
  readonly label: string;
  /** array names (entry names without the `.npy` suffix) */
  readonly names: readonly string[];
  has(name: string): boolean;
  /** parses the array on each call; object (pickle) arrays are refused here, not when opening */
  get(name: string): NpyArray;
}

/** Opens an `.npz` from a path or bytes; arrays are parsed only when asked for. */
export function openNpz(source: string | Uint8Array, label?: string, limits?: ZipLimits): NpzFile {
  const name = label ?? (typeof source === 'string' ? basename(source) : 'npz');
  const bytes = typeof source === 'string' ? readFile(source, name) : source;
  const zip = openZip(bytes, name, limits);
  // Two entries of one name read differently in different tools, and a name that climbs out of the
  // archive is an extraction attack: neither is in a NumPy archive, so both are refused.
  const seen = new Set<string>();
  for (const entry of zip.entries) {
    if (seen.has(entry.name)) throw new UserError(`${name}: has a duplicate entry '${entry.name}' (an archive names each array once)`);
    seen.add(entry.name);
    if (isUnsafeEntryName(entry.name)) throw new UserError(`${name}: has an unsafe entry name '${entry.name}' (absolute, or leading outside the archive)`);
  }
  const arrays = new Map(
    zip.entries.filter((e) => !e.isDirectory && e.name.endsWith('.npy')).map((e) => [e.name.slice(0, -'.npy'.length), e]),
  );
  return {
    label: name,
    names: [...arrays.keys()],
    has: (array) => arrays.has(array),
    get: (array) => {
      const entry = arrays.get(array);
      if (!entry) throw new UserError(`${name}: array '${array}' is missing`);
      return parseNpy(zip.read(entry), `${name}: array '${array}'`);
    },
  };
}

function isUnsafeEntryName(entryName: string): boolean {
  return /^([/\\]|[A-Za-z]:)/.test(entryName) || entryName.split(/[/\\]/).includes('..');
}

/** Reads every array of an `.npz`. */
export function readNpz(source: string | Uint8Array, label?: string): Map<string, NpyArray> {
  const npz = openNpz(source, label);
  return new Map(npz.names.map((name) => [name, npz.get(name)]));
}

function readFile(path: string, label: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UserError(`${label}: cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

// ---------------------------------------------------------------------------------------------------
// gnn-benchmark layout (Shchur et al.): CSR adjacency, CSR or dense features, one int label per node.

/** Dense features larger than this many floats (4 GiB) are refused rather than attempted. */
const MAX_FEATURE_VALUES = 2 ** 30;

export interface GnnBenchmarkOptions {
  /** display name; default: the file's base name without `.npz` */
  name?: string;
  /** name used in error messages; default: the file's base name */
  label?: string;
  /** recorded as Dataset.source; default: the path */
  source?: string;
}

/**
 * Loads a gnn-benchmark `.npz` (Cora, CiteSeer, PubMed, Amazon, Coauthor) as the data protocol asks:
 * adjacency symmetrised with one self-loop per node, features row-normalised.
 */
export function loadGnnBenchmarkNpz(input: string | Uint8Array, options: GnnBenchmarkOptions = {}): Dataset {
  const label = options.label ?? (typeof input === 'string' ? basename(input) : 'dataset.npz');
  const npz = openNpz(input, label);
  const fail = (problem: string): never => {
    throw new UserError(`${label}: ${problem}`);
  };
  const required = (name: string): NpyArray => {
    if (!npz.has(name)) fail(`array '${name}' is missing`);
    return npz.get(name);
  };

  const adjShape = csrShape(required('adj_shape'), 'adj_shape', fail);
  const [numNodes, adjColumns] = adjShape;
  if (numNodes !== adjColumns) fail(`'adj_shape' is (${numNodes}, ${adjColumns}); the adjacency matrix must be square`);
  const adjacency = readCsr(npz, 'adj', numNodes, adjColumns, required, fail);

  // Features: CSR attr_* (most files) or a dense attr_matrix.
  let numFeatures: number;
  let features: Float32Array;
  if (npz.has('attr_data') || npz.has('attr_shape')) {
    const [rows, columns] = csrShape(required('attr_shape'), 'attr_shape', fail);
    if (rows !== numNodes) fail(`shape mismatch: 'attr_shape' has ${rows} rows but 'adj_shape' has ${numNodes} nodes`);
    numFeatures = columns;
    checkFeatureSize(numNodes, numFeatures, fail);
    const attributes = readCsr(npz, 'attr', rows, columns, required, fail);
    features = new Float32Array(numNodes * numFeatures);
    for (let row = 0; row < rows; row++) {
      for (let k = attributes.indptr[row]; k < attributes.indptr[row + 1]; k++) {
        features[row * numFeatures + attributes.indices[k]] += attributes.values[k];
      }
    }
  } else if (npz.has('attr_matrix')) {
    const matrix = npz.get('attr_matrix');
    if (matrix.shape.length !== 2) fail(`'attr_matrix' has shape (${matrix.shape.join(', ')}); expected (nodes, features)`);
    if (matrix.shape[0] !== numNodes) fail(`shape mismatch: 'attr_matrix' has ${matrix.shape[0]} rows but 'adj_shape' has ${numNodes} nodes`);
    numFeatures = matrix.shape[1];
    features = toFloat32(matrix, `${label}: array 'attr_matrix'`);
  } else {
    return fail("array 'attr_data' (sparse features) or 'attr_matrix' (dense features) is missing");
  }
  checkFinite(features, numFeatures, fail);

  // Labels: one class index per node.
  if (!npz.has('labels') && npz.has('labels_data')) fail('labels stored as a sparse matrix (labels_data) are not supported; expected one class index per node');
  const labelArray = required('labels');
  if (labelArray.shape.length !== 1) fail(`'labels' has shape (${labelArray.shape.join(', ')}); expected one class index per node`);
  if (labelArray.shape[0] !== numNodes) fail(`shape mismatch: 'labels' has ${labelArray.shape[0]} entries but 'adj_shape' has ${numNodes} nodes`);
  const labels = toInt32(labelArray, `${label}: array 'labels'`);
  let maxLabel = -1;
  for (let v = 0; v < numNodes; v++) {
    if (labels[v] < 0) fail(`'labels' has negative class ${labels[v]} at node ${v}`);
    maxLabel = Math.max(maxLabel, labels[v]);
  }
  const classNames = optionalStrings(npz, 'class_names', fail);
  const numClasses = classNames ? classNames.length : maxLabel + 1;
  if (maxLabel >= numClasses) fail(`'labels' has class ${maxLabel} but 'class_names' lists only ${numClasses} classes`);
  const nodeNames = optionalStrings(npz, 'node_names', fail);
  if (nodeNames && nodeNames.length !== numNodes) fail(`shape mismatch: 'node_names' has ${nodeNames.length} entries but 'adj_shape' has ${numNodes} nodes`);

  // Edges u→v for every stored entry A[u, v]; explicit zeros are kept, as scipy's tocoo() keeps them.
  const sources = new Int32Array(adjacency.indices.length);
  for (let row = 0; row < numNodes; row++) sources.fill(row, adjacency.indptr[row], adjacency.indptr[row + 1]);
  const graph = buildGraph(numNodes, sources, adjacency.indices, { symmetrise: true, selfLoops: true });
  rowNormalise(features, numNodes, numFeatures);

  const dataset: Dataset = {
    name: options.name ?? label.replace(/\.npz$/i, ''),
    task: 'multiclass',
    numFeatures,
    numClasses,
    graphs: [{ graph, features, labels }],
    ...(nodeNames ? { nodeNames } : {}),
    ...(classNames ? { classNames } : {}),
    source: options.source ?? (typeof input === 'string' ? input : label),
  };
  validateDataset(dataset, label);
  return dataset;
}

interface Csr {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** A `*_shape` array: two non-negative integers. */
function csrShape(array: NpyArray, name: string, fail: (problem: string) => never): [number, number] {
  if (array.shape.length !== 1 || array.shape[0] !== 2) fail(`'${name}' has shape (${array.shape.join(', ')}); expected 2 values (rows, columns)`);
  const [rows, columns] = toNumbers(array, name);
  for (const dim of [rows, columns]) {
    if (!Number.isSafeInteger(dim) || dim < 0) fail(`'${name}' holds ${dim}, not a non-negative integer`);
  }
  if (rows >= 2 ** 31 || columns >= 2 ** 31) fail(`'${name}' claims an absurd size (${rows} × ${columns})`);
  return [rows, columns];
}

/** Reads and checks `<prefix>_data/_indices/_indptr` against the expected matrix size. */
function readCsr(
  npz: NpzFile,
  prefix: string,
  rows: number,
  columns: number,
  required: (name: string) => NpyArray,
  fail: (problem: string) => never,
): Csr {
  const ptrName = `${prefix}_indptr`;
  const indicesName = `${prefix}_indices`;
  const dataName = `${prefix}_data`;
  const ptrArray = required(ptrName);
  if (ptrArray.shape.length !== 1 || ptrArray.shape[0] !== rows + 1) {
    fail(`shape mismatch: '${ptrName}' has shape (${ptrArray.shape.join(', ')}); expected ${rows + 1} entries (rows + 1)`);
  }
  const indptr = toInt32(ptrArray, `${npz.label}: array '${ptrName}'`);
  const indices = toInt32(required(indicesName), `${npz.label}: array '${indicesName}'`);
  const values = toFloat32(required(dataName), `${npz.label}: array '${dataName}'`);
  if (indptr[0] !== 0) fail(`'${ptrName}' starts at ${indptr[0]}, expected 0`);
  for (let row = 0; row < rows; row++) {
    if (indptr[row + 1] < indptr[row]) fail(`'${ptrName}' is not monotone: it decreases at row ${row} (${indptr[row]} then ${indptr[row + 1]})`);
  }
  if (indptr[rows] !== indices.length) fail(`shape mismatch: '${ptrName}' ends at ${indptr[rows]} but '${indicesName}' has ${indices.length} entries`);
  if (values.length !== indices.length) fail(`shape mismatch: '${dataName}' has ${values.length} entries but '${indicesName}' has ${indices.length}`);
  for (let k = 0; k < indices.length; k++) {
    if (indices[k] < 0 || indices[k] >= columns) fail(`'${indicesName}' has index ${indices[k]} at position ${k}, out of range for ${columns} columns`);
  }
  return { indptr, indices, values };
}

function checkFeatureSize(numNodes: number, numFeatures: number, fail: (problem: string) => never): void {
  if (numNodes * numFeatures > MAX_FEATURE_VALUES) {
    fail(`dense features would need ${numNodes} × ${numFeatures} values, more than the limit of ${MAX_FEATURE_VALUES}`);
  }
}

function checkFinite(features: Float32Array, numFeatures: number, fail: (problem: string) => never): void {
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i])) {
      const node = Math.floor(i / numFeatures);
      fail(`feature ${i - node * numFeatures} of node ${node} is ${features[i]} (features must be finite numbers)`);
    }
  }
}

/** An optional 1-D names array; object (pickled) names are skipped, since pickles are never loaded. */
function optionalStrings(npz: NpzFile, name: string, fail: (problem: string) => never): string[] | undefined {
  if (!npz.has(name)) return undefined;
  let array: NpyArray;
  try {
    array = npz.get(name);
  } catch (error) {
    if (error instanceof UserError && /pickle/.test(error.message)) return undefined;
    throw error;
  }
  if (array.shape.length !== 1) fail(`'${name}' has shape (${array.shape.join(', ')}); expected a list of names`);
  if (Array.isArray(array.data)) return array.data;
  return Array.from(toNumbers(array, `${npz.label}: array '${name}'`), String);
}
