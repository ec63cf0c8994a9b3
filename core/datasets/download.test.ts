import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCatalogEntry } from './catalog';
import { downloadDataset, downloadEntry, readHashes, type DownloadProgress } from './download';
import { loadDataset } from './load';
import type { NpyArray } from './npy';

import { expectUserRejection, scratchFolder } from './testing/fixtures';
import { closedPort, useLocalServer } from './testing/http-server';
import { encodeNpz, npyArray, writeNpy, writeZip } from './testing/writers';

const CORA = fileURLToPath(new URL('../../../shared/datasets/cora.npz', import.meta.url));
const root = scratchFolder('download-test-');
let cacheCounter = 0;
const freshCache = () => join(root, `cache-${cacheCounter++}`);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A 3-node gnn-benchmark archive; `label` varies the bytes. */
function toyNpz(label = 1): Buffer {
  const arrays: Record<string, NpyArray> = {
    adj_data: npyArray(new Float32Array([1, 1])),
    adj_indices: npyArray(Int32Array.from([1, 2])),
    adj_indptr: npyArray(Int32Array.from([0, 1, 2, 2])),
    adj_shape: npyArray(Int32Array.from([3, 3])),
    attr_matrix: npyArray(Float32Array.from([1, 0, 0, 1, 1, 1]), [3, 2]),
    labels: npyArray(Int32Array.from([0, label, 1])),
  };
  return encodeNpz(arrays);
}

/** DGL's layout: the 12 PPI files in a `ppi/` folder, plus entries the extractor must ignore. */
function ppiZip(): Buffer {
  const files: { name: string; data: Uint8Array }[] = [];
  const splits = { train: [1, 1, 2, 2], valid: [3, 3], test: [4, 4] };
  for (const [split, ids] of Object.entries(splits)) {
    const n = ids.length;
    const json = { nodes: ids.map((_, id) => ({ id })), links: [{ source: 0, target: 1 }] };
    files.push({ name: `ppi/${split}_graph.json`, data: Buffer.from(JSON.stringify(json)) });
    files.push({ name: `ppi/${split}_feats.npy`, data: writeNpy(npyArray(new Float32Array(n * 3).fill(0.5), [n, 3])) });
    files.push({ name: `ppi/${split}_labels.npy`, data: writeNpy(npyArray(new Int32Array(n * 2).fill(1), [n, 2])) });
    files.push({ name: `ppi/${split}_graph_id.npy`, data: writeNpy(npyArray(Int32Array.from(ids))) });
  }
  files.push({ name: '../../escape.txt', data: Buffer.from('must not be written') });
  files.push({ name: 'ppi/README', data: Buffer.from('ignored') });
  return writeZip(files);
}

const realCora = existsSync(CORA) ? readFileSync(CORA) : null;
const bodies: Record<string, Buffer> = {
  'pubmed.npz': toyNpz(1),
  'cora.npz': toyNpz(1),
  'ppi.zip': ppiZip(),
};


/** Routes: /MODE/FILE, MODE = ok | alt | chunked | garbage | trunc | error | hang | real. */
function handle(mode: string, file: string, res: ServerResponse): void {
  const body = mode === 'real' && file === 'cora.npz' && realCora ? realCora : mode === 'alt' ? toyNpz(0) : bodies[file];
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  switch (mode) {
    case 'ok':
    case 'alt':
    case 'real':
      res.writeHead(200, { 'content-length': body.length }).end(body);
      return;
    case 'chunked':
      res.writeHead(200);
      res.write(body.subarray(0, 100));
      setTimeout(() => res.end(body.subarray(100)), 5);
      return;
    case 'garbage':
      res.writeHead(200, { 'content-length': 20 }).end('<html>not found</html>'.slice(0, 20));
      return;
    case 'trunc':
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => res.socket?.destroy(), 5));
      return;
    case 'error':
      res.writeHead(500, 'Internal Server Error').end('boom');
      return;
    case 'hang':
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, 64));
      server.hanging.add(res);
      return;
    default:
      res.writeHead(404).end();
  }
}

