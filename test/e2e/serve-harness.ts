import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWhatIsMissing, rendererStep } from '../../electron/scripts/build-steps';

/**
 * What the end-to-end tests and the UI benchmark share: a fresh renderer build when the sources
 * are newer than renderer/dist, and a real `alignahead serve` on a free port with its own database.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Builds renderer/dist when it is missing or older than its sources, as `npm start` does. */
export async function ensureRendererBuilt(): Promise<void> {
  await buildWhatIsMissing([rendererStep(REPO_ROOT)], { out: { write: () => undefined, isTTY: false } });
}

export interface ServeHandle {
  url: string;
  origin: string;
  token: string;
  dbPath: string;
  stop(): Promise<void>;
}

/** Starts `alignahead serve` on a free port and resolves with the URL it prints. */
export function startServe(options: { dbPath?: string; timeoutMs?: number; downloadMirror?: string; /** more `serve` flags, e.g. --data-dir */ args?: string[] } = {}): Promise<ServeHandle> {
  const dir = options.dbPath ? null : mkdtempSync(join(tmpdir(), 'alignahead-e2e-'));
  const dbPath = options.dbPath ?? join(dir!, 'runs.sqlite');
  const token = randomBytes(16).toString('hex');
  const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, 'bin/alignahead.js'), 'serve', '--db', dbPath, '--port', '0', '--token', token, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(options.downloadMirror ? { ALIGNAHEAD_DOWNLOAD_MIRROR: options.downloadMirror } : {}) },
  });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve(cleanup());
      child.once('exit', () => resolve(cleanup()));
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  const cleanup = () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`alignahead serve printed no URL within ${options.timeoutMs ?? 30_000} ms:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/[^\s]+\?token=[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        const url = match[1];
        resolve({ url, origin: new URL(url).origin, token, dbPath, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`alignahead serve exited with ${code}:\n${output}`));
    });
  });
}

/** Calls the API directly (for setup and assertions the UI does not need to drive). */
export async function apiCall<T>(serve: ServeHandle, name: string, input: unknown): Promise<T> {
  const response = await fetch(`${serve.origin}/api/call/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${serve.token}` },
    body: JSON.stringify(input),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${name}: ${response.status} ${JSON.stringify(body)}`);
  return body as T;
}

/** Debian's Chromium with the page the end-to-end tests drive: 1440×900, light theme, page errors collected. */
export async function openBrowserPage(pageErrors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.emulateMedia({ colorScheme: 'light' });
  return { browser, page };
}
