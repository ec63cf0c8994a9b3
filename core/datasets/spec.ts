import { UserError } from '../errors';
import { CSBM_DEFAULT_FEATURES, csbmSpecText, generateCsbm } from './csbm';
import { PPI_LIKE_DEFAULTS, PPI_TOTALS, generatePpiCalibrated, generatePpiLike, ppiLikeSpecText } from './ppi-like';
import type { Dataset } from './types';

/** A synthetic dataset named by a spec string (see describeSpecs). */
export type DatasetSpec =
  | { kind: 'csbm'; nodes: number; edges: number; classes: number; features: number; featureNoise?: number; homophily?: number }
  | { kind: 'ppi-like'; graphs: number; nodesPerGraph: number; edgesPerGraph: number; labels: number; features: number }
  /** plain "ppi-like": calibrated to PPI's published totals */
  | { kind: 'ppi-like'; calibrated: 'ppi' };

/** Help text for the spec grammar, for `--help` and error messages. */
export function describeSpecs(): string {
  const d = PPI_LIKE_DEFAULTS;
  const t = PPI_TOTALS;
  return [
    'Synthetic datasets are named by spec strings:',
    `  csbm:NODES:EDGES:CLASSES[:FEATURES][:noise=X][:homophily=H]   contextual stochastic block model`,
    `                                         (features default ${CSBM_DEFAULT_FEATURES}, noise 2, homophily 0.8 as the PyTorch peer's),`,
    '                                         e.g. csbm:2000:20000:5; EDGES directed draws before symmetrising.',
    '                                         The defaults are nearly separable from features alone; noise=5 makes',
    '                                         the graph matter (the embedded demo dataset uses it)',
    `  ppi-like[:GRAPHS:NODES:EDGES:LABELS[:FEATURES]]   multi-graph multi-label data shaped like PPI. Plain ppi-like`,
    `                                         is calibrated to PPI: ${t.graphs} graphs (${t.split.train}/${t.split.val}/${t.split.test}), ${t.nodes.toLocaleString('en')} nodes, ${t.edges.toLocaleString('en')} edges,`,
    `                                         ${t.features} features, ${t.labels} labels, ${Math.round(100 * t.positiveRate)}% positive. With sizes, every graph has NODES`,
    `                                         nodes and EDGES directed draws (features default ${d.features}), e.g. ppi-like:${d.graphs}:${d.nodesPerGraph}:${d.edgesPerGraph}:${d.labels}`,
    'A spec always names the same data (generator seed 0); the run seed only draws the split.',
  ].join('\n');
}

/**
 * Parses a dataset spec. Returns null when `text` is not a generator spec at all (e.g. a file path
 * or catalog name), and throws a UserError quoting the spec when it is one but malformed.
 */
export function parseDatasetSpec(text: string): DatasetSpec | null {
  const [kind, ...fields] = text.trim().split(':');
  if (kind === 'csbm') return parseCsbm(text, fields);
  if (kind === 'ppi-like') return parsePpiLike(text, fields);
  return null;
}

/** The dataset a spec names; `seed` (default 0) is the generator seed. */
export function datasetFromSpec(text: string, seed = 0): Dataset {
  const spec = parseDatasetSpec(text);
  if (spec === null) throw new UserError(`dataset spec '${text}': not a synthetic dataset spec\n${describeSpecs()}`);
  try {
    if (spec.kind === 'csbm') {
      const { nodes, edges, classes, features, featureNoise, homophily } = spec;
      return { ...generateCsbm({ nodes, edges, classes, features, featureNoise, homophily, seed }), name: text.trim() };
    }
    if ('calibrated' in spec) return generatePpiCalibrated(seed);
    return generatePpiLike({ ...withoutKind(spec), seed });
  } catch (error) {
    // The generators check sizes against memory limits; say which spec asked for them.
    if (error instanceof UserError) throw specError(text, error.message);
    throw error;
  }
}

