import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { UserError } from '../errors';
import { buildGraph } from '../graph/build';
import type { Dataset } from './types';
import { validateDataset } from './validate';

/**
 * A user's own graph from CSV/TSV files:
 * - edges: `source,target` per line (extra columns ignored; every row must have the same count);
 * - labels: `id,label`, the label an integer class or a class name (names are numbered in sorted order);
 * - features (optional): `id,x1,x2,...`, all numeric. Without it every node gets one constant feature.
 *
 * Node ids: when every id in the edges file is a non-negative integer, the ids ARE the node indices
 * (nodes 0..max id, so ids that appear only in the features/labels files are isolated nodes);
 * otherwise ids are arbitrary strings numbered in order of first appearance in the edges file, and an
 * id the edges file does not mention is an error. Every node needs a label (and a features row when
 * a features file is given). A first line is taken as a header when it names the columns (e.g.
 * `source,target`, `id,label`) or, for numeric data, when it is not numeric. Lines starting with `#`
 * and blank lines are skipped. Tab-separated when the file ends in .tsv or its first line has a tab.
 */

export interface CsvDatasetFiles {
  edges: string;
  labels: string;
  features?: string;
}

const EDGE_NAMES = ['edges', 'edge_list', 'edgelist'];
const EXTENSIONS = ['.csv', '.tsv', '.txt'];

/** The files of a CSV dataset folder: edges.{csv,tsv,txt}, labels.*, optional features.*. */
export function findCsvFiles(dir: string): CsvDatasetFiles | null {
  const find = (stems: string[]) => {
    for (const stem of stems) for (const ext of EXTENSIONS) if (existsSync(join(dir, stem + ext))) return join(dir, stem + ext);
    return undefined;
  };
  const edges = find(EDGE_NAMES);
  if (!edges) return null;
  const labels = find(['labels', 'classes']);
  if (!labels) throw new UserError(`${dir}: has an edges file but no labels file (labels.csv or labels.tsv: id,label per line)`);
  const features = find(['features', 'feats']);
  return { edges, labels, ...(features ? { features } : {}) };
}

export function loadCsvFolder(dir: string, options: { name?: string; source?: string } = {}): Dataset {
  const files = findCsvFiles(dir);
  if (!files) throw new UserError(`${dir}: no edges file (edges.csv or edges.tsv: source,target per line)`);
  return loadCsvDataset(files, { name: options.name ?? basename(dir), source: options.source ?? dir });
}

interface Row {
  line: number;
  fields: string[];
}

export function loadCsvDataset(files: CsvDatasetFiles, options: { name?: string; source?: string } = {}): Dataset {
  const edgeRows = readTable(
    files.edges,
    2,
    (first, rest) =>
      isHeaderPair(first, EDGE_HEADER_FIRST, EDGE_HEADER_SECOND) ||
      (!(isIndex(first[0]) && isIndex(first[1])) && rest.length > 0 && rest.every((row) => isIndex(row[0]) && isIndex(row[1]))),
    'source,target',
  );
  const edgesLabel = basename(files.edges);
  const integerIds = edgeRows.every((row) => isIndex(row.fields[0]) && isIndex(row.fields[1]));

  // Node indices.
  const indexOf = new Map<string, number>();
  let numNodes = 0;
  if (integerIds) {
    for (const row of edgeRows) numNodes = Math.max(numNodes, Number(row.fields[0]) + 1, Number(row.fields[1]) + 1);
  } else {
    for (const row of edgeRows) {
      for (const id of row.fields.slice(0, 2)) if (!indexOf.has(id)) indexOf.set(id, indexOf.size);
    }
    numNodes = indexOf.size;
  }

  const labelRows = readTable(
    files.labels,
    2,
    (first, rest) =>
      isHeaderPair(first, ID_HEADER, LABEL_HEADER) ||
      (!isInteger(first[1]) && rest.length > 0 && rest.every((row) => isInteger(row[1]))),
    'id,label',
  );
  const featureRows = files.features
    ? readTable(files.features, 2, (first) => first.slice(1).some((f) => !isNumber(f)), 'id,x1,x2,...')
    : [];
  if (integerIds) {
    // Ids in the other files may add isolated nodes; a non-integer id there is an unknown node.
    for (const [file, rows] of [[files.labels, labelRows], [files.features ?? '', featureRows]] as const) {
      for (const row of rows) {
        if (!isIndex(row.fields[0])) throw new UserError(`${basename(file)} line ${row.line}: node id '${row.fields[0]}' is not a node of ${edgesLabel} (its ids are integers)`);
        numNodes = Math.max(numNodes, Number(row.fields[0]) + 1);
      }
    }
  }
  if (numNodes >= 2 ** 31) throw new UserError(`${edgesLabel}: node ids up to ${numNodes - 1} are too large`);
  const nodeOf = (file: string, row: Row): number => {
    const id = row.fields[0];
    const node = integerIds ? Number(id) : indexOf.get(id);
    if (node === undefined) throw new UserError(`${basename(file)} line ${row.line}: unknown node id '${id}' (not in ${edgesLabel})`);
    return node;
  };

  // Labels and features first: they fail fast (before any per-node allocation) when ids are sparse.
  const names = integerIds ? null : [...indexOf.keys()];
  const byNode = (file: string, rows: Row[], what: string) => ({ label: basename(file), rows, rowOfNode: assignRows(file, rows, numNodes, nodeOf, names, what) });
  const { labels, numClasses, classNames } = readLabels(byNode(files.labels, labelRows, 'label'));
  const { features, numFeatures } = files.features
    ? readFeatures(byNode(files.features, featureRows, 'features row'))
    : { features: new Float32Array(numNodes).fill(1), numFeatures: 1 };

  const sources = new Int32Array(edgeRows.length);
  const targets = new Int32Array(edgeRows.length);
  edgeRows.forEach((row, e) => {
    sources[e] = integerIds ? Number(row.fields[0]) : (indexOf.get(row.fields[0]) as number);
    targets[e] = integerIds ? Number(row.fields[1]) : (indexOf.get(row.fields[1]) as number);
  });
  const graph = buildGraph(numNodes, sources, targets, { symmetrise: true, selfLoops: true });

  const dataset: Dataset = {
    name: options.name ?? basename(files.edges).replace(/\.[^.]*$/, ''),
    task: 'multiclass',
    numFeatures,
    numClasses,
    graphs: [{ graph, features, labels }],
    ...(integerIds ? {} : { nodeNames: [...indexOf.keys()] }),
    ...(classNames ? { classNames } : {}),
    source: options.source ?? files.edges,
  };
  validateDataset(dataset, edgesLabel);
  return dataset;
}

