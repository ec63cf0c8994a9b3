import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { UserError } from '../errors';
import type { Task } from '../../contract/api';
import type { GraphData } from '../graph/graph-data';
import type { Dataset, GraphSplit } from './types';
import { validateDataset } from './validate';

/**
 * A dataset's canonical arrays as one byte string, and their SHA-256: the identity of the data a run
 * trained on, whatever file format, path or cache it came from. Only what training reads is in it
 * (task, sizes, each graph's by-destination CSR, features, labels, a shipped graph split); names and
 * sources are not, so `cora` from the catalog and the same arrays imported under another name hash
 * alike. The queue sends these bytes to remote workers, which decode and check them.
 *
 * Layout: the magic line, one line of JSON header, then per graph its offsets (int32), sources
 * (int32), features (float32) and labels (int32 or uint8), little-endian, back to back.
 */

const MAGIC = 'alignahead-dataset/1\n';

interface Header {
  task: Task;
  numFeatures: number;
  numClasses: number;
  graphs: { nodes: number; edges: number }[];
  graphSplit: GraphSplit | null;
}

if (endianness() !== 'LE') throw new Error('canonical dataset bytes assume a little-endian machine');

/** The canonical bytes of a dataset. */
export function canonicalDatasetBytes(dataset: Dataset): Uint8Array {
  return Buffer.concat(canonicalParts(dataset));
}

/** SHA-256 (lower-case hex) of the canonical bytes, hashed part by part (no copy of the arrays). */
export function datasetSha256(dataset: Dataset): string {
  const hash = createHash('sha256');
  for (const part of canonicalParts(dataset)) hash.update(part);
  return hash.digest('hex');
}

function canonicalParts(dataset: Dataset): Uint8Array[] {
  const header: Header = {
    task: dataset.task,
    numFeatures: dataset.numFeatures,
    numClasses: dataset.numClasses,
    graphs: dataset.graphs.map((g) => ({ nodes: g.graph.numNodes, edges: g.graph.sources.length })),
    graphSplit: dataset.graphSplit ? { train: [...dataset.graphSplit.train], val: [...dataset.graphSplit.val], test: [...dataset.graphSplit.test] } : null,
  };
  const parts: Uint8Array[] = [Buffer.from(MAGIC + JSON.stringify(header) + '\n', 'utf8')];
  for (const g of dataset.graphs) {
    for (const array of [g.graph.offsets, g.graph.sources, g.features, g.labels]) parts.push(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }
  return parts;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The canonical size of a dataset in bytes, without building it. */
export function canonicalDatasetSize(dataset: Dataset): number {
  let total = 0;
  for (const g of dataset.graphs) total += g.graph.offsets.byteLength + g.graph.sources.byteLength + g.features.byteLength + g.labels.byteLength;
  return total + 4096;
}

/**
 * Decodes canonical bytes that came from another machine: every size is checked against the bytes
 * present, and the result passes the same validation as a dataset read from a file. `label` names
 * it in errors.
 */
export function decodeCanonicalDataset(bytes: Uint8Array, label: string, meta: { name: string; source: string }): Dataset {
  const fail = (problem: string): never => {
    throw new UserError(`${label}: ${problem}`);
  };
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) fail('not canonical dataset bytes (bad magic)');
  const headerEnd = buffer.indexOf(0x0a, MAGIC.length);
  if (headerEnd < 0 || headerEnd - MAGIC.length > 1_000_000) fail('the header line is missing or too long');
  let header: Header;
  try {
    header = JSON.parse(buffer.subarray(MAGIC.length, headerEnd).toString('utf8')) as Header;
  } catch (error) {
    return fail(`the header is not JSON (${(error as Error).message})`);
  }
  const count = (what: string, value: unknown, max = 2 ** 31 - 1): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) fail(`header: ${what} ${String(value)} is not a count`);
    return value as number;
  };
  if (header === null || typeof header !== 'object') fail('header: expected an object');
  if (header.task !== 'multiclass' && header.task !== 'multilabel') fail(`header: unknown task ${String(header.task)}`);
  const numFeatures = count('numFeatures', header.numFeatures);
  const numClasses = count('numClasses', header.numClasses);
  if (!Array.isArray(header.graphs) || header.graphs.length === 0 || header.graphs.length > 1_000_000) fail('header: graphs must be a non-empty list');
  let offset = headerEnd + 1;
  const take = <T>(what: string, elements: number, width: number, make: (b: ArrayBuffer, o: number, n: number) => T): T => {
    const byteLength = elements * width;
    if (offset + byteLength > buffer.byteLength) fail(`${what} needs ${byteLength} bytes, only ${buffer.byteLength - offset} remain`);
    // a copy: typed arrays need aligned offsets, and the dataset must not pin the transport buffer
    const copy = new ArrayBuffer(byteLength);
    new Uint8Array(copy).set(buffer.subarray(offset, offset + byteLength));
    offset += byteLength;
    return make(copy, 0, elements);
  };
  const graphs: GraphData[] = header.graphs.map((g, i) => {
    const nodes = count(`graphs[${i}].nodes`, g?.nodes);
    const edges = count(`graphs[${i}].edges`, g?.edges);
    const offsets = take(`graph ${i} offsets`, nodes + 1, 4, (b, o, n) => new Int32Array(b, o, n));
    const sources = take(`graph ${i} sources`, edges, 4, (b, o, n) => new Int32Array(b, o, n));
    const features = take(`graph ${i} features`, nodes * numFeatures, 4, (b, o, n) => new Float32Array(b, o, n));
    const labels =
      header.task === 'multiclass'
        ? take(`graph ${i} labels`, nodes, 4, (b, o, n) => new Int32Array(b, o, n))
        : take(`graph ${i} labels`, nodes * numClasses, 1, (b, o, n) => new Uint8Array(b, o, n));
    return { graph: { numNodes: nodes, offsets, sources }, features, labels };
  });
  if (offset !== buffer.byteLength) fail(`${buffer.byteLength - offset} bytes after the last array`);
  const split = header.graphSplit;
  const dataset: Dataset = {
    name: meta.name,
    source: meta.source,
    task: header.task,
    numFeatures,
    numClasses,
    graphs,
    ...(split ? { graphSplit: { train: [...split.train], val: [...split.val], test: [...split.test] } } : {}),
  };
  if (split && !(Array.isArray(split.train) && Array.isArray(split.val) && Array.isArray(split.test))) fail('header: graphSplit needs train, val and test lists');
  validateDataset(dataset, label);
  return dataset;
}
