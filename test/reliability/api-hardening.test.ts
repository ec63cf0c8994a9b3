import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, MAX_REQUEST_BYTES } from '../../contract/api';
import { createEventHub } from '../../core/api/event-hub';
import type { ApiHandlers } from '../../core/api/handlers';
import { folderHandlers } from '../../core/api/testing/folder-handlers';
import { startServer, type RunningServer } from '../../core/server/serve';
import { tokenMatches } from '../../core/server/security';
import { rawRequest, type RawRequestOptions } from '../../core/server/testing/raw-request';
import { openStore, type ExperimentStore } from '../../core/store';
import { REPO_ROOT, tempDir } from './harness';

/**
 * The API as an attacker sees it: random and hostile inputs for every call (property-based, seeded),
 * prototype-pollution keys, oversize bodies, paths outside the import folders, cross-origin
 * requests; and the token: compared in constant time, never written to the log.
 */

// Every timingSafeEqual call made by the code under test, recorded (the real function still answers).
const compared = vi.hoisted(() => [] as [Buffer, Buffer][]);
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return {
    ...actual,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.push([Buffer.from(a as Uint8Array), Buffer.from(b as Uint8Array)]);
      return actual.timingSafeEqual(a, b);
    },
  };
});

const TOKEN = 'reliability-token-5f2c9a7e41d8b3';
const SEED = 8_2026;
const dir = tempDir('api');
const importRoot = join(dir, 'imports');
const logLines: string[] = [];
let store: ExperimentStore;
let handlers: ApiHandlers;
let server: RunningServer;
const enqueued: number[] = [];

beforeAll(async () => {
  mkdirSync(importRoot, { recursive: true });
  writeFileSync(join(dir, 'secret.npz'), 'outside the import folder');
  symlinkSync(join(dir, 'secret.npz'), join(importRoot, 'link.npz'));
  symlinkSync(dir, join(importRoot, 'link-dir'));
  store = openStore(join(dir, 'db.sqlite'));
  // One run, so that ids such as 1 name something.
  store.createRun({ config: { data: 'demo' }, dataset: 'demo', model: 'gcn', strategy: 'alignahead', numStudents: 2, numLayers: 2, seed: 0 });
  const host = {
    enqueue: (id: number) => void enqueued.push(id),
    cancel: (id: number) => store.requestCancel(id),
    terminate: async () => {},
    setMaxConcurrent: () => {},
    lastBackend: () => null,
  };
  const log = (line: string) => logLines.push(line);
  // no test reaches the internet: a valid datasets.download or datasets.checkDownloads finds it offline
  const offline = (async () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } }))) as typeof fetch;
  handlers = folderHandlers(dir, { store, host, importRoots: [importRoot], log, fetchImpl: offline });
  server = await startServer({ handlers, events: createEventHub(log), port: 0, token: TOKEN, log });
});