/** A file of one row per node: its rows in file order, and the row of each node. */
interface NodeRows {
  label: string;
  rows: Row[];
  rowOfNode: Row[];
}

function readLabels({ label, rows, rowOfNode }: NodeRows): { labels: Int32Array; numClasses: number; classNames?: string[] } {
  const numNodes = rowOfNode.length;
  const numeric = rows.every((row) => isInteger(row.fields[1]));
  const labels = new Int32Array(numNodes);
  if (numeric) {
    let maxClass = 0;
    rows.forEach((row) => {
      const y = Number(row.fields[1]);
      if (y < 0) throw new UserError(`${label} line ${row.line}: label ${y} is negative`);
      if (y >= 2 ** 31) throw new UserError(`${label} line ${row.line}: label ${y} is too large`);
      maxClass = Math.max(maxClass, y);
    });
    for (let v = 0; v < numNodes; v++) labels[v] = Number(rowOfNode[v].fields[1]);
    return { labels, numClasses: maxClass + 1 };
  }
  const classNames = [...new Set(rows.map((row) => row.fields[1]))].sort();
  const classOf = new Map(classNames.map((name, c) => [name, c]));
  for (let v = 0; v < numNodes; v++) labels[v] = classOf.get(rowOfNode[v].fields[1]) as number;
  return { labels, numClasses: classNames.length, classNames };
}

function readFeatures({ label, rows, rowOfNode }: NodeRows): { features: Float32Array; numFeatures: number } {
  const numNodes = rowOfNode.length;
  const numFeatures = rows[0].fields.length - 1;
  const features = new Float32Array(numNodes * numFeatures);
  for (let v = 0; v < numNodes; v++) {
    const row = rowOfNode[v];
    for (let f = 0; f < numFeatures; f++) {
      const text = row.fields[f + 1];
      const value = Number(text);
      if (!isNumber(text) || !Number.isFinite(value)) {
        throw new UserError(`${label} line ${row.line}, column ${f + 2}: '${text}' is not a finite number`);
      }
      features[v * numFeatures + f] = value;
    }
  }
  return { features, numFeatures };
}

/** The row of each node; duplicate and missing nodes are errors naming the file and line. */
function assignRows(
  file: string,
  rows: Row[],
  numNodes: number,
  nodeOf: (file: string, row: Row) => number,
  names: string[] | null,
  what: string,
): Row[] {
  const label = basename(file);
  const missing = (v: number): never => {
    const id = names ? `'${names[v]}'` : String(v);
    throw new UserError(`${label}: no ${what} for node ${id}${names ? '' : ' (integer ids are node indices 0..N-1)'}`);
  };
  if (rows.length < numNodes) {
    // Some node has no row; the first such node is at most rows.length.
    const present = new Set(rows.map((row) => nodeOf(file, row)));
    for (let v = 0; v <= rows.length; v++) if (!present.has(v)) missing(v);
  }
  const rowOfNode: (Row | undefined)[] = new Array(numNodes);
  for (const row of rows) {
    const node = nodeOf(file, row);
    const previous = rowOfNode[node];
    if (previous) throw new UserError(`${label} line ${row.line}: duplicate node id '${row.fields[0]}' (first on line ${previous.line})`);
    rowOfNode[node] = row;
  }
  for (let v = 0; v < numNodes; v++) if (!rowOfNode[v]) missing(v);
  return rowOfNode as Row[];
}

