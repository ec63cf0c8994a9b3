import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocate, float32View, release } from '../../core/tensor/wasm/arena';
import { wasmPayload } from '../../core/tensor/wasm/module';
import { buildElectron } from './build';

/** The bundles Electron loads: checked as text, since Electron itself cannot run here. */
let outDir: string;
let files: Record<'main' | 'preload' | 'worker' | 'kernelWorker', string>;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'alignahead-electron-build-'));
  await buildElectron({ outDir });
  const read = (name: string) => readFileSync(join(outDir, name), 'utf8');
  files = { main: read('main.cjs'), preload: read('preload.cjs'), worker: read('worker.cjs'), kernelWorker: read('kernel-worker.cjs') };
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const requires = (code: string) => new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]));

describe('electron bundles', () => {
  it('the sandboxed preload is CommonJS and needs nothing but electron', () => {
    expect([...requires(files.preload)]).toEqual(['electron']);
    expect(files.preload).not.toMatch(/\bimport\s|\bexport\s/);
    expect(files.preload.length).toBeLessThan(10_000);
  });

  it('no bundle is left with import.meta (undefined in CommonJS)', () => {
    for (const code of Object.values(files)) expect(code).not.toContain('import.meta');
  });

  it('every rewritten source location points at a real file (so migrations/ and package.json are found)', () => {
    for (const code of [files.main, files.worker]) {
      const targets = [...code.matchAll(/__alignaheadSourceUrl\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) expect(existsSync(resolve(outDir, target)), target).toBe(true);
    }
    expect(files.worker).toMatch(/"\.\.\/\.\.\/migrations\/", __alignaheadSourceUrl\("[^"]*core\/store\/migrate\.ts"\)/);
  });

  it('leaves native and npm packages to node_modules (the Electron build of better-sqlite3 is found there)', () => {
    for (const code of [files.main, files.worker]) {
      expect(requires(code).has('better-sqlite3')).toBe(true);
      expect(code).not.toContain('function Database(filenameGiven');
    }
    expect(requires(files.main).has('electron')).toBe(true);
  });

  it('the kernel-thread bundle runs as a worker thread and computes a row range', async () => {
    // the training worker finds it next to itself
    expect(files.worker).toContain('kernel-worker.cjs');
    const state = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(join(outDir, 'kernel-worker.cjs'), { workerData: { state } });
    try {
      for (let waited = 0; Atomics.load(state, 1) !== 1 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      expect(Atomics.load(state, 1)).toBe(1);
      // segment sum of edge values [1, 2, 3, 4] into destinations with offsets [0, 1, 3, 4]: rows 1..2 only
      const shared = <T extends Int32Array | Float32Array>(values: T): T => {
        const copy = new (values.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(values.byteLength));
        copy.set(values as never);
        return copy;
      };
      const offsets = shared(Int32Array.from([0, 1, 3, 4]));
      const values = shared(Float32Array.from([1, 2, 3, 4]));
      const out = shared(new Float32Array(3));
      Atomics.store(state, 0, 1);
      worker.postMessage({ name: 'segmentSum', args: [offsets, values, 1, false, out], start: 1, end: 3 });
      for (let waited = 0; Atomics.load(state, 0) === 1 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      expect(Atomics.load(state, 0)).toBe(2);
      expect([...out]).toEqual([0, 5, 4]);
    } finally {
      await worker.terminate();
    }
  });

  it('the kernel-thread bundle runs the SIMD kernels on the memory it is given', async () => {
    const state = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(join(outDir, 'kernel-worker.cjs'), { workerData: { state, wasm: wasmPayload() } });
    try {
      for (let waited = 0; Atomics.load(state, 1) !== 1 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      // rows 1..2 of [1, 2] · [[3], [4]] with a gemm over the shared memory
      const [a, b, c] = [allocate(8), allocate(4 * 4), allocate(2 * 4 * 4)];
      float32View(a, 2).set([1, 2]);
      float32View(b, 8).set([3, 0, 0, 0, 4, 0, 0, 0]);
      Atomics.store(state, 0, 1);
      worker.postMessage({ name: 'wasm', args: ['gemm_nn', [a, 2, b, 4, c, 2]], start: 0, end: 1 });
      for (let waited = 0; Atomics.load(state, 0) === 1 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      expect(Atomics.load(state, 0)).toBe(2);
      expect(float32View(c, 1)[0]).toBe(11);
      [a, b, c].forEach(release);
    } finally {
      await worker.terminate();
    }
  });
});
