import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import type { CliIo } from './command';
import { main } from './main';
import { useLocalServer } from '../datasets/testing/http-server';
import { npyArray, writeNpy, writeNpz } from '../datasets/testing/writers';

const CORA = fileURLToPath(new URL('../../../shared/datasets/cora.npz', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'datasets-cli-'));
let counter = 0;
const freshDir = (name: string) => {
  const dir = join(root, `${name}-${counter++}`);
  mkdirSync(dir);
  return dir;
};

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const lastJson = (lines: string[]) => JSON.parse(lines.at(-1)!) as Record<string, unknown>;

/** A 4-node path graph 0-1-2-3 with labels 0,0,1,1 in the gnn-benchmark layout. */
function writeToyNpz(path: string, labels = [0, 0, 1, 1]): void {
  writeNpz(path, {
    adj_data: npyArray(new Float32Array([1, 1, 1])),
    adj_indices: npyArray(Int32Array.from([1, 2, 3])),
    adj_indptr: npyArray(Int32Array.from([0, 1, 2, 3, 3])),
    adj_shape: npyArray(Int32Array.from([4, 4])),
    attr_matrix: npyArray(Float32Array.from([1, 0, 1, 0, 0, 1, 0, 1]), [4, 2]),
    labels: npyArray(Int32Array.from(labels)),
    class_names: npyArray(['left', 'right']),
  });
}