const server = useLocalServer((req, res) => {
  const [, mode, file] = (req.url ?? '').split('/');
  handle(mode, file, res);
});

const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('downloadDataset', () => {
  it('streams to the cache with progress events and records an unknown hash', async () => {
    const cacheDir = freshCache();
    const events: DownloadProgress[] = [];
    const result = await downloadDataset('pubmed', { cacheDir, baseUrl: `${server.base}/ok`, onProgress: (p) => events.push({ ...p }) });
    const expected = bodies['pubmed.npz'];
    expect(result.bytes).toBe(expected.length);
    expect(result.sha256).toBe(sha256(expected));
    expect(result.hashCheck).toBe('recorded');
    expect(result.warning).toBeNull();
    expect(result.path).toBe(join(cacheDir, 'pubmed.npz'));
    expect(Buffer.compare(readFileSync(result.path), expected)).toBe(0);
    expect(listing(cacheDir)).toEqual(['hashes.json', 'pubmed.npz']);
    expect(readHashes(cacheDir).pubmed.sha256).toBe(sha256(expected));

    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e) => e.totalBytes === expected.length)).toBe(true);
    for (let i = 1; i < events.length; i++) expect(events[i].receivedBytes).toBeGreaterThanOrEqual(events[i - 1].receivedBytes);
    expect(events.at(-1)!.receivedBytes).toBe(expected.length);

    const dataset = await loadDataset('pubmed', { cacheDir });
    expect(dataset.graphs[0].graph.numNodes).toBe(3);
  });

  it('matches later downloads against the recorded hash and warns (without failing) when one differs', async () => {
    const cacheDir = freshCache();
    await downloadDataset('pubmed', { cacheDir, baseUrl: `${server.base}/ok` });
    const again = await downloadDataset('pubmed', { cacheDir, baseUrl: `${server.base}/ok` });
    expect(again.hashCheck).toBe('matches-recorded');
    expect(again.warning).toBeNull();
    const changed = await downloadDataset('pubmed', { cacheDir, baseUrl: `${server.base}/alt` });
    expect(changed.hashCheck).toBe('differs-from-recorded');
    expect(changed.warning).toMatch(/dataset 'pubmed' differs from the first download/);
    expect(readHashes(cacheDir).pubmed.sha256).toBe(sha256(bodies['pubmed.npz']));
  });

  it('handles a response without Content-Length', async () => {
    const cacheDir = freshCache();
    const events: DownloadProgress[] = [];
    const result = await downloadDataset('pubmed', { cacheDir, baseUrl: `${server.base}/chunked`, onProgress: (p) => events.push({ ...p }) });
    expect(result.bytes).toBe(bodies['pubmed.npz'].length);
    expect(events.every((e) => e.totalBytes === null)).toBe(true);
  });

  it('refuses a checksum mismatch against a known hash and leaves nothing behind', async () => {
    const cacheDir = freshCache();
    await expectUserRejection(
      // the published size, other bytes: the hash catches it
      downloadEntry({ ...findCatalogEntry('cora')!, bytes: bodies['cora.npz'].length }, { cacheDir, baseUrl: `${server.base}/ok` }),
      /download of 'cora' failed the checksum: expected sha256 068e22d90c3849b4057dfb05851741428992af058efcd4e7ebb4186f3d581de2, got [0-9a-f]{64}/,
    );
    expect(listing(cacheDir)).toEqual([]);
  });

  it('refuses a truncated transfer and leaves nothing behind', async () => {
    const cacheDir = freshCache();
    await expectUserRejection(downloadDataset('pubmed', { cacheDir, baseUrl: `${server.base}/trunc` }), /download of 'pubmed' (was interrupted after \d+ bytes|is truncated)/);
    expect(listing(cacheDir)).toEqual([]);
  });

  it('reports HTTP errors and leaves nothing behind', async () => {
    const cacheDir = freshCache();
    await expectUserRejection(downloadDataset('pubmed', { cacheDir, baseUrl: `${server.base}/error` }), /download of 'pubmed' failed: HTTP 500 Internal Server Error from http:\/\/127\.0\.0\.1:\d+\/error\/pubmed\.npz/);
    expect(listing(cacheDir)).toEqual([]);
  });

  it('can be cancelled mid-transfer, leaving nothing behind', async () => {
    const cacheDir = freshCache();
    const controller = new AbortController();
    const download = downloadDataset('pubmed', {
      cacheDir,
      baseUrl: `${server.base}/hang`,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.receivedBytes > 0) controller.abort();
      },
    });
    await expectUserRejection(download, /download of 'pubmed' was cancelled/);
    expect(listing(cacheDir)).toEqual([]);
  });

  it('does not cache (or record the hash of) a file that is not a dataset', async () => {
    const cacheDir = freshCache();
    await expectUserRejection(downloadDataset('pubmed', { cacheDir, baseUrl: `${server.base}/garbage` }), /downloaded file for 'pubmed' is not a valid dataset: pubmed\.npz: not a ZIP archive/);
    expect(listing(cacheDir)).toEqual([]);
  });

  it('says when the server cannot be reached', async () => {
    const port = await closedPort();
    const cacheDir = freshCache();
    await expectUserRejection(downloadDataset('pubmed', { cacheDir, baseUrl: `http://127.0.0.1:${port}` }), /download of 'pubmed' failed: cannot reach http:\/\/127\.0\.0\.1/);
    expect(listing(cacheDir)).toEqual([]);
  });

  it('extracts only the PPI files of the zip into a folder', async () => {
    const cacheDir = freshCache();
    // a toy zip: the real file's published size and hash are taken off the entry
    const result = await downloadEntry({ ...findCatalogEntry('ppi')!, sha256: null, bytes: null }, { cacheDir, baseUrl: `${server.base}/ok` });
    expect(result.path).toBe(join(cacheDir, 'ppi'));
    expect(listing(cacheDir)).toEqual(['hashes.json', 'ppi']);
    expect(listing(result.path)).toEqual(
      ['train', 'valid', 'test'].flatMap((s) => ['feats.npy', 'graph.json', 'graph_id.npy', 'labels.npy'].map((f) => `${s}_${f}`)).sort(),
    );
    expect(existsSync(join(root, 'escape.txt'))).toBe(false);
    const dataset = await loadDataset('ppi', { cacheDir });
    expect(dataset.graphs).toHaveLength(4);
    expect(dataset.graphSplit).toEqual({ train: [0, 1], val: [2], test: [3] });
  });

  it('refuses a file whose size is not the published one, leaving the cache empty', async () => {
    const cacheDir = freshCache();
    await expectUserRejection(downloadDataset('ppi', { cacheDir, baseUrl: `${server.base}/ok` }), new RegExp(`download of 'ppi' has ${bodies['ppi.zip'].length} bytes where the catalog expects 7088822`));
    expect(listing(cacheDir)).toEqual([]);
  });

  it('refuses names that cannot be downloaded', async () => {
    await expectUserRejection(downloadDataset('imagenet', { cacheDir: freshCache() }), /unknown dataset 'imagenet'; downloadable datasets: cora, citeseer/);
    await expectUserRejection(downloadDataset('demo', { cacheDir: freshCache() }), /dataset 'demo' is generated on the fly/);
  });

  it.skipIf(!realCora)('verifies the real Cora file against its published sha256', async () => {
    const cacheDir = freshCache();
    const result = await downloadDataset('cora', { cacheDir, baseUrl: `${server.base}/real` });
    expect(result.hashCheck).toBe('verified');
    expect(listing(cacheDir)).toEqual(['cora.npz']);
    const cora = await loadDataset('cora', { cacheDir });
    expect(cora.graphs[0].graph.numNodes).toBe(2708);
  });
});
if (!realCora) console.warn(`download.test: skipping the real Cora download: ${CORA} is absent`);
