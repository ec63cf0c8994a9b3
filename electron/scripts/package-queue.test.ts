import { extractFile, listPackage, statFile } from '@electron/asar';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_REDIS, startRedis, type TestRedis } from '../../test/queue/redis-harness';
import { buildElectron, REPO_ROOT } from './build';

/**
 * The desktop package ships the queue. The app's main bundle leaves bullmq and ioredis to
 * node_modules, so electron-builder must pack them, and everything they require, into app.asar.
 * BullMQ 6 keeps the Lua of its Redis commands as strings in JavaScript modules
 * (dist/cjs/scripts/*.js), loaded by require, which Electron serves from inside the asar; its .lua
 * files are copies nothing reads at run time, so nothing needs asarUnpack.
 *
 * Electron cannot run here (no binary), so electron-builder packs the real app around a stand-in
 * Electron folder (`electronDist`); the packages are read back out of app.asar into a folder
 * outside the repository (no module can come from its node_modules), and a Node process in which
 * reading any .lua file throws loads bullmq and ioredis from there and runs a job through a real Redis.
 */

let work: string;
let archive: string;
let files: Set<string>;

/** electron-builder --dir with a stand-in Electron: the app.asar a desktop package would hold. */
function packDesktopApp(): string {
  const fakeElectron = join(work, 'electron-dist');
  mkdirSync(fakeElectron, { recursive: true });
  writeFileSync(join(fakeElectron, 'electron'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(fakeElectron, 'electron'), 0o755);
  const output = join(work, 'packages');
  const cli = join(REPO_ROOT, 'node_modules', 'electron-builder', 'cli.js');
  const args = [cli, '--config', 'electron-builder.yml', '--linux', 'dir', `-c.electronDist=${fakeElectron}`, `-c.directories.output=${output}`];
  const packed = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
  if (packed.status !== 0) throw new Error(`electron-builder failed (${packed.status}):\n${packed.stdout}\n${packed.stderr}`);
  const unpacked = readdirSync(output).find((name) => name.endsWith('-unpacked'));
  if (!unpacked) throw new Error(`electron-builder made no unpacked app in ${output}: ${readdirSync(output).join(', ')}`);
  return join(output, unpacked, 'resources', 'app.asar');
}

const readJson = (path: string) => JSON.parse(extractFile(archive, path.slice(1)).toString('utf8')) as Record<string, Record<string, string> | undefined>;

/** Where Node would find package `name` from folder `from` inside the archive (nearest node_modules up). */
function packageDir(from: string, name: string): string | null {
  for (let dir = from; ; dir = posix.dirname(dir)) {
    const candidate = `${dir === '/' ? '' : dir}/node_modules/${name}`;
    if (files.has(`${candidate}/package.json`)) return candidate;
    if (dir === '/') return null;
  }
}

/** The packages `roots` load, as the archive resolves them; throws naming any that is missing. */
function closureOf(roots: string[]): string[] {
  const found = new Set<string>();
  const pending = roots.map((name) => ({ from: '/dist/electron', name, by: 'dist/electron/main.cjs' }));
  while (pending.length > 0) {
    const { from, name, by } = pending.pop()!;
    const dir = packageDir(from, name);
    if (!dir) throw new Error(`${name} (needed by ${by}) is not in app.asar`);
    if (found.has(dir)) continue;
    found.add(dir);
    const manifest = readJson(`${dir}/package.json`);
    const optionalPeers = manifest.peerDependenciesMeta ?? {};
    const needed = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !(optionalPeers[peer] as unknown as { optional?: boolean })?.optional)];
    // optional dependencies (native speed-ups) are followed only where installed
    const optional = Object.keys(manifest.optionalDependencies ?? {}).filter((dep) => packageDir(dir, dep) !== null);
    for (const dep of [...needed, ...optional]) pending.push({ from: dir, name: dep, by: dir.slice(1) });
  }
  return [...found].sort();
}

/** Copies the given package folders out of the archive into `dest`, keeping their paths. */
function extractPackages(dirs: string[], dest: string): void {
  for (const path of files) {
    if (!dirs.some((dir) => path.startsWith(`${dir}/`))) continue;
    const target = join(dest, path);
    if ('files' in statFile(archive, path.slice(1))) mkdirSync(target, { recursive: true });
    else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, extractFile(archive, path.slice(1)));
    }
  }
}

