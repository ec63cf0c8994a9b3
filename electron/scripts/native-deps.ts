/**
 * better-sqlite3 is a native addon built against one ABI: node_modules holds the Node build that the
 * CLI, serve mode and the tests use. The desktop app needs an Electron build. Rebuilding in place
 * (what `electron-builder install-app-deps` does) would leave node_modules unusable for the tests, so
 * the Electron build lives in its own place instead:
 *
 *   dist/electron/node_modules/better-sqlite3   a copy, rebuilt for Electron's ABI
 *
 * The bundles in dist/electron/ resolve `better-sqlite3` there first (Node looks in the nearest
 * node_modules), while everything else keeps resolving the untouched Node build. A stamp file makes
 * the rebuild happen once per Electron / better-sqlite3 version. Packaging ships the same copy
 * (electron-builder.yml has npmRebuild: false and includes dist/electron/node_modules).
 *
 * Run: `node bin/run-ts.js electron/scripts/native-deps.ts` (npm run prepare:electron-native) (needs the Electron headers or a prebuilt
 * binary, so network on first use; bin/start.js only calls it when the Electron binary exists).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const NATIVE_MODULES = ['better-sqlite3'] as const;

export interface NativeStamp {
  electron: string;
  modules: Record<string, string>;
  platform: string;
  arch: string;
}

function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** What the Electron-ABI copy must have been built for. */
export function wantedStamp(repoRoot: string = REPO_ROOT): NativeStamp {
  const modules: Record<string, string> = {};
  for (const name of NATIVE_MODULES) modules[name] = packageVersion(join(repoRoot, 'node_modules', name));
  return { electron: packageVersion(join(repoRoot, 'node_modules', 'electron')), modules, platform: process.platform, arch: process.arch };
}

export function stampPath(buildDir: string): string {
  return join(buildDir, 'node_modules', '.alignahead-native.json');
}

/** True when the copy in `buildDir` was built for exactly `wanted`. */
export function isUpToDate(buildDir: string, wanted: NativeStamp): boolean {
  try {
    const stamp = JSON.parse(readFileSync(stampPath(buildDir), 'utf8')) as NativeStamp;
    return JSON.stringify(stamp) === JSON.stringify(wanted);
  } catch {
    return false;
  }
}

/** Copies the native modules into `buildDir` and rebuilds them there for Electron; a no-op when current. */
export function prepareElectronNativeDeps(options: { repoRoot?: string; buildDir?: string; force?: boolean } = {}): 'up-to-date' | 'rebuilt' {
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const buildDir = options.buildDir ?? join(repoRoot, 'dist', 'electron');
  const wanted = wantedStamp(repoRoot);
  if (!options.force && isUpToDate(buildDir, wanted)) return 'up-to-date';

  mkdirSync(join(buildDir, 'node_modules'), { recursive: true });
  rmSync(stampPath(buildDir), { force: true });
  // @electron/rebuild reads the dependency list of the folder it rebuilds.
  writeFileSync(join(buildDir, 'package.json'), `${JSON.stringify({ name: 'alignahead-electron-native', private: true, dependencies: wanted.modules }, null, 2)}\n`);
  for (const name of NATIVE_MODULES) {
    const target = join(buildDir, 'node_modules', name);
    rmSync(target, { recursive: true, force: true });
    // The Node build's outputs are not copied: what is there afterwards is Electron's or nothing.
    cpSync(join(repoRoot, 'node_modules', name), target, { recursive: true, filter: (source) => !source.includes(`${name}/build`) && !source.includes(`${name}\\build`) });
  }
  const rebuildCli = join(repoRoot, 'node_modules', '@electron', 'rebuild', 'lib', 'cli.js');
  if (!existsSync(rebuildCli)) throw new Error(`${rebuildCli} is missing (it comes with electron-builder): cannot rebuild native modules for Electron`);
  const result = spawnSync(process.execPath, [rebuildCli, '--version', wanted.electron, '--module-dir', buildDir, '--only', NATIVE_MODULES.join(','), '--force'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    throw new Error(`rebuilding ${NATIVE_MODULES.join(', ')} for Electron ${wanted.electron} failed (exit ${result.status ?? result.signal}); see the output above`);
  }
  writeFileSync(stampPath(buildDir), `${JSON.stringify(wanted, null, 2)}\n`);
  return 'rebuilt';
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const outcome = prepareElectronNativeDeps({ force: process.argv.includes('--force') });
  console.log(outcome === 'rebuilt' ? 'native modules rebuilt for Electron in dist/electron/node_modules' : 'native modules for Electron are up to date');
}
