import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCatalogEntry } from './catalog';
import { checkDownload, freeBytesAt } from './download-check';
import { closedPort, useLocalServer } from './testing/http-server';

const cora = findCatalogEntry('cora')!;
const requests: { method: string; url: string; range: string | null }[] = [];

/** Routes /MODE/FILE: ok (the published length), moved (another length), missing, nohead (HEAD refused), hang. */
const server = useLocalServer((req, res) => {
  const [, mode] = (req.url ?? '').split('/');
  requests.push({ method: req.method ?? '', url: req.url ?? '', range: (req.headers.range as string | undefined) ?? null });
  if (mode === 'ok') res.writeHead(200, { 'content-length': String(cora.bytes) }).end();
  else if (mode === 'moved') res.writeHead(200, { 'content-length': '1234' }).end();
  else if (mode === 'nohead' && req.method === 'HEAD') res.writeHead(405, 'Method Not Allowed').end();
  else if (mode === 'nohead') res.writeHead(206, { 'content-length': '1', 'content-range': `bytes 0-0/${cora.bytes}` }).end('x');
  else if (mode === 'hang') server.hanging.add(res);
  else res.writeHead(404, 'Not Found').end();
});

const check = (mode: string, extra: Partial<Parameters<typeof checkDownload>[1]> = {}) => checkDownload(cora, { baseUrl: `${server.base}/${mode}`, freeBytes: 1e12, ...extra });

describe('checkDownload', () => {
  it('possible when the server answers with the published size; only the headers are asked for', async () => {
    requests.length = 0;
    expect(await check('ok')).toEqual({ possible: true, reason: `${new URL(server.base).host} answers` });
    expect(requests).toEqual([{ method: 'HEAD', url: '/ok/cora.npz', range: null }]);
  });

  it('not possible when the file is missing or is not the published one', async () => {
    expect(await check('missing')).toEqual({ possible: false, reason: `${new URL(server.base).host} answers HTTP 404 Not Found` });
    expect((await check('moved')).reason).toBe(`${new URL(server.base).host} offers 1234 bytes, the published file has 540580: the file changed upstream`);
  });

  it('asks for one byte where HEAD is refused', async () => {
    requests.length = 0;
    expect((await check('nohead')).possible).toBe(true);
    expect(requests.map((r) => [r.method, r.range])).toEqual([
      ['HEAD', null],
      ['GET', 'bytes=0-0'],
    ]);
  });

  it('offline: a server that cannot be reached, or does not answer in time', async () => {
    const port = await closedPort();
    const unreachable = await checkDownload(cora, { baseUrl: `http://127.0.0.1:${port}`, freeBytes: null });
    expect(unreachable).toEqual({ possible: false, reason: `offline or blocked: cannot reach 127.0.0.1:${port} (ECONNREFUSED)` });
    expect(await check('hang', { timeoutMs: 200 })).toEqual({ possible: false, reason: `no answer from ${new URL(server.base).host} within 0.2 s (offline or blocked?)` });
  });

  it('not possible on a disk too small for the file, without asking the server', async () => {
    const fetchImpl = (async () => {
      throw new Error('must not be asked');
    }) as typeof fetch;
    expect(await checkDownload(cora, { fetchImpl, freeBytes: 100_000 })).toEqual({ possible: false, reason: 'not enough disk space: the file has 0.5 MB, 0.1 MB free' });
    expect((await checkDownload(findCatalogEntry('demo')!, { fetchImpl, freeBytes: null })).possible).toBe(false);
  });
});

describe('freeBytesAt', () => {
  it('measures the nearest existing folder of a cache that does not exist yet', () => {
    const free = freeBytesAt(join(tmpdir(), 'no', 'such', 'cache'));
    expect(free).not.toBeNull();
    expect(free!).toBeGreaterThan(0);
  });
});