const served = join(root, 'served.npz');
writeToyNpz(served);
const body = readFileSync(served);
const server = useLocalServer((req, res) => {
  if (req.url === '/npz/pubmed.npz') res.writeHead(200, { 'content-length': body.length }).end(body);
  else res.writeHead(404, 'Not Found').end();
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('alignahead datasets inspect', () => {
  it('reports the statistics of a generator spec as JSON', async () => {
    const { code, out } = await cli('datasets', 'inspect', 'csbm:200:1000:3:16', '--json', '--cache', freshDir('cache'));
    expect(code).toBe(0);
    const stats = lastJson(out);
    expect(stats).toMatchObject({ nodes: 200, features: 16, classes: 3, graphs: 1, task: 'multiclass' });
    expect(typeof stats.edges).toBe('number');
    expect(typeof stats.homophily).toBe('number');
    expect(stats.degreeHistogram).toHaveProperty('counts');
  });

  it('prints a readable table for a file, with the histogram', async () => {
    const path = join(freshDir('files'), 'path4.npz');
    writeToyNpz(path);
    const { code, out } = await cli('datasets', 'inspect', path);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^nodes +4$/m);
    // Path 0-1-2-3 symmetrised: 6 directed edges, plus 4 self-loops.
    expect(text).toMatch(/^edges +10 /m);
    expect(text).toMatch(/^classes +2 \(left, right\)$/m);
    // Same-label neighbours: 0-1 and 2-3 (both directions) out of 6 non-loop edges.
    expect(text).toMatch(/^homophily +0\.6667$/m);
    expect(text).toMatch(/in-degree histogram/);
  });

  it.skipIf(!existsSync(CORA))('inspects the real Cora file', async () => {
    const { code, out } = await cli('datasets', 'inspect', CORA, '--json');
    expect(code).toBe(0);
    expect(lastJson(out)).toMatchObject({ nodes: 2708, edges: 13264, features: 1433, classes: 7, graphs: 1, task: 'multiclass' });
  });

  it('fails with one line and exit code 2 on bad input', async () => {
    const missing = await cli('datasets', 'inspect', 'cora', '--cache', freshDir('cache'));
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual(["alignahead datasets inspect: dataset 'cora' is not downloaded; run: alignahead datasets download cora"]);
    const corrupt = join(freshDir('files'), 'broken.npz');
    writeFileSync(corrupt, 'not a zip');
    const broken = await cli('datasets', 'inspect', corrupt);
    expect(broken.code).toBe(2);
    expect(broken.err).toEqual(['alignahead datasets inspect: broken.npz: not a ZIP archive (no end-of-central-directory record; the file may be truncated or corrupt)']);
    const usage = await cli('datasets', 'inspect');
    expect(usage.code).toBe(2);
  });
});
if (!existsSync(CORA)) console.warn(`datasets-commands.test: skipping the real Cora test: ${CORA} is absent`);

describe('alignahead datasets list / import / download', () => {
  it('lists the catalog with cache status, then an imported dataset', async () => {
    const cacheDir = freshDir('cache');
    const before = lastJson((await cli('datasets', 'list', '--json', '--cache', cacheDir)).out);
    const datasets = before.datasets as { name: string; cached: boolean; origin: string }[];
    expect(datasets.map((d) => d.name)).toEqual(['cora', 'citeseer', 'pubmed', 'amazon-computers', 'amazon-photo', 'coauthor-cs', 'coauthor-physics', 'ppi', 'demo']);
    expect(datasets.find((d) => d.name === 'cora')!.cached).toBe(false);
    expect(datasets.find((d) => d.name === 'demo')!.cached).toBe(true);

    const source = join(freshDir('files'), 'my.npz');
    writeToyNpz(source);
    const imported = await cli('datasets', 'import', source, '--name', 'paths', '--cache', cacheDir);
    expect(imported.code).toBe(0);
    expect(imported.out.join('\n')).toMatch(/imported 'paths' \(npz: 1 graph\(s\), 4 nodes, 10 edges/);
    expect(readdirSync(cacheDir)).toEqual(['paths.npz']);

    const after = lastJson((await cli('datasets', 'list', '--json', '--cache', cacheDir)).out);
    expect((after.datasets as { name: string; origin: string }[]).filter((d) => d.origin === 'imported').map((d) => d.name)).toEqual(['paths']);
    const human = await cli('datasets', 'list', '--cache', cacheDir);
    expect(human.out.join('\n')).toMatch(/^paths +- +npz +yes/m);

    const inspected = await cli('datasets', 'inspect', 'paths', '--json', '--cache', cacheDir);
    expect(lastJson(inspected.out)).toMatchObject({ nodes: 4, name: 'paths' });
  });

  it('imports a CSV folder only when it validates, registering nothing otherwise', async () => {
    const cacheDir = freshDir('cache');
    const good = freshDir('csv');
    writeFileSync(join(good, 'edges.csv'), 'source,target\nu,v\nv,w\n');
    writeFileSync(join(good, 'labels.csv'), 'id,label\nu,a\nv,b\nw,a\n');
    writeFileSync(join(good, 'features.csv'), 'u,1,0\nv,0,1\nw,1,1\n');
    const ok = await cli('datasets', 'import', good, '--name', 'tiny', '--cache', cacheDir, '--json');
    expect(ok.code).toBe(0);
    expect(lastJson(ok.out)).toMatchObject({ name: 'tiny', format: 'csv', nodes: 3, features: 2, classes: 2 });
    expect(readdirSync(join(cacheDir, 'tiny')).sort()).toEqual(['edges.csv', 'features.csv', 'labels.csv']);

    const bad = freshDir('csv');
    writeFileSync(join(bad, 'edges.csv'), 'u,v\n');
    writeFileSync(join(bad, 'labels.csv'), 'u,0\nv,0\n');
    writeFileSync(join(bad, 'features.csv'), 'u,1\nv,oops\n');
    const refused = await cli('datasets', 'import', bad, '--name', 'broken', '--cache', cacheDir);
    expect(refused.code).toBe(2);
    expect(refused.err).toEqual(["alignahead datasets import: features.csv line 2, column 2: 'oops' is not a finite number"]);
    expect(readdirSync(cacheDir)).toEqual(['tiny']);

    const clash = await cli('datasets', 'import', good, '--name', 'tiny', '--cache', cacheDir);
    expect(clash.code).toBe(2);
    expect(clash.err[0]).toMatch(/'tiny' already exists .*--force/);
    expect((await cli('datasets', 'import', good, '--name', 'tiny', '--cache', cacheDir, '--force')).code).toBe(0);

    const reserved = await cli('datasets', 'import', good, '--name', 'cora', '--cache', cacheDir);
    expect(reserved.err[0]).toMatch(/'cora' is a catalog dataset/);
    const noName = await cli('datasets', 'import', good, '--cache', cacheDir);
    expect(noName.err[0]).toMatch(/--name is required/);
    const wrongFormat = await cli('datasets', 'import', good, '--name', 'x', '--format', 'npz', '--cache', cacheDir);
    expect(wrongFormat.err[0]).toMatch(/--format npz expects an \.npz file/);
    expect(readdirSync(cacheDir)).toEqual(['tiny']);
  });

  it('imports a PPI folder by copying exactly its twelve files', async () => {
    const cacheDir = freshDir('cache');
    const source = freshDir('ppi');
    for (const [split, ids] of Object.entries({ train: [5, 5, 6], valid: [7], test: [8] })) {
      const n = ids.length;
      writeFileSync(join(source, `${split}_graph.json`), JSON.stringify({ nodes: ids.map((_, id) => ({ id })), links: n > 1 ? [{ source: 0, target: 1 }] : [] }));
      writeFileSync(join(source, `${split}_feats.npy`), writeNpy(npyArray(new Float32Array(n * 2), [n, 2])));
      writeFileSync(join(source, `${split}_labels.npy`), writeNpy(npyArray(new Uint8Array(n * 4), [n, 4])));
      writeFileSync(join(source, `${split}_graph_id.npy`), writeNpy(npyArray(Int32Array.from(ids))));
    }
    writeFileSync(join(source, 'notes.txt'), 'not copied');
    const { code, out } = await cli('datasets', 'import', source, '--name', 'tissues', '--cache', cacheDir, '--json');
    expect(code).toBe(0);
    expect(lastJson(out)).toMatchObject({ format: 'ppi', graphs: 4, nodes: 5, classes: 4, task: 'multilabel' });
    expect(readdirSync(join(cacheDir, 'tissues'))).toHaveLength(12);
    const inspected = await cli('datasets', 'inspect', 'tissues', '--cache', cacheDir);
    expect(inspected.out.join('\n')).toMatch(/^graph split +2 train \/ 1 val \/ 1 test$/m);
  });

  it('downloads with progress on stderr and reports the hash check', async () => {
    const cacheDir = freshDir('cache');
    // PubMed has no published hash: the first download's is recorded
    const { code, out, err } = await cli('datasets', 'download', 'pubmed', '--cache', cacheDir, '--base-url', `${server.base}/npz`);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^pubmed: .* saved to .*pubmed\.npz \(no published sha256; recorded this one\)$/m);
    expect(err.join('\n')).toMatch(/downloading pubmed/);
    expect(readdirSync(cacheDir).sort()).toEqual(['hashes.json', 'pubmed.npz']);

    const failed = await cli('datasets', 'download', 'citeseer', '--cache', cacheDir, '--base-url', `${server.base}/npz`);
    expect(failed.code).toBe(2);
    expect(failed.err.at(-1)).toMatch(/^alignahead datasets download: download of 'citeseer' failed: HTTP 404 Not Found/);
    expect(readdirSync(cacheDir).sort()).toEqual(['hashes.json', 'pubmed.npz']);

    const unknown = await cli('datasets', 'download', 'imagenet', '--cache', cacheDir);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toEqual(["alignahead datasets download: unknown dataset 'imagenet'; see: alignahead datasets list"]);
  });
});
