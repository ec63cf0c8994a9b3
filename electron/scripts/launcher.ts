/**
 * `npm start`: the desktop app when the Electron binary is installed, otherwise serve mode (the same
 * UI in a browser). Offline installs skip Electron's binary download (ELECTRON_SKIP_BINARY_DOWNLOAD),
 * so the fallback is the normal case on such machines, not an error.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWhatIsMissing, electronStep, nativeStep, rendererStep } from './build-steps';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const SERVE_FALLBACK_MESSAGE = 'Electron binary not installed (offline install); starting serve mode instead — open the URL below';

export interface ElectronLookup {
  /** node_modules/electron */
  electronPackageDir: string;
  env: NodeJS.ProcessEnv;
  exists(path: string): boolean;
  readText(path: string): string | null;
}

/**
 * Where the Electron executable is, or null when it is not installed. Mirrors what
 * `require('electron')` computes, without its side effect: when the binary is missing, that require
 * starts a download (which hangs or fails offline).
 */
export function locateElectronBinary(lookup: ElectronLookup): string | null {
  const recorded = lookup.readText(join(lookup.electronPackageDir, 'path.txt'))?.trim() || null;
  const override = lookup.env.ELECTRON_OVERRIDE_DIST_PATH?.trim();
  const candidate = override ? join(override, recorded ?? 'electron') : recorded ? join(lookup.electronPackageDir, 'dist', recorded) : null;
  return candidate && lookup.exists(candidate) ? candidate : null;
}

export type StartMode = { mode: 'desktop'; electronBinary: string } | { mode: 'serve' };

/** Desktop when the binary exists, unless ALIGNAHEAD_SERVE=1 asks for serve mode anyway. */
export function chooseStartMode(electronBinary: string | null, env: NodeJS.ProcessEnv = {}): StartMode {
  if (env.ALIGNAHEAD_SERVE === '1' || electronBinary === null) return { mode: 'serve' };
  return { mode: 'desktop', electronBinary };
}

export function systemElectronLookup(repoRoot: string = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): ElectronLookup {
  return {
    electronPackageDir: join(repoRoot, 'node_modules', 'electron'),
    env,
    exists: existsSync,
    readText: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    },
  };
}

/**
 * Runs a child with our stdio and resolves with its exit code. A signal sent to us alone (a process
 * manager stopping `npm start`) is passed on, so the app or server never outlives its launcher.
 */
function runForeground(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const name of signals) process.off(name, forward);
      resolveExit(code ?? (signal ? 1 : 0));
    });
  });
}

/** Builds what the desktop app needs and is missing or stale, then runs it; resolves with the app's exit code. */
async function startDesktop(electronBinary: string, args: string[]): Promise<number> {
  await buildWhatIsMissing([rendererStep(), electronStep(), nativeStep()]);
  const env = { ...process.env };
  // Set by some tools (and by Electron-based editors' terminals); it would make Electron run as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  return runForeground(electronBinary, [REPO_ROOT, ...args], env);
}

/** Serve mode serves the UI bundle: built first when missing or stale, so the printed URL opens a working app. */
async function startServe(args: string[]): Promise<number> {
  await buildWhatIsMissing([rendererStep()]);
  return runForeground(process.execPath, [join(REPO_ROOT, 'bin', 'alignahead.js'), 'serve', ...args], process.env);
}

export async function runStart(args: string[]): Promise<number> {
  const choice = chooseStartMode(locateElectronBinary(systemElectronLookup()), process.env);
  if (choice.mode === 'desktop') return startDesktop(choice.electronBinary, args);
  console.log(SERVE_FALLBACK_MESSAGE);
  return startServe(args);
}