/** Runs in the extracted app: any read of a .lua file throws; a BullMQ job makes the round trip. */
const PROBE = `
const fs = require('node:fs');
const refuse = (path) => { if (String(path).endsWith('.lua')) throw new Error('read a .lua file: ' + path); };
for (const name of ['readFileSync', 'readFile', 'createReadStream', 'openSync', 'open']) {
  const original = fs[name];
  fs[name] = function (path, ...rest) { refuse(path); return original.call(this, path, ...rest); };
}
const readPromise = fs.promises.readFile;
fs.promises.readFile = (path, ...rest) => { refuse(path); return readPromise(path, ...rest); };
const { Queue, Worker } = require('bullmq');
const { Redis } = require('ioredis');
(async () => {
  const connection = () => new Redis(process.argv[2], { maxRetriesPerRequest: null });
  const queue = new Queue('probe', { connection: connection(), prefix: 'package-test' });
  const worker = new Worker('probe', async (job) => job.data.x * 2, { connection: connection(), prefix: 'package-test' });
  const job = await queue.add('double', { x: 21 });
  const result = await new Promise((resolve, reject) => {
    worker.on('completed', (done, value) => done.id === job.id && resolve(value));
    worker.on('failed', (_job, error) => reject(error));
    setTimeout(() => reject(new Error('no result within 30 s')), 30000);
  });
  const counts = await queue.getJobCounts('completed', 'waiting', 'failed');
  await worker.close();
  await queue.close();
  console.log(JSON.stringify({ result, counts, bullmq: require.resolve('bullmq'), ioredis: require.resolve('ioredis') }));
  process.exit(0);
})().catch((error) => { console.error(error && error.stack || error); process.exit(1); });
`;

describe('the desktop package ships the queue (bullmq, ioredis, BullMQ commands)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'alignahead-package-'));
    // electron-builder packs dist/electron/*.cjs, as `npm run dist` builds them
    await buildElectron();
    archive = packDesktopApp();
    files = new Set(listPackage(archive, { isPack: false }));
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the main bundle loads bullmq and ioredis from node_modules, and app.asar holds them with everything they require', () => {
    const main = extractFile(archive, 'dist/electron/main.cjs').toString('utf8');
    expect(main).toContain('require("bullmq")');
    expect(main).toContain('require("ioredis")');
    const closure = closureOf(['bullmq', 'ioredis']);
    for (const name of ['bullmq', 'ioredis', 'msgpackr', 'cron-parser', 'denque']) expect(closure.some((dir) => dir.endsWith(`/node_modules/${name}`)), name).toBe(true);
    // BullMQ's commands as JavaScript modules: what its connection loads
    const bullmq = packageDir('/dist/electron', 'bullmq')!;
    const scripts = [...files].filter((path) => path.startsWith(`${bullmq}/dist/cjs/scripts/`) && path.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(40);
    expect(scripts.some((path) => /\/moveToActive-\d+\.js$/.test(path))).toBe(true);
  });

  it.skipIf(!HAVE_REDIS)('bullmq and ioredis as packed run a job through Redis without reading any .lua file', async () => {
    const app = join(work, 'extracted');
    extractPackages(closureOf(['bullmq', 'ioredis']), app);
    const probe = join(app, 'dist', 'electron', 'queue-probe.cjs');
    mkdirSync(dirname(probe), { recursive: true });
    writeFileSync(probe, PROBE);
    let redis: TestRedis | null = null;
    try {
      redis = await startRedis({ dir: join(work, 'redis') });
      const ran = spawnSync(process.execPath, [probe, redis.url], { cwd: app, encoding: 'utf8', timeout: 60_000 });
      expect(ran.status, ran.stderr).toBe(0);
      const outcome = JSON.parse(ran.stdout.trim().split('\n').pop()!) as { result: number; counts: Record<string, number>; bullmq: string; ioredis: string };
      expect(outcome.result).toBe(42);
      expect(outcome.counts).toEqual({ completed: 1, waiting: 0, failed: 0 });
      // loaded from the package's copy, not the repository's node_modules
      expect(outcome.bullmq.startsWith(join(app, 'node_modules', 'bullmq'))).toBe(true);
      expect(outcome.ioredis.startsWith(join(app, 'node_modules', 'ioredis'))).toBe(true);
    } finally {
      await redis?.stop();
    }
  }, 120_000);
});
