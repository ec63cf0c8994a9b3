import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appStatePath, loadOrCreateAppState, saveAppState } from './app-state';
import { datasetNameFromPath } from './dataset-import';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-app-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('app state', () => {
  it('records the first start once', () => {
    const path = appStatePath(dir);
    const now = new Date('2025-03-01T10:00:00Z');
    const first = loadOrCreateAppState(path, now);
    expect(first).toEqual({ state: { firstStartedAt: now.toISOString(), theme: 'system' }, firstStart: true });
    const second = loadOrCreateAppState(path, new Date('2025-03-02T10:00:00Z'));
    expect(second).toEqual({ state: first.state, firstStart: false });
  });

  it('remembers the theme', () => {
    const path = appStatePath(dir);
    const { state } = loadOrCreateAppState(path);
    saveAppState(path, { ...state, theme: 'dark' });
    expect(loadOrCreateAppState(path).state.theme).toBe('dark');
  });

  it('replaces a corrupt file without calling it a first start', () => {
    const path = appStatePath(dir);
    writeFileSync(path, '{"firstStartedAt": ');
    const now = new Date('2025-04-01T00:00:00Z');
    expect(loadOrCreateAppState(path, now)).toEqual({ state: { firstStartedAt: now.toISOString(), theme: 'system' }, firstStart: false });
    expect(JSON.parse(readFileSync(path, 'utf8')).firstStartedAt).toBe(now.toISOString());
  });

  it('treats an unknown theme as system', () => {
    const path = appStatePath(dir);
    writeFileSync(path, JSON.stringify({ firstStartedAt: '2025-01-01T00:00:00.000Z', theme: 'neon' }));
    expect(loadOrCreateAppState(path).state.theme).toBe('system');
  });
});

describe('datasetNameFromPath', () => {
  const NAME_RULE = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
  it('uses the base name without its extension', () => {
    expect(datasetNameFromPath('/home/me/data/cora.npz')).toBe('cora');
    expect(datasetNameFromPath('C:\\data\\ppi\\')).toBe('ppi');
    expect(datasetNameFromPath('/data/my graph (v2).csv')).toBe('my-graph-v2');
  });

  it('always gives a name the registry accepts', () => {
    for (const path of ['/data/.hidden', '/data/___', '/', '/data/ü.npz', `/data/${'a'.repeat(200)}.npz`, '/data/-x-.zip']) {
      expect(datasetNameFromPath(path), path).toMatch(NAME_RULE);
    }
  });
});