// ---------------------------------------------------------------------------------------------------
// Table reading

const EDGE_HEADER_FIRST = ['src', 'source', 'from', 'node1', 'node_1', 'source_id', 'src_id', 'id1', 'head'];
const EDGE_HEADER_SECOND = ['dst', 'target', 'to', 'node2', 'node_2', 'target_id', 'dst_id', 'id2', 'tail', 'destination'];
const ID_HEADER = ['id', 'node', 'node_id', 'nodeid', 'name', 'node_name'];
const LABEL_HEADER = ['label', 'labels', 'class', 'y', 'target', 'category'];

function isHeaderPair(fields: string[], first: string[], second: string[]): boolean {
  return first.includes(fields[0].toLowerCase()) && second.includes(fields[1].toLowerCase());
}

function isIndex(text: string): boolean {
  return /^(0|[1-9]\d*)$/.test(text);
}

function isInteger(text: string): boolean {
  return /^-?\d+$/.test(text);
}

function isNumber(text: string): boolean {
  return text.trim() !== '' && !Number.isNaN(Number(text));
}

/**
 * Splits a file into rows of fields with csv-parse: RFC 4180 quoting (a quoted field may hold the
 * separator, doubled quotes or a line break), `#` comment lines and blank lines skipped, fields
 * trimmed. Then our checks: at least `minColumns` per row, the same count on every row, no empty
 * key column. `isHeader` decides whether the first row names the columns.
 */
function readTable(
  file: string,
  minColumns: number,
  isHeader: (first: string[], rest: string[][]) => boolean,
  expected: string,
): Row[] {
  const label = basename(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file}: file not found` : `${label}: cannot read file (${code})`);
  }
  let text: string;
  try {
    // Strict: replacing bad bytes with U+FFFD would silently merge distinct node names.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${label}: not valid UTF-8 text (save the file as UTF-8)`);
  }
  // One line ending, so line numbers count lines as an editor does; whitespace-only lines are blank.
  text = text.replace(/\r\n?/g, '\n').replace(/^[ \t]+$/gm, '');
  const firstLine = text.split('\n', 50).find((line) => line !== '' && !line.startsWith('#')) ?? '';
  const separator = file.toLowerCase().endsWith('.tsv') || firstLine.includes('\t') ? '\t' : ',';
  const rows = parseRows(text, separator, label);
  if (rows.length === 0) throw new UserError(`${label}: no data rows (expected ${expected})`);
  const columns = rows[0].fields.length;
  if (columns < minColumns) throw new UserError(`${label} line ${rows[0].line}: ${columns} column(s), expected at least ${minColumns} (${expected})`);
  for (const row of rows) {
    if (row.fields.length !== columns) {
      throw new UserError(`${label} line ${row.line}: ${row.fields.length} columns, but line ${rows[0].line} has ${columns}`);
    }
  }
  if (isHeader(rows[0].fields, rows.slice(1).map((row) => row.fields))) rows.shift();
  if (rows.length === 0) throw new UserError(`${label}: no data rows after the header (expected ${expected})`);
  for (const row of rows) {
    const empty = row.fields.slice(0, minColumns).findIndex((field) => field === '');
    if (empty >= 0) throw new UserError(`${label} line ${row.line}: column ${empty + 1} is empty`);
  }
  return rows;
}

/** csv-parse's records with their line numbers (a record's last line); its errors in our words. */
function parseRows(text: string, separator: string, label: string): Row[] {
  try {
    const records = parse(text, {
      delimiter: separator,
      record_delimiter: '\n',
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      // row lengths and stray quotes inside unquoted fields are ours to judge
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
      bom: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map(({ record, info }) => ({ line: info.lines, fields: record }));
  } catch (error) {
    const { code, lines, message } = error as { code?: string; lines?: number; message: string };
    const problem =
      code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'unterminated quoted field'
        : code === 'CSV_INVALID_CLOSING_QUOTE' || code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE'
          ? 'text after a quoted field'
          : message;
    throw new UserError(`${label}${lines ? ` line ${lines}` : ''}: ${problem}`, { cause: error });
  }
}