/** The canonical text of a spec (defaults left out), e.g. for naming runs. */
export function specText(spec: DatasetSpec): string {
  if (spec.kind === 'csbm') {
    const named = [
      ...(spec.featureNoise !== undefined ? [`noise=${spec.featureNoise}`] : []),
      ...(spec.homophily !== undefined ? [`homophily=${spec.homophily}`] : []),
    ];
    const base = csbmSpecText(spec.nodes, spec.edges, spec.classes, spec.features);
    if (named.length === 0) return base;
    // named parameters need the FEATURES field to be written out, so positions stay unambiguous
    return [`csbm:${spec.nodes}:${spec.edges}:${spec.classes}:${spec.features}`, ...named].join(':');
  }
  if ('calibrated' in spec) return 'ppi-like';
  return ppiLikeSpecText(withoutKind(spec));
}

function withoutKind(spec: Extract<DatasetSpec, { nodesPerGraph: number }>) {
  const { graphs, nodesPerGraph, edgesPerGraph, labels, features } = spec;
  return { graphs, nodesPerGraph, edgesPerGraph, labels, features };
}

function parseCsbm(text: string, allFields: string[]): DatasetSpec {
  const fields = allFields.filter((f) => !f.includes('='));
  const named = allFields.filter((f) => f.includes('='));
  if (allFields.findIndex((f) => f.includes('=')) !== -1 && allFields.findIndex((f) => f.includes('=')) < fields.length) {
    throw specError(text, 'named parameters (noise=, homophily=) must come after the numbers');
  }
  if (fields.length !== 3 && fields.length !== 4) {
    throw specError(text, `expected csbm:NODES:EDGES:CLASSES[:FEATURES], got ${fields.length} numbers`);
  }
  const names = ['NODES', 'EDGES', 'CLASSES', 'FEATURES'];
  const [nodes, edges, classes, features = CSBM_DEFAULT_FEATURES] = fields.map((field, i) => parseCount(text, names[i], field));
  if (nodes < 2) throw specError(text, `NODES must be at least 2, got ${nodes}`);
  if (classes < 2) throw specError(text, `CLASSES must be at least 2, got ${classes}`);
  if (classes > nodes) throw specError(text, `CLASSES (${classes}) cannot exceed NODES (${nodes})`);
  if (features < 1) throw specError(text, `FEATURES must be at least 1, got ${features}`);
  const spec: DatasetSpec = { kind: 'csbm', nodes, edges, classes, features };
  for (const pair of named) {
    const [key, raw] = pair.split('=');
    const value = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isFinite(value)) throw specError(text, `${key}: '${raw}' is not a number`);
    if (key === 'noise') {
      if (value < 0) throw specError(text, `noise must be at least 0, got ${value}`);
      spec.featureNoise = value;
    } else if (key === 'homophily') {
      if (value < 0 || value > 1) throw specError(text, `homophily must be between 0 and 1, got ${value}`);
      spec.homophily = value;
    } else {
      throw specError(text, `unknown parameter '${key}' (known: noise, homophily)`);
    }
  }
  return spec;
}

function parsePpiLike(text: string, fields: string[]): DatasetSpec {
  const d = PPI_LIKE_DEFAULTS;
  if (fields.length === 0) return { kind: 'ppi-like', calibrated: 'ppi' };
  if (fields.length !== 4 && fields.length !== 5) {
    throw specError(text, `expected ppi-like or ppi-like:GRAPHS:NODES:EDGES:LABELS[:FEATURES], got ${fields.length} numbers`);
  }
  const names = ['GRAPHS', 'NODES', 'EDGES', 'LABELS', 'FEATURES'];
  const [graphs, nodesPerGraph, edgesPerGraph, labels, features = d.features] = fields.map((field, i) => parseCount(text, names[i], field));
  if (graphs < 3) throw specError(text, `GRAPHS must be at least 3 (train, validation and test), got ${graphs}`);
  if (nodesPerGraph < 2) throw specError(text, `NODES must be at least 2, got ${nodesPerGraph}`);
  if (labels < 1) throw specError(text, `LABELS must be at least 1, got ${labels}`);
  if (features < 1) throw specError(text, `FEATURES must be at least 1, got ${features}`);
  return { kind: 'ppi-like', graphs, nodesPerGraph, edgesPerGraph, labels, features };
}

function parseCount(text: string, name: string, field: string): number {
  if (!/^\d+$/.test(field)) throw specError(text, `${name} '${field}' is not a whole number`);
  const value = Number(field);
  if (!Number.isSafeInteger(value)) throw specError(text, `${name} ${field} is too large`);
  return value;
}

function specError(text: string, problem: string): UserError {
  return new UserError(`dataset spec '${text}': ${problem}`);
}
