import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCsvFiles, loadCsvDataset, loadCsvFolder } from './csv';
import { expectUserError, incoming, scratchFolder } from './testing/fixtures';

const root = scratchFolder('csv-test-');
let counter = 0;

/** Writes the given files into a fresh folder and returns it. */
function folder(files: Record<string, string>): string {
  const dir = join(root, `case-${counter++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('CSV import', () => {
  it('maps string ids to nodes in order of first appearance, with a header, features and class names', () => {
    const dir = folder({
      'edges.csv': 'source,target\nalice,bob\nbob,carol\r\n\n# a comment\ndave,alice\n',
      'features.csv': 'id,age,score\ncarol,3,0.5\nalice,1,-2\nbob,2,1e-3\ndave,4,0\n',
      'labels.csv': 'id,label\nalice,cat\nbob,dog\ncarol,cat\ndave,"bird, small"\n',
    });
    const dataset = loadCsvFolder(dir, { name: 'pets' });
    expect(dataset.name).toBe('pets');
    expect(dataset.nodeNames).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(incoming(dataset)).toEqual([[0, 1, 3], [0, 1, 2], [1, 2], [0, 3]]);
    expect(dataset.numFeatures).toBe(2);
    expect(Array.from(dataset.graphs[0].features)).toEqual([1, -2, 2, Math.fround(1e-3), 3, 0.5, 4, 0]);
    expect(dataset.classNames).toEqual(['bird, small', 'cat', 'dog']);
    expect(Array.from(dataset.graphs[0].labels)).toEqual([1, 2, 1, 0]);
    expect(dataset.numClasses).toBe(3);
  });

  it('uses integer ids as node indices, including isolated nodes named only in the labels', () => {
    const dir = folder({ 'edges.tsv': '0\t1\n1\t2\n', 'labels.tsv': '0\t1\n1\t0\n2\t1\n3\t4\n' });
    const dataset = loadCsvFolder(dir);
    expect(dataset.graphs[0].graph.numNodes).toBe(4);
    expect(incoming(dataset)).toEqual([[0, 1], [0, 1, 2], [1, 2], [3]]);
    expect(Array.from(dataset.graphs[0].labels)).toEqual([1, 0, 1, 4]);
    expect(dataset.numClasses).toBe(5);
    expect(dataset.nodeNames).toBeUndefined();
    // No features file: one constant feature per node.
    expect(dataset.numFeatures).toBe(1);
    expect(Array.from(dataset.graphs[0].features)).toEqual([1, 1, 1, 1]);
  });

  it('detects a header of unknown column names when the data below is numeric', () => {
    const dir = folder({ 'edges.csv': 'paper,cites\n0,1\n', 'labels.csv': 'node,topic\n0,1\n1,0\n', 'features.csv': 'node,w0\n0,1\n1,2\n' });
    const dataset = loadCsvFolder(dir);
    expect(dataset.graphs[0].graph.numNodes).toBe(2);
    expect(Array.from(dataset.graphs[0].features)).toEqual([1, 2]);
  });

  it('reads RFC 4180 fields (separators, doubled quotes, line breaks inside quotes) with any line ending', () => {
    const dir = folder({
      'edges.csv': 'source,target\r\n"a, the first","b ""two"""\r\n\r\n  \r\n"multi\nline","a, the first"\r\n',
      'labels.csv': 'id,label\r"a, the first",x\rb "two",y\r"multi\nline",x\r',
    });
    const dataset = loadCsvFolder(dir);
    expect(dataset.nodeNames).toEqual(['a, the first', 'b "two"', 'multi\nline']);
    expect(Array.from(dataset.graphs[0].labels)).toEqual([0, 1, 0]);
  });

  it('counts lines as an editor does, whatever the line endings', () => {
    const dir = folder({ 'edges.csv': 'source,target\r\n0,1\r\n\r\n# note\r\n1\r\n', 'labels.csv': '0,0\n1,1\n' });
    expectUserError(() => loadCsvFolder(dir), /^edges\.csv line 5: 1 columns, but line 1 has 2$/);
  });

  it('finds the files of a folder and says when there are none', () => {
    const dir = folder({ 'edges.csv': 'a,b\n', 'labels.csv': 'a,0\nb,1\n', 'features.tsv': 'a\t1\nb\t2\n' });
    expect(findCsvFiles(dir)).toEqual({ edges: join(dir, 'edges.csv'), labels: join(dir, 'labels.csv'), features: join(dir, 'features.tsv') });
    expect(findCsvFiles(folder({ 'other.csv': '' }))).toBeNull();
    expectUserError(() => findCsvFiles(folder({ 'edges.csv': 'a,b\n' })), /has an edges file but no labels file/);
  });
});

describe('CSV errors name the file and line', () => {
  const load = (files: Record<string, string>) => () => {
    const dir = folder(files);
    return loadCsvDataset({
      edges: join(dir, 'edges.csv'),
      labels: join(dir, 'labels.csv'),
      ...(files['features.csv'] ? { features: join(dir, 'features.csv') } : {}),
    });
  };
  const labels = 'a,0\nb,1\nc,0\n';

  it('refuses ragged rows', () => {
    expectUserError(load({ 'edges.csv': 'a,b\nb,c,1\n', 'labels.csv': labels }), /^edges\.csv line 2: 3 columns, but line 1 has 2$/);
    expectUserError(load({ 'edges.csv': 'a,b\nb,c\n', 'labels.csv': labels, 'features.csv': 'a,1,2\nb,1\nc,1,1\n' }), /^features\.csv line 2: 2 columns, but line 1 has 3$/);
    expectUserError(load({ 'edges.csv': 'a\nb\n', 'labels.csv': labels }), /^edges\.csv line 1: 1 column\(s\), expected at least 2/);
  });

  it('refuses non-numeric features', () => {
    expectUserError(
      load({ 'edges.csv': 'a,b\nb,c\n', 'labels.csv': labels, 'features.csv': 'a,1,2\nb,1,x\nc,1,1\n' }),
      /^features\.csv line 2, column 3: 'x' is not a finite number$/,
    );
    expectUserError(load({ 'edges.csv': 'a,b\nb,c\n', 'labels.csv': labels, 'features.csv': 'a,1\nb,nan\nc,1\n' }), /features\.csv line 2, column 2: 'nan'/);
    expectUserError(load({ 'edges.csv': 'a,b\nb,c\n', 'labels.csv': labels, 'features.csv': 'a,1\nb,Infinity\nc,1\n' }), /features\.csv line 2, column 2: 'Infinity' is not a finite number/);
  });

  it('refuses unknown node ids', () => {
    expectUserError(load({ 'edges.csv': 'a,b\nb,c\n', 'labels.csv': 'a,0\nb,1\nzed,0\nc,1\n' }), /^labels\.csv line 3: unknown node id 'zed' \(not in edges\.csv\)$/);
    expectUserError(load({ 'edges.csv': '0,1\n', 'labels.csv': '0,0\n1,1\nx,0\n' }), /^labels\.csv line 3: node id 'x' is not a node of edges\.csv \(its ids are integers\)$/);
  });

  it('refuses duplicate ids and nodes left without a label or features', () => {
    expectUserError(load({ 'edges.csv': 'a,b\nb,c\n', 'labels.csv': 'a,0\nb,1\na,1\nc,0\n' }), /^labels\.csv line 3: duplicate node id 'a' \(first on line 1\)$/);
    expectUserError(load({ 'edges.csv': 'a,b\nb,c\n', 'labels.csv': 'a,0\nc,1\n' }), /^labels\.csv: no label for node 'b'$/);
    expectUserError(load({ 'edges.csv': 'a,b\nb,c\n', 'labels.csv': labels, 'features.csv': 'a,1\nb,2\n' }), /^features\.csv: no features row for node 'c'$/);
    // Sparse integer ids fail fast, without allocating a node per id.
    expectUserError(load({ 'edges.csv': '0,1999999999\n', 'labels.csv': '0,0\n1999999999,1\n' }), /^labels\.csv: no label for node 1 \(integer ids are node indices 0\.\.N-1\)$/);
  });

  it('refuses negative labels, empty fields, empty files and bad quoting', () => {
    expectUserError(load({ 'edges.csv': '0,1\n', 'labels.csv': '0,0\n1,-1\n' }), /^labels\.csv line 2: label -1 is negative$/);
    expectUserError(load({ 'edges.csv': 'a,b\nb,\n', 'labels.csv': labels }), /^edges\.csv line 2: column 2 is empty$/);
    expectUserError(load({ 'edges.csv': '# nothing here\n\n', 'labels.csv': labels }), /^edges\.csv: no data rows/);
    expectUserError(load({ 'edges.csv': 'source,target\n', 'labels.csv': labels }), /^edges\.csv: no data rows after the header/);
    expectUserError(load({ 'edges.csv': 'a,"b\n', 'labels.csv': labels }), /^edges\.csv line 1: unterminated quoted field$/);
    expectUserError(load({ 'edges.csv': 'a,"b"x\n', 'labels.csv': labels }), /^edges\.csv line 1: text after a quoted field$/);
  });

  it('names a missing file', () => {
    expectUserError(() => loadCsvDataset({ edges: join(root, 'nope.csv'), labels: join(root, 'nope2.csv') }), /nope\.csv: file not found/);
  });
});
