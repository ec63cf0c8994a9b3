import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT } from './serve-harness';

/**
 * What a newcomer does, word for word from the README's first command: a clean clone, `npm ci`
 * (offline-style, without the Electron binary, so `npm start` falls back to serve mode), `npm run
 * demo` (a first run on the embedded synthetic dataset), `npm start`, then the URL it prints, in a
 * browser, where the demo run is listed. The clone sees committed files only: this checks what was
 * committed. Slow (an install, 1–3 minutes), hence the only test of its kind.
 */

const isGitCheckout = spawnSync('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).status === 0;
const haveChromium = existsSync(CHROMIUM_PATH);
if (!isGitCheckout) console.warn('first-start e2e skipped: the project is not a git checkout, so there is nothing to clone');
if (!haveChromium) console.warn(`first-start e2e skipped: ${CHROMIUM_PATH} not found`);

const SCREENSHOTS = join(REPO_ROOT, process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-output/screenshots');
const INSTALL_TIMEOUT_MS = 8 * 60_000;

/** Runs a command to the end; throws with its output when it fails. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): string {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${output.slice(-4000)}`);
  return output;
}

/** The environment of a newcomer's shell: none of the test run's npm or workbench settings. */
function cleanEnv(home: string | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('npm_') || name.startsWith('ALIGNAHEAD_') || name.startsWith('VITEST') || name === 'NODE_OPTIONS' || name === 'INIT_CWD') continue;
    env[name] = value;
  }
  // An offline install, as the README says: the Electron binary comes from outside the npm registry.
  env.ELECTRON_SKIP_BINARY_DOWNLOAD = '1';
  if (home) env.HOME = home;
  return env;
}

describe.skipIf(!isGitCheckout || !haveChromium)('first start on a clean clone (npm ci, npm run demo, npm start, the printed URL)', () => {
  let work: string;
  let clone: string;
  let starter: ChildProcess | null = null;
  let browser: Browser | null = null;
  let startOutput = '';

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'alignahead-first-start-'));
    clone = join(work, 'alignahead');
    run('git', ['clone', '--quiet', REPO_ROOT, clone], work, cleanEnv(null), 60_000);
    run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], clone, cleanEnv(null), INSTALL_TIMEOUT_MS);
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    if (starter?.pid && starter.exitCode === null) {
      const exited = new Promise((resolve) => starter!.once('exit', resolve));
      // npm start, the launcher and the server are one process group (detached below)
      process.kill(-starter.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (starter.exitCode === null) process.kill(-starter.pid, 'SIGKILL');
    }
    // a whole install: removing it takes a while on a loaded disk
    await rm(work, { recursive: true, force: true });
  }, 180_000);

  it('npm run demo trains into the home history; npm start builds the missing UI with a progress line, falls back to serve mode and prints a URL that opens the runs view with the demo run', async () => {
    const home = join(work, 'home');
    mkdirSync(home);
    const demo = run('npm', ['run', 'demo'], clone, cleanEnv(home), 300_000);
    expect(demo).toMatch(/gcn-alignahead-seed0\s+completed/);
    expect(existsSync(join(clone, 'renderer', 'dist'))).toBe(false);
    starter = spawn('npm', ['start'], { cwd: clone, env: cleanEnv(home), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed no URL within 3 minutes:\n${startOutput}`)), 180_000);
      const onData = (chunk: Buffer) => {
        startOutput += chunk.toString();
        const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(startOutput);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      starter!.stdout!.on('data', onData);
      starter!.stderr!.on('data', onData);
      starter!.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code}:\n${startOutput}`));
      });
    });
    expect(startOutput).toMatch(/starting serve mode instead/);
    expect(startOutput).toMatch(/\[1\/1\] user interface \(renderer\/dist\): missing, building… done in \d+\.\d s/);
    // the newcomer's data goes to their home folder
    expect(startOutput).toContain(join(home, '.alignahead', 'workbench.sqlite'));

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url);
    await page.locator('.runs-view').waitFor({ timeout: 30_000 });
    const demoRow = page.locator('tr[data-run-id]');
    await demoRow.first().waitFor();
    expect(await demoRow.count()).toBe(1);
    expect(await demoRow.first().textContent()).toMatch(/gcn-alignahead-seed0[\s\S]*completed/);
    await expect.poll(() => page.locator('[data-test=status-bar]').textContent()).toMatch(/serve · v\d/);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'first-start.png') });
    expect(await page.content()).not.toContain('has not been built yet');
    expect(pageErrors).toEqual([]);
  }, 540_000);
});
