import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NpyArray } from './npy';
import { findPpiFolder, isPpiFolder, loadPpiFolder } from './ppi';
import { expectUserError, incoming, scratchFolder } from './testing/fixtures';
import { npyArray, writeNpy } from './testing/writers';

const root = scratchFolder('ppi-test-');

interface SplitFixture {
  graphIds: number[];
  links: [number, number][];
  /** node ids in the order the JSON lists them (default 0..n-1) */
  nodeOrder?: number[];
  labels?: NpyArray;
}

const F = 2;
const C = 3;
const featureRow = (row: number) => [row, row + 0.5];
const labelRow = (row: number) => [row % 2, 1 - (row % 2), 1];

// train: graph 1 = rows 0, 1, 3 and graph 2 = rows 2, 4 (interleaved on purpose); valid: graph 3; test: graph 4.
const SPLITS: Record<'train' | 'valid' | 'test', SplitFixture> = {
  train: { graphIds: [1, 1, 2, 1, 2], links: [[0, 1], [1, 3], [2, 4], [3, 3]] },
  valid: { graphIds: [3, 3], links: [[1, 0]], nodeOrder: [1, 0] },
  test: { graphIds: [4, 4, 4], links: [] },
};

/** Writes the 12 PPI files for `SPLITS` (after `change`) into root/name. */
function writeFixtureDir(name: string, change: (splits: Record<string, SplitFixture>) => void = () => {}): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const splits: Record<string, SplitFixture> = structuredClone(SPLITS);
  change(splits);
  for (const [split, fixture] of Object.entries(splits)) {
    const n = fixture.graphIds.length;
    const order = fixture.nodeOrder ?? Array.from({ length: n }, (_, i) => i);
    const json = {
      directed: false,
      multigraph: false,
      graph: {},
      nodes: order.map((id) => ({ id, test: split === 'test', val: split === 'valid' })),
      links: fixture.links.map(([source, target]) => ({ source, target })),
    };
    const rows = Array.from({ length: n }, (_, r) => r);
    // DGL ships int64 labels; float labels are accepted too.
    const labels =
      fixture.labels ??
      (split === 'valid'
        ? npyArray(Float32Array.from(rows.flatMap(labelRow)), [n, C])
        : npyArray(BigInt64Array.from(rows.flatMap(labelRow).map(BigInt)), [n, C]));
    writeFileSync(join(dir, `${split}_graph.json`), JSON.stringify(json));
    writeFileSync(join(dir, `${split}_feats.npy`), writeNpy(npyArray(Float64Array.from(rows.flatMap(featureRow)), [n, F])));
    writeFileSync(join(dir, `${split}_labels.npy`), writeNpy(labels));
    writeFileSync(join(dir, `${split}_graph_id.npy`), writeNpy(npyArray(BigInt64Array.from(fixture.graphIds.map(BigInt)))));
  }
  return dir;
}

describe('PPI folder reader', () => {
  it('makes one graph per graph id, with the split taken from the files', () => {
    const dir = writeFixtureDir('good');
    expect(isPpiFolder(dir)).toBe(true);
    const dataset = loadPpiFolder(dir, { name: 'ppi' });
    expect(dataset.task).toBe('multilabel');
    expect(dataset.numFeatures).toBe(F);
    expect(dataset.numClasses).toBe(C);
    expect(dataset.graphs.map((g) => g.graph.numNodes)).toEqual([3, 2, 2, 3]);
    expect(dataset.graphSplit).toEqual({ train: [0, 1], val: [2], test: [3] });

    // Graph 1 holds train rows 0, 1, 3 (local 0, 1, 2): links 0–1 and 1–3, plus self-loops.
    expect(incoming(dataset, 0)).toEqual([[0, 1], [0, 1, 2], [1, 2]]);
    expect(Array.from(dataset.graphs[0].features)).toEqual([0, 1, 3].flatMap(featureRow));
    expect(Array.from(dataset.graphs[0].labels)).toEqual([0, 1, 3].flatMap(labelRow));
    // Graph 2 holds train rows 2 and 4.
    expect(incoming(dataset, 1)).toEqual([[0, 1], [0, 1]]);
    expect(Array.from(dataset.graphs[1].features)).toEqual([2, 4].flatMap(featureRow));
    // Valid: nodes listed in reverse order; ids are rows, so the order of the list does not matter.
    expect(incoming(dataset, 2)).toEqual([[0, 1], [0, 1]]);
    expect(Array.from(dataset.graphs[2].features)).toEqual([0, 1].flatMap(featureRow));
    expect(Array.from(dataset.graphs[2].labels)).toEqual([0, 1].flatMap(labelRow));
    // Test: no links, self-loops only.
    expect(incoming(dataset, 3)).toEqual([[0], [1], [2]]);
    expect(dataset.graphs[3].labels).toBeInstanceOf(Uint8Array);
  });

  it('finds the files in a single wrapping subfolder', () => {
    const dir = writeFixtureDir('wrapped/ppi');
    expect(findPpiFolder(join(root, 'wrapped'))).toBe(dir);
  });

  it('names the missing file', () => {
    const dir = writeFixtureDir('missing');
    rmSync(join(dir, 'valid_labels.npy'));
    expectUserError(() => loadPpiFolder(dir), /valid_labels\.npy is missing from/);
  });

  it('refuses links between graphs and links to unknown nodes', () => {
    const across = writeFixtureDir('across', (s) => s.train.links.push([0, 2]));
    expectUserError(() => loadPpiFolder(across), /train_graph\.json: link 4 joins node 0 \(graph 1\) and node 2 \(graph 2\)/);
    const unknown = writeFixtureDir('unknown', (s) => s.test.links.push([0, 7]));
    expectUserError(() => loadPpiFolder(unknown), /test_graph\.json: link 0 names node 7, which is not in 'nodes'/);
  });

  it('refuses node ids that are not the rows 0..n-1', () => {
    const dir = writeFixtureDir('ids', (s) => (s.test.nodeOrder = [0, 1, 5]));
    expectUserError(() => loadPpiFolder(dir), /test_graph\.json: node 2 has id 5; ids must be the integers 0\.\.2/);
    const twice = writeFixtureDir('twice', (s) => (s.test.nodeOrder = [0, 1, 1]));
    expectUserError(() => loadPpiFolder(twice), /test_graph\.json: node id 1 appears twice/);
  });

  it('refuses labels that are not 0/1 and arrays of the wrong shape', () => {
    const twos = writeFixtureDir('twos', (s) => (s.test.labels = npyArray(Int32Array.from([0, 1, 2, 0, 0, 0, 1, 1, 1]), [3, 3])));
    expectUserError(() => loadPpiFolder(twos), /test_labels\.npy: value 2 at node 0 is not 0 or 1/);
    const short = writeFixtureDir('short', (s) => (s.test.labels = npyArray(new Int32Array(6), [2, 3])));
    expectUserError(() => loadPpiFolder(short), /test_labels\.npy: shape \(2, 3\); expected \(3 nodes, labels\)/);
    const wide = writeFixtureDir('wide', (s) => (s.valid.labels = npyArray(new Int32Array(8), [2, 4])));
    expectUserError(() => loadPpiFolder(wide), /valid_feats\.npy \/ valid_labels\.npy: 2 features and 4 labels, but the train split has 2 and 3/);
  });

  it('refuses broken JSON', () => {
    const dir = writeFixtureDir('json');
    writeFileSync(join(dir, 'train_graph.json'), '{"nodes": [');
    expectUserError(() => loadPpiFolder(dir), /train_graph\.json: not valid JSON/);
  });
});
