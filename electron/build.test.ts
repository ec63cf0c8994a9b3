import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectron } from './build';

/** The bundles Electron loads: checked as text, since Electron itself cannot run here. */
let outDir: string;
let files: Record<'main' | 'preload' | 'worker', string>;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'alignahead-electron-build-'));
  await buildElectron({ outDir });
  const read = (name: string) => readFileSync(join(outDir, name), 'utf8');
  files = { main: read('main.cjs'), preload: read('preload.cjs'), worker: read('worker.cjs') };
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
});