afterAll(async () => {
  await server?.close();
  await handlers?.dispose();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function snapshot(): string {
  return JSON.stringify({ runs: store.listRuns({ limit: 10_000 }), datasets: store.listDatasets(), events: store.getEvents(1) });
}

/** JSON values, with keys an attacker would try on an object-walking validator. */
const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty');
const fieldKey = fc.constantFrom('id', 'ids', 'configs', 'path', 'name', 'ref', 'epoch', 'format', 'status', 'limit', 'tags', 'force');
const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.constantFrom(-1, 0, 1, 2 ** 53, -0, 1e308, '', '../../etc/passwd', '/etc/passwd', 'x'.repeat(5000), null),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc
    .array(fc.tuple(fc.oneof(hostileKey, fieldKey, fc.string({ maxLength: 8 })), tie('value')), { maxLength: 5 })
    // Through JSON, as it arrives over HTTP and IPC: "__proto__" becomes an own property.
    .map((pairs) => JSON.parse(`{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v ?? null)}`).join(',')}}`)),
})).value;

describe('dispatch under random input', () => {
  it('never throws, never answers 500, and a refused call changes nothing', async () => {
    let calls = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...CALL_NAMES), fc.string(), fc.jsonValue()), hostileJson, async (name, input) => {
        const before = snapshot();
        const result = await handlers.dispatch(name, input);
        calls++;
        if (result.ok) return;
        refused++;
        expect([400, 404, 409]).toContain(result.error.status);
        expect(typeof result.error.error).toBe('string');
        expect(snapshot()).toBe(before);
      }),
      { seed: SEED, numRuns: 1500 },
    );
    expect(calls).toBe(1500);
    expect(refused).toBeGreaterThan(1000);
    expect(logLines.filter((line) => /internal error/.test(line))).toEqual([]);
    // Nothing leaked onto every object's prototype.
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(Object.getOwnPropertyNames(Object.getPrototypeOf({})).sort());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    for (const key of ['id', 'ids', 'configs', 'path', 'name', 'ref', 'status']) expect(key in {}).toBe(false);
  }, 120_000);

  it('refuses every call name it does not know, whatever its type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.jsonValue()).filter((n) => !(CALL_NAMES as unknown[]).includes(n)), async (name) => {
        const result = await handlers.dispatch(name, {});
        expect(result).toMatchObject({ ok: false, error: { status: 404 } });
      }),
      { seed: SEED + 1, numRuns: 300 },
    );
  });
});

describe('import paths stay inside the import folders', () => {
  it('refuses .., absolute paths elsewhere and symbolic links leading out', async () => {
    const before = snapshot();
    for (const path of ['../secret.npz', '../../../../etc/passwd', join(dir, 'secret.npz'), '/etc/passwd', 'link.npz', 'link-dir/secret.npz', `${importRoot}/../secret.npz`, 'sub/../../secret.npz']) {
      for (const [call, input] of [
        ['datasets.import', { path, name: 'stolen' }],
        ['datasets.inspect', { ref: path.includes('/') ? path : `./${path}` }],
      ] as const) {
        const result = await handlers.dispatch(call, input);
        expect({ path, call, ok: result.ok }).toEqual({ path, call, ok: false });
        if (!result.ok) {
          expect([400, 404]).toContain(result.error.status);
          expect(result.error.error).toMatch(/outside the folders|no such file|links outside/);
          expect(result.error.error).not.toContain('outside the import folder'); // the file's content never shows
        }
      }
    }
    expect(snapshot()).toBe(before);
  });
});

const send = (method: string, path: string, options?: RawRequestOptions) => rawRequest(server.origin, method, path, options);

const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

describe('the HTTP server', () => {
  it('binds loopback unless told otherwise', () => {
    expect(server.hostname).toBe('127.0.0.1');
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses bodies over the limit with 413, declared or streamed', async () => {
    const before = snapshot();
    const big = JSON.stringify({ configs: [{ data: 'demo', name: 'x'.repeat(MAX_REQUEST_BYTES) }] });
    expect((await send('POST', '/api/call/runs.create', { headers: auth, body: big })).status).toBe(413);
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.origin}/api/call/runs.create`, { method: 'POST', headers: { ...auth, 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(413)); // the server may close the connection once it has answered
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(100_000, 0x20));
      req.end();
      setTimeout(() => reject(new Error('no answer to a streamed oversize body')), 20_000);
    });
    expect(streamed).toBe(413);
    expect(snapshot()).toBe(before);
  });

  it('sends no CORS headers on any response and refuses preflights and foreign origins', async () => {
    const replies = [
      await send('GET', '/api/health'),
      await send('GET', '/'),
      await send('POST', '/api/call/app.info', { headers: auth, body: '{}' }),
      await send('POST', '/api/call/runs.get', { headers: auth, body: '{"id": 999}' }),
      await send('POST', '/api/call/app.info', { headers: { 'Content-Type': 'application/json' }, body: '{}' }),
      await send('OPTIONS', '/api/call/app.info', { headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } }),
      await send('OPTIONS', '/api/call/app.info', { headers: { 'Access-Control-Request-Method': 'POST' } }),
      await send('POST', '/api/call/app.info', { headers: { ...auth, Origin: 'http://evil.example' }, body: '{}' }),
    ];
    for (const reply of replies) {
      expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    expect(replies[5].status).toBe(403);
    expect(replies[6].status).toBeGreaterThanOrEqual(400);
    expect(replies[7].status).toBe(403);
  });

  it('never writes the token to its log, even when calls fail', async () => {
    await send('POST', '/api/call/app.info', { headers: auth, body: '{}' });
    await send('POST', '/api/call/app.info', { headers: { ...auth, Authorization: `Bearer ${TOKEN}-wrong` }, body: '{}' });
    await send('POST', '/api/call/runs.get', { headers: auth, body: '{"id": "not a number"}' });
    await send('POST', '/api/call/runs.create', { headers: auth, body: '{"configs": [' });
    await send('GET', `/api/events?token=${TOKEN}x`);
    await send('POST', `/api/call/app.info?token=${TOKEN}`, { headers: { 'Content-Type': 'application/json' }, body: '{}' });
    const everything = logLines.join('\n');
    expect(everything).not.toContain(TOKEN);
  });
});

describe('the token check', () => {
  it('compares 32-byte SHA-256 digests with timingSafeEqual, so neither content nor length leaks through timing', () => {
    compared.length = 0;
    for (const given of ['', 'x', TOKEN.slice(0, -1), TOKEN, `${TOKEN}-and-much-longer-than-the-token`]) tokenMatches(given, TOKEN);
    expect(compared).toHaveLength(5);
    for (const [a, b] of compared) {
      expect([a.length, b.length]).toEqual([32, 32]);
      expect(b).toEqual(createHash('sha256').update(TOKEN).digest());
    }
    // No early exit before the constant-time comparison, whatever the length of the guess.
    const source = readFileSync(join(REPO_ROOT, 'core/server/security.ts'), 'utf8');
    const body = /export function tokenMatches[\s\S]*?\n}/.exec(source)?.[0] ?? '';
    expect(body).not.toMatch(/given\s*[!=]==?\s*expected|expected\s*[!=]==?\s*given|\.length/);
  });

  it('accepts exactly the token', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 64 }), (given) => {
        expect(tokenMatches(given, TOKEN)).toBe(given === TOKEN);
      }),
      { seed: SEED + 2, numRuns: 500 },
    );
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(null, TOKEN)).toBe(false);
  });
});
