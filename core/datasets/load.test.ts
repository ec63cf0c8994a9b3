import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultCacheDir, detectFormat, findCached, isValidDatasetName, loadDataset } from './load';

import { expectUserRejection, scratchFolder } from './testing/fixtures';
import { npyArray, writeNpy, writeNpz } from './testing/writers';

const root = scratchFolder('load-test-');
const savedEnv = process.env.ALIGNAHEAD_DATA_DIR;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.ALIGNAHEAD_DATA_DIR;
  else process.env.ALIGNAHEAD_DATA_DIR = savedEnv;
});

function writeToyNpz(path: string, nodes = 4): void {
  writeNpz(path, {
    adj_data: npyArray(new Float32Array(nodes - 1).fill(1)),
    adj_indices: npyArray(Int32Array.from({ length: nodes - 1 }, (_, i) => i + 1)),
    adj_indptr: npyArray(Int32Array.from({ length: nodes + 1 }, (_, i) => Math.min(i, nodes - 1))),
    adj_shape: npyArray(Int32Array.from([nodes, nodes])),
    attr_matrix: npyArray(new Float32Array(nodes * 2).fill(1), [nodes, 2]),
    labels: npyArray(Int32Array.from({ length: nodes }, (_, i) => i % 2)),
  });
}

function writeToyPpi(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [split, ids] of Object.entries({ train: [0, 0], valid: [1], test: [2] })) {
    const n = ids.length;
    writeFileSync(join(dir, `${split}_graph.json`), JSON.stringify({ nodes: ids.map((_, id) => ({ id })), links: [] }));
    writeFileSync(join(dir, `${split}_feats.npy`), writeNpy(npyArray(new Float32Array(n * 2), [n, 2])));
    writeFileSync(join(dir, `${split}_labels.npy`), writeNpy(npyArray(new Uint8Array(n * 3), [n, 3])));
    writeFileSync(join(dir, `${split}_graph_id.npy`), writeNpy(npyArray(Int32Array.from(ids))));
  }
}

describe('defaultCacheDir', () => {
  it('uses ALIGNAHEAD_DATA_DIR, else ~/.alignahead/datasets', () => {
    process.env.ALIGNAHEAD_DATA_DIR = join(root, 'from-env');
    expect(defaultCacheDir()).toBe(join(root, 'from-env'));
    delete process.env.ALIGNAHEAD_DATA_DIR;
    expect(defaultCacheDir()).toBe(join(homedir(), '.alignahead', 'datasets'));
  });
});

describe('loadDataset', () => {
  const cacheDir = join(root, 'cache');

  it('generates specs and the demo without any cache', async () => {
    const spec = await loadDataset('csbm:60:200:3', { cacheDir });
    expect(spec.graphs[0].graph.numNodes).toBe(60);
    expect(spec.numClasses).toBe(3);
    const demo = await loadDataset('demo', { cacheDir });
    expect(demo.name).toBe('demo');
    expect(demo.graphs[0].graph.numNodes).toBe(3000);
    expect(demo.numClasses).toBe(6);
  });

  it('says how to download a catalog dataset that is not cached', async () => {
    await expectUserRejection(loadDataset('cora', { cacheDir }), /^dataset 'cora' is not downloaded; run: alignahead datasets download cora$/);
    await expectUserRejection(loadDataset('ppi', { cacheDir }), /dataset 'ppi' is not downloaded; run: alignahead datasets download ppi/);
  });

  it('loads a cached catalog dataset by name', async () => {
    const dir = join(root, 'cache-with-cora');
    mkdirSync(dir, { recursive: true });
    writeToyNpz(join(dir, 'cora.npz'), 6);
    const dataset = await loadDataset('cora', { cacheDir: dir });
    expect(dataset.name).toBe('cora');
    expect(dataset.source).toBe('cora');
    expect(dataset.graphs[0].graph.numNodes).toBe(6);
  });

  it('loads paths by their format: .npz file, PPI folder, CSV folder', async () => {
    const npz = join(root, 'files', 'graph.npz');
    mkdirSync(join(root, 'files'), { recursive: true });
    writeToyNpz(npz);
    const fromNpz = await loadDataset(npz, { cacheDir });
    expect(fromNpz.name).toBe('graph');
    expect(fromNpz.graphs[0].graph.numNodes).toBe(4);

    const ppi = join(root, 'files', 'my-ppi');
    writeToyPpi(ppi);
    expect(detectFormat(ppi)).toBe('ppi');
    const fromPpi = await loadDataset(ppi, { cacheDir });
    expect(fromPpi.task).toBe('multilabel');
    expect(fromPpi.graphs).toHaveLength(3);

    const csv = join(root, 'files', 'csv');
    mkdirSync(csv);
    writeFileSync(join(csv, 'edges.csv'), 'a,b\nb,c\n');
    writeFileSync(join(csv, 'labels.csv'), 'a,x\nb,y\nc,x\n');
    expect(detectFormat(csv)).toBe('csv');
    const fromCsv = await loadDataset(csv, { cacheDir });
    expect(fromCsv.name).toBe('csv');
    expect(fromCsv.classNames).toEqual(['x', 'y']);
  });

  it('loads names imported into the cache', async () => {
    const dir = join(root, 'cache-imported');
    mkdirSync(dir, { recursive: true });
    writeToyNpz(join(dir, 'mine.npz'), 5);
    writeToyPpi(join(dir, 'tissues'));
    expect(findCached(dir, 'mine')).toEqual({ name: 'mine', format: 'npz', path: join(dir, 'mine.npz') });
    expect((await loadDataset('mine', { cacheDir: dir })).graphs[0].graph.numNodes).toBe(5);
    expect((await loadDataset('tissues', { cacheDir: dir })).graphs).toHaveLength(3);
  });

  it('explains an unknown reference and a folder that is not a dataset', async () => {
    await expectUserRejection(loadDataset('nonesuch', { cacheDir }), /^unknown dataset 'nonesuch': not a file or folder, a catalog name \(cora, citeseer/);
    const empty = join(root, 'empty-folder');
    mkdirSync(empty);
    await expectUserRejection(loadDataset(empty, { cacheDir }), /empty-folder: not a dataset/);
    await expectUserRejection(loadDataset('csbm:10', { cacheDir }), /dataset spec 'csbm:10'/);
    await expectUserRejection(loadDataset('  ', { cacheDir }), /empty reference/);
  });
});

describe('isValidDatasetName', () => {
  it('accepts simple names and refuses paths, hidden names and .npz names', () => {
    for (const name of ['cora', 'my-graph_2', 'v1.2']) expect(isValidDatasetName(name)).toBe(true);
    for (const name of ['', '../x', 'a/b', '.hidden', '-flag', 'x.npz', 'csbm:1:2:3', 'a b']) expect(isValidDatasetName(name)).toBe(false);
  });
});
