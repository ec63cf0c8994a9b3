import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_WINDOW_STATE, fitToDisplays, loadWindowState, parseWindowState, saveWindowState, windowStatePath } from './window-state';

vi.mock('electron', () => ({}));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-window-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('window state file', () => {
  it('gives the defaults when there is no file yet', () => {
    expect(loadWindowState(windowStatePath(dir))).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('round-trips a saved state', () => {
    const path = windowStatePath(dir);
    saveWindowState(path, { width: 1500, height: 900, x: -1200, y: 40, maximized: true });
    expect(loadWindowState(path)).toEqual({ width: 1500, height: 900, x: -1200, y: 40, maximized: true });
  });

  it('falls back to the defaults for a corrupt or invalid file', () => {
    const path = windowStatePath(dir);
    const bad = [
      '{"width": 1200, "height": 8',
      '\u0000\u0001binary',
      '',
      'null',
      '[1280, 800]',
      '{"width": "1200", "height": 800, "maximized": false}',
      '{"width": 1200.5, "height": 800, "maximized": false}',
      '{"width": 10, "height": 800, "maximized": false}',
      '{"width": 1200, "height": 1e9, "maximized": false}',
      '{"width": 1200, "height": 800, "maximized": "yes"}',
      '{"width": 1200, "height": 800, "maximized": false, "x": 10}',
      '{"width": 1200, "height": 800, "maximized": false, "x": 10, "y": NaN}',
    ];
    for (const text of bad) {
      writeFileSync(path, text);
      expect(loadWindowState(path), text).toEqual(DEFAULT_WINDOW_STATE);
    }
  });

  it('returns a fresh copy of the defaults each time', () => {
    const first = loadWindowState(windowStatePath(dir));
    first.width = 999;
    expect(loadWindowState(windowStatePath(dir)).width).toBe(DEFAULT_WINDOW_STATE.width);
  });

  it('refuses to save an invalid state and keeps the previous file', () => {
    const path = windowStatePath(dir);
    saveWindowState(path, { width: 1000, height: 700, maximized: false });
    expect(() => saveWindowState(path, { width: Number.NaN, height: 700, maximized: false })).toThrow(/not valid/);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ width: 1000, height: 700, maximized: false });
  });

  it('drops unknown fields when parsing', () => {
    expect(parseWindowState({ width: 800, height: 600, maximized: false, evil: true })).toEqual({ width: 800, height: 600, maximized: false });
  });
});

describe('fitToDisplays', () => {
  const displays = [
    { x: 0, y: 0, width: 1920, height: 1040 },
    { x: 1920, y: 0, width: 1280, height: 1024 },
  ];

  it('keeps a position whose title bar is on a display', () => {
    const state = { width: 1000, height: 700, x: 2000, y: 100, maximized: false };
    expect(fitToDisplays(state, displays)).toEqual(state);
  });

  it('drops a position left over from a display that is gone', () => {
    const state = { width: 1000, height: 700, x: -3000, y: 100, maximized: false };
    expect(fitToDisplays(state, displays)).toEqual({ width: 1000, height: 700, maximized: false });
  });

  it('drops a position whose title bar is above every display', () => {
    expect(fitToDisplays({ width: 1000, height: 700, x: 100, y: -600, maximized: false }, displays).x).toBeUndefined();
  });
});
