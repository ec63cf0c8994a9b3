import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../contract/api';
import { HAVE_REDIS, startRedis, startWorker, stopWorker, workerReady, type TestRedis, type TestWorker } from '../queue/redis-harness';
import { tempDir } from '../reliability/harness';
import { apiCall, CHROMIUM_PATH, ensureRendererBuilt, openBrowserPage, REPO_ROOT, startServe, type ServeHandle } from './serve-harness';

/**
 * Remote runs in real Chromium: a Redis with a password, serve mode as the coordinator, and one
 * real `alignahead worker` process. The queue is set from the Workers panel (the password typed
 * once, never shown), the worker appears there, a run sent from the form with "run on: remote
 * workers" is listed as the worker's current job, its curves grow live in the run view, and the
 * finished run names its worker. Screenshots as in workbench.test.ts.
 */

const haveChromium = existsSync(CHROMIUM_PATH);
const SCREENSHOTS = join(REPO_ROOT, process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-output/screenshots');
const PASSWORD = `pw-${randomBytes(9).toString('hex')}`;
const WORKER = 'gpu-box-1';
// long enough (about 30 ms an epoch here, plus the queue's start) to be seen training in the panel
const EPOCHS = 400;

describe.skipIf(!haveChromium || !HAVE_REDIS)('remote runs end to end (Redis, serve as coordinator, one worker, Chromium)', () => {
  const dir = tempDir('e2e-remote');
  let redis: TestRedis;
  let worker: TestWorker;
  let serve: ServeHandle;
  let browser: Browser;
  let page: Page;
  let runId = 0;
  const pageErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  const epochShown = async () => Number(/epoch (\d+)/.exec((await page.locator('[data-test=epoch-count]').textContent()) ?? '')?.[1] ?? -1);

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureRendererBuilt();
    redis = await startRedis({ dir: join(dir, 'redis'), password: PASSWORD });
    // the worker's password comes from its environment, like the README's commands
    worker = startWorker(redis.url.replace(`:${PASSWORD}@`, ''), WORKER, { dataDir: dir, env: { ALIGNAHEAD_HOST_ID: 'lab-gpu-01', ALIGNAHEAD_REDIS_PASSWORD: PASSWORD } });
    // its own data folder: the queue setting (queue.json) is saved there, not in the home folder
    serve = await startServe({ args: ['--data-dir', join(dir, 'serve-data')] });
    await workerReady(worker);
    ({ browser, page } = await openBrowserPage(pageErrors));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (worker) await stopWorker(worker);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('sets the queue from the Workers panel and lists the worker, its host and backend', async () => {
    await page.goto(serve.url);
    await page.locator('[data-nav=workers]').click();
    await expect.poll(() => page.locator('[data-test=queue-settings] [data-test=queue-state]').textContent()).toContain('no queue');
    await page.locator('input[name=queue-url]').fill(redis.url);
    await page.locator('[data-test=queue-save]').click();
    await expect.poll(() => page.locator('[data-test=queue-settings] [data-test=queue-state]').textContent(), { timeout: 20_000 }).toContain('connected');
    expect(await page.locator('[data-test=queue-url]').textContent()).toBe(redis.url.replace(PASSWORD, '***'));
    // cleared once the save resolves, which may come just after the pushed status says connected
    await expect.poll(() => page.locator('input[name=queue-url]').inputValue()).toBe('');
    const row = page.locator(`tr[data-worker="${WORKER}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toMatch(/lab-gpu-01[\s\S]*cpu[\s\S]*0\/1[\s\S]*idle/);
    expect(await page.locator('body').textContent()).not.toContain(PASSWORD);
  });

  it('sends a run from the form to the remote workers and shows it as the worker’s current job while its curves grow', async () => {
    await page.keyboard.press('n');
    await page.locator('form.form-view').waitFor();
    const fields: Record<string, string> = {
      name: 'remote align-ahead',
      data: 'csbm:400:2000:4:16:noise=8:homophily=0.5',
      strategy: 'alignahead',
      students: '2',
      layers: '3',
      hidden: '16',
      epochs: String(EPOCHS),
      heatmapEvery: '20',
      patience: '0',
      seed: '3',
    };
    for (const [name, value] of Object.entries(fields)) {
      const field = page.locator(`form.form-view [name="${name}"]`);
      if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
      else await field.fill(value);
    }
    await expect.poll(() => page.locator('select[name=runOn] option[value=remote]').isDisabled()).toBe(false);
    await page.locator('select[name=runOn]').selectOption('remote');
    expect(await page.locator('[data-test=submit]').textContent()).toContain('Start run on remote workers');
    await page.locator('[data-test=submit]').click();
    await page.waitForURL(/#\/runs\/\d+$/);
    runId = Number(/#\/runs\/(\d+)$/.exec(page.url())![1]);
    await expect.poll(() => page.locator('.run-view [data-test=remote-badge]').textContent(), { timeout: 30_000 }).toContain(`remote · ${WORKER}`);

    // live: the epoch count moves while the worker trains
    const seen = new Set<number>();
    const deadline = Date.now() + 30_000;
    while (seen.size < 3 && Date.now() < deadline) {
      seen.add(await epochShown());
      await page.waitForTimeout(200);
    }
    expect([...seen].filter((e) => e > 0).length).toBeGreaterThanOrEqual(2);

    await page.locator('[data-nav=workers]').click();
    const job = page.locator(`tr[data-worker="${WORKER}"] [data-job-run="${runId}"]`);
    await job.waitFor({ timeout: 15_000 });
    expect(await job.textContent()).toMatch(new RegExp(`run #${runId}[\\s\\S]*epoch \\d+/${EPOCHS}`));
    expect(await page.locator(`tr[data-worker="${WORKER}"]`).textContent()).toContain('1/1');
    expect(await page.locator('[data-test=queue-settings]').textContent()).toMatch(/\d+ applied/);
    await shot('workers');

    // the job links to its run, which finishes with every epoch's curves
    await job.locator('a').click();
    await page.waitForURL(new RegExp(`#/runs/${runId}$`));
    await page.locator('.run-view .status-completed').waitFor({ timeout: 90_000 });
    expect(await epochShown()).toBe(EPOCHS);
    expect(await page.locator('.run-view .echart').count()).toBe(5);
    expect(await page.locator('.run-view').textContent()).toMatch(new RegExp(`trained on\\s*remote worker ${WORKER}`));
    await shot('run-view-remote');
  }, 180_000);

  it('the run names its worker and data hash in the API and the runs table; the worker is idle again', async () => {
    const run = await apiCall<RunDetail>(serve, 'runs.get', { id: runId });
    expect(run).toMatchObject({ status: 'completed', remote: true, worker: WORKER, epochs: EPOCHS, backend: 'cpu', datasetSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await page.locator('.run-view').textContent()).toContain(run.datasetSha256);
    await page.locator('[data-nav=runs]').click();
    await expect.poll(() => page.locator(`tr[data-run-id="${runId}"] [data-test=remote-badge]`).textContent()).toContain(`remote · ${WORKER}`);
    await page.locator('#run-search').fill(`worker:${WORKER}`);
    await expect.poll(() => page.locator('.runs-table tbody tr').count()).toBe(1);
    await page.locator('[data-nav=workers]').click();
    await expect.poll(() => page.locator(`tr[data-worker="${WORKER}"]`).textContent(), { timeout: 15_000 }).toContain('idle');
    expect(await page.locator('body').textContent()).not.toContain(PASSWORD);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
