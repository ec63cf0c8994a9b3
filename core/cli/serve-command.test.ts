import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../store';

const CLI = fileURLToPath(new URL('../../bin/alignahead.js', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-serve-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

it('prints the URL with its token, answers on it, and exits cleanly on SIGTERM', async () => {
  const token = 'cli-test-token-0123456789';
  const db = join(dir, 'db.sqlite');
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0', '--data-dir', join(dir, 'data')], {
    env: { ...process.env, ALIGNAHEAD_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = /^(http:\/\/\S+)\n/m.exec(stdout);
      if (line) resolve(line[1]);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before printing its URL: ${stderr}`)));
  });
  const parsed = new URL(url);
  expect(parsed.hostname).toBe('127.0.0.1');
  expect(parsed.searchParams.get('token')).toBe(token);

  const health = await fetch(new URL('/api/health', url));
  expect(health.status).toBe(200);
  const info = await fetch(new URL('/api/call/app.info', url), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  expect(await info.json()).toMatchObject({ mode: 'serve', databasePath: db });

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(stderr).toMatch(/shutting down/);
  const store = openStore(db, { mustExist: true });
  expect(store.integrityCheck()).toBe('ok');
  store.close();
});

it('moves to the next port when the default one is taken, and says so by name when all are', async () => {
  const { listenOnFreePort } = await import('./serve-command');
  const inUse = () => Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
  const tried: number[] = [];
  const taken = new Set([7860, 7861]);
  const start = async (port: number) => {
    tried.push(port);
    if (taken.has(port)) throw inUse();
    return { port };
  };
  expect(await listenOnFreePort(7860, 10, start)).toEqual({ port: 7862 });
  expect(tried).toEqual([7860, 7861, 7862]);
  // an explicit --port is one attempt only
  await expect(listenOnFreePort(7860, 1, start)).rejects.toThrow(/port 7860 is in use; pick another with --port/);
  await expect(listenOnFreePort(7860, 2, start)).rejects.toThrow(/port 7861 is in use \(tried 7860–7861\)/);
  // other errors are not retried
  const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
  await expect(listenOnFreePort(80, 10, async () => Promise.reject(denied))).rejects.toBe(denied);
});

it('a real taken port: serve moves to the next free one', async () => {
  const { createServer } = await import('node:net');
  const { listenOnFreePort } = await import('./serve-command');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const busy = (blocker.address() as { port: number }).port;
  const listen = (port: number) =>
    new Promise<import('node:net').Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  try {
    const server = await listenOnFreePort(busy, 5, listen);
    const port = (server.address() as { port: number }).port;
    expect(port).toBeGreaterThan(busy);
    expect(port).toBeLessThan(busy + 5);
    server.close();
  } finally {
    blocker.close();
  }
});
