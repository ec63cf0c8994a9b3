import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseStartMode, locateElectronBinary, type ElectronLookup } from './launcher';

const PACKAGE_DIR = '/repo/node_modules/electron';

function lookup(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): ElectronLookup {
  return { electronPackageDir: PACKAGE_DIR, env, exists: (path) => path in files, readText: (path) => files[path] ?? null };
}

describe('locateElectronBinary', () => {
  it('finds nothing after an install that skipped the binary download (no path.txt)', () => {
    expect(locateElectronBinary(lookup({}))).toBeNull();
  });

  it('finds nothing when path.txt names a binary that is not there', () => {
    expect(locateElectronBinary(lookup({ [join(PACKAGE_DIR, 'path.txt')]: 'electron' }))).toBeNull();
  });

  it('finds the downloaded binary', () => {
    const binary = join(PACKAGE_DIR, 'dist', 'electron');
    expect(locateElectronBinary(lookup({ [join(PACKAGE_DIR, 'path.txt')]: 'electron\n', [binary]: '' }))).toBe(binary);
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like electron itself', () => {
    const binary = join('/opt/electron', 'electron');
    expect(locateElectronBinary(lookup({ [binary]: '' }, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }))).toBe(binary);
    expect(locateElectronBinary(lookup({}, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }))).toBeNull();
  });
});

describe('chooseStartMode', () => {
  it('starts serve mode when the binary is missing', () => {
    expect(chooseStartMode(locateElectronBinary(lookup({})))).toEqual({ mode: 'serve' });
  });

  it('starts the desktop app when the binary is there', () => {
    expect(chooseStartMode('/bin/electron')).toEqual({ mode: 'desktop', electronBinary: '/bin/electron' });
  });

  it('starts serve mode when asked to, binary or not', () => {
    expect(chooseStartMode('/bin/electron', { ALIGNAHEAD_SERVE: '1' })).toEqual({ mode: 'serve' });
  });
});
