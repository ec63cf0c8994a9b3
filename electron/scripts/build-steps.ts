/**
 * What `npm start` builds before it starts anything. Each output is rebuilt when it is missing or
 * older than its sources (a fresh clone, a `git pull`) and left alone otherwise, with one progress
 * line per step, so the README's first command works on a clean clone and costs nothing afterwards.
 * Serve mode needs the UI bundle; the desktop app also needs the Electron bundles and the Electron
 * build of the native modules.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUpToDate, wantedStamp } from './native-deps';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface BuildStep {
  /** what the progress line calls it */
  label: string;
  /** why it must be built now ("missing", "sources changed"), or null when what is there is current */
  staleness(): string | null;
  /** run with this Node: a script and its arguments */
  args: string[];
}

/** The newest modification time of a file, or of every file under a folder (node_modules skipped). */
export function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

/** "missing" when an output is absent, "sources changed" when a source is newer than the oldest output, else null. */
export function outputStaleness(outputs: readonly string[], sources: readonly string[]): string | null {
  if (outputs.some((output) => !existsSync(output))) return 'missing';
  const oldestOutput = Math.min(...outputs.map((output) => statSync(output).mtimeMs));
  return Math.max(...sources.map(newestMtime)) > oldestOutput ? 'sources changed' : null;
}

const at = (root: string, paths: string[]) => paths.map((path) => join(root, path));

/** The UI bundle (renderer/dist) that serve mode serves and the desktop window loads. */
export function rendererStep(root: string = REPO_ROOT): BuildStep {
  return {
    label: 'user interface (renderer/dist)',
    staleness: () => outputStaleness(at(root, ['renderer/dist/index.html']), at(root, ['renderer/src', 'renderer/index.html', 'renderer/vite.config.ts', 'contract', 'package.json'])),
    args: [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'renderer/vite.config.ts'), '--logLevel', 'warn'],
  };
}

/** The desktop shell's bundles (dist/electron/*.cjs, see build.ts). */
export function electronStep(root: string = REPO_ROOT): BuildStep {
  const outputs = at(root, ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/electron/worker.cjs', 'dist/electron/kernel-worker.cjs']);
  return {
    label: 'desktop shell (dist/electron)',
    staleness: () => outputStaleness(outputs, at(root, ['electron', 'core', 'contract', 'migrations', 'package.json'])),
    args: [join(root, 'bin/run-ts.js'), join(root, 'electron/scripts/build.ts')],
  };
}

/** better-sqlite3 rebuilt for Electron's ABI (native-deps.ts keeps its own stamp of what it built for). */
export function nativeStep(root: string = REPO_ROOT): BuildStep {
  return {
    label: 'native modules for Electron (dist/electron/node_modules)',
    staleness: () => (isUpToDate(join(root, 'dist', 'electron'), wantedStamp(root)) ? null : 'missing'),
    args: [join(root, 'bin/run-ts.js'), join(root, 'electron/scripts/native-deps.ts')],
  };
}

export interface ProgressOutput {
  write(text: string): void;
  /** a terminal: the line is redrawn in place with the elapsed time */
  isTTY: boolean;
}

export interface StepRunner {
  /** runs `node ...args` in `cwd`; resolves with the exit code and everything it printed */
  (args: string[], cwd: string): Promise<{ code: number; output: string }>;
}

/** Runs a script with this Node, its output collected (shown only when it fails). */
export const runNodeScript: StepRunner = (args, cwd) =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code: code ?? (signal ? 1 : 0), output }));
  });

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Builds the steps that are stale, in order, one progress line each:
 *   alignahead start: [1/2] user interface (renderer/dist): missing, building… done in 3.4 s
 * Resolves with the labels it built; a failed step throws with the tail of its output.
 */
export async function buildWhatIsMissing(
  steps: readonly BuildStep[],
  options: { out?: ProgressOutput; run?: StepRunner; cwd?: string; now?: () => number } = {},
): Promise<string[]> {
  const out = options.out ?? { write: (text: string) => process.stdout.write(text), isTTY: Boolean(process.stdout.isTTY) };
  const run = options.run ?? runNodeScript;
  const now = options.now ?? Date.now;
  const built: string[] = [];
  for (const [index, step] of steps.entries()) {
    const prefix = `alignahead start: [${index + 1}/${steps.length}] ${step.label}`;
    const reason = step.staleness();
    if (reason === null) {
      out.write(`${prefix}: up to date\n`);
      continue;
    }
    const started = now();
    out.write(`${prefix}: ${reason}, building…`);
    const ticker = out.isTTY ? setInterval(() => out.write(`\r${prefix}: ${reason}, building… ${seconds(now() - started)}`), 500) : null;
    let result: { code: number; output: string };
    try {
      result = await run(step.args, options.cwd ?? REPO_ROOT);
    } finally {
      if (ticker) clearInterval(ticker);
    }
    if (result.code !== 0) {
      out.write(` failed\n`);
      const tail = result.output.trim().split('\n').slice(-30).join('\n');
      throw new Error(`building the ${step.label} failed (exit ${result.code}):\n${tail}`);
    }
    out.write(`${out.isTTY ? `\r${prefix}: ${reason}, building…` : ''} done in ${seconds(now() - started)}\n`);
    built.push(step.label);
  }
  return built;
}
