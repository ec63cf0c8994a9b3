import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuSkipReason } from '../../core/tensor/webgpu/testing/availability';
import { overflowingTables, startMirror, svgFigureFacts, type Mirror } from './layout-checks';
import { apiCall, CHROMIUM_ARGS, CHROMIUM_PATH, ensureRendererBuilt, REPO_ROOT, startServe, type ServeHandle } from './serve-harness';

/**
 * The workbench in real Chromium against the real `alignahead serve`: create a synthetic-data
 * experiment from the form, watch its curves grow, run a second strategy, compare them, scrub the
 * heatmaps and delete a run. Each view is saved as a screenshot under test-output/screenshots/, or
 * under docs/screenshots/ (the README's pictures) with UPDATE_SCREENSHOTS=1, so that a test run
 * leaves the working tree clean.
 */

const haveChromium = existsSync(CHROMIUM_PATH);
if (!haveChromium) console.warn(`e2e skipped: ${CHROMIUM_PATH} not found (install Debian's chromium: apt-get install -y chromium)`);

const SCREENSHOTS = join(REPO_ROOT, process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-output/screenshots');
/** Screenshots of the layout checks: evidence, not README pictures. */
const LAYOUT_SHOTS = join(REPO_ROOT, 'test-output/screenshots/layout');
const DATA = 'csbm:300:1500:3:16';

async function downloadedBytes(download: Download): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe.skipIf(!haveChromium)('workbench end to end (serve mode, Chromium)', () => {
  let serve: ServeHandle;
  let mirror: Mirror;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  const epochShown = async () => Number(/epoch (\d+)/.exec((await page.locator('[data-test=epoch-count]').textContent()) ?? '')?.[1] ?? -1);

  async function fillForm(fields: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(fields)) {
      const field = page.locator(`form.form-view [name="${name}"]`);
      if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
      else await field.fill(value);
    }
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    mkdirSync(LAYOUT_SHOTS, { recursive: true });
    await ensureRendererBuilt();
    // the catalog's download checks ask this stand-in for the public servers: no test reaches the internet
    mirror = await startMirror();
    serve = await startServe({ downloadMirror: mirror.url });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.emulateMedia({ colorScheme: 'light' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await mirror?.close();
  });

  it('opens with the token and removes it from the address bar', async () => {
    await page.goto(serve.url);
    await expect.poll(() => page.url()).not.toContain('token=');
    await page.locator('text=No runs yet.').waitFor();
    await expect.poll(() => page.locator('[data-test=backend]').textContent()).toMatch(/backend/);
  });

  it('rejects an invalid form with field messages, then starts a run and shows its curves growing live', async () => {
    await page.keyboard.press('n');
    await page.locator('form.form-view').waitFor();
    await fillForm({ data: DATA, epochs: '0' });
    await page.locator('[data-test=submit]').click();
    await expect.poll(() => page.locator('[data-field-error=epochs]').textContent()).toMatch(/1/);

    await fillForm({ name: 'e2e align-ahead', data: DATA, strategy: 'alignahead', students: '2', layers: '3', hidden: '16', epochs: '40', heatmapEvery: '5', seed: '1' });
    await shot('new-experiment');
    await page.locator('[data-test=submit]').click();
    await page.locator('.run-view [data-test=epoch-count]').waitFor();

    const seen = new Set<number>();
    let liveShotTaken = false;
    const deadline = Date.now() + 60_000;
    const planned = 40;
    while (Date.now() < deadline) {
      const epoch = await epochShown();
      if (epoch >= 0) seen.add(epoch);
      if (epoch >= 10 && !liveShotTaken) {
        liveShotTaken = true;
        await shot('run-view-live');
      }
      if (epoch >= planned) break;
      await page.waitForTimeout(150);
    }
    const values = [...seen].sort((a, b) => a - b);
    // the count was read while training: several distinct values, ending at the planned epochs
    expect(values.length).toBeGreaterThanOrEqual(3);
    expect(values[values.length - 1]).toBe(planned);
    await page.locator('.run-view .status-completed').waitFor({ timeout: 30_000 });
    // five curves and the distillation signal
    expect(await page.locator('.run-view .echart').count()).toBe(6);
    await shot('run-view');
  });

  it('shows the distillation signal: the warning while the term is inert, its chart and its CSV', async () => {
    // the run above: at τ = 100 two of its layer pairs start near-uniform, and become active as the features grow
    await expect.poll(() => page.locator('.run-view .log').textContent()).toMatch(/distillation: epoch 0: at τ = 100 layer pairs .* near-uniform local structure/);
    await expect.poll(() => page.locator('.run-view .log').textContent()).toMatch(/the distillation term acts on every planned layer pair again/);
    expect(await page.locator('[data-test=distillation-warning]').count()).toBe(0);

    // a τ far above the distances keeps every pair inert: the run view says so above its curves
    await page.goto(`${serve.origin}/#/new`);
    await fillForm({ name: 'e2e τ = 10⁴', data: DATA, strategy: 'alignahead', students: '2', layers: '3', hidden: '16', epochs: '15', tau: '10000', seed: '1' });
    await page.locator('[data-test=submit]').click();
    await page.locator('.run-view .status-completed').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('[data-test=distillation-warning]').textContent()).toMatch(/at τ = 1\.0e\+4 these features give near-uniform local structure .* the distillation term barely acts/);
    await shot('run-view-inert');
    const panel = page.locator('.run-view [data-test=signal-panel]');
    await panel.locator('canvas').waitFor();
    const csv = page.waitForEvent('download');
    await panel.locator('button', { hasText: 'CSV' }).click();
    const csvText = await (await csv).createReadStream().then(async (stream) => {
      let text = '';
      for await (const chunk of stream) text += chunk;
      return text;
    });
    const [header, ...rows] = csvText.trim().split('\n');
    expect(header).toBe('run_id,run_name,epoch,student,peer,student_layer,peer_layer,tau,distance_over_tau_q1,distance_over_tau_median,distance_over_tau_q3,mean_kl,contrast,student_contrast,state');
    // epochs 0..15 × 2 ordered student pairs × the 3 align-ahead layer pairs, every one inert
    expect(rows).toHaveLength(16 * 2 * 3);
    expect(rows.every((row) => row.endsWith(',near-uniform'))).toBe(true);
    await panel.scrollIntoViewIfNeeded();
    await shot('run-view-signal');
    const id = Number(/#\/runs\/(\d+)/.exec(page.url())?.[1]);
    await apiCall(serve, 'runs.delete', { ids: [id] });
  }, 120_000);

  it('runs a second strategy and lists both in the manager', async () => {
    await page.goto(`${serve.origin}/#/new`);
    await fillForm({ name: 'e2e one-to-one', data: DATA, strategy: 'oc', students: '2', layers: '3', hidden: '16', epochs: '40', heatmapEvery: '5', seed: '1' });
    await page.locator('[data-test=submit]').click();
    await page.locator('.run-view .status-completed').waitFor({ timeout: 60_000 });

    await page.locator('[data-nav=runs]').click();
    await expect.poll(() => page.locator('.runs-table tbody tr').count()).toBe(2);
    await page.locator('#run-search').fill('strategy:oc');
    await expect.poll(() => page.locator('.runs-table tbody tr').count()).toBe(1);
    await page.locator('#run-search').fill('');
    // the store searches after a pause in typing: wait for the whole list again
    await expect.poll(() => page.locator('.runs-table tbody tr').count()).toBe(2);
    await page.locator('.runs-table tbody tr').first().click();
    await shot('runs');
  });

  it('compares the two runs: overlaid curves, strategy bands and the statistics panel', async () => {
    await page.locator('.runs-table th.check input').check();
    await page.locator('.toolbar button', { hasText: 'Compare' }).click();
    await page.locator('.compare-view canvas').first().waitFor();
    expect(await page.locator('.compare-table tbody tr').count()).toBe(4);
    await expect.poll(() => page.locator('[data-test=welch]').textContent()).toMatch(/alignahead/);
    await page.locator('.compare-view input[aria-label=smoothing]').fill('0.6');
    // paper figures: a well-formed SVG one column wide with every run's curves, and a 300-dpi PNG
    const svg = page.waitForEvent('download');
    await page.locator('.chart-panel').first().locator('button', { hasText: 'SVG' }).click();
    const svgFile = await svg;
    expect(svgFile.suggestedFilename()).toMatch(/\.svg$/);
    const facts = await svgFigureFacts(page, (await downloadedBytes(svgFile)).toString('utf8'));
    expect(facts).toMatchObject({ parseError: null, width: '3.5in', height: '2.4in' });
    expect(facts.polylines).toBeGreaterThanOrEqual(4);
    expect(facts.fontSizes).toEqual(['10.67px']);
    const png = page.waitForEvent('download');
    await page.locator('.chart-panel').first().locator('button', { hasText: 'PNG' }).click();
    const pngFile = await png;
    expect(pngFile.suggestedFilename()).toMatch(/\.png$/);
    const pngBytes = await downloadedBytes(pngFile);
    // IHDR width: 3.5 in at 300 dpi; then the pHYs chunk with 11811 px per metre
    expect(pngBytes.readUInt32BE(16)).toBe(1050);
    expect(pngBytes.toString('latin1', 37, 41)).toBe('pHYs');
    expect(pngBytes.readUInt32BE(41)).toBe(11811);
    const csv = page.waitForEvent('download');
    await page.locator('.chart-panel').first().locator('button', { hasText: 'CSV' }).click();
    const csvText = await (await csv).createReadStream().then(async (stream) => {
      let text = '';
      for await (const chunk of stream) text += chunk;
      return text;
    });
    expect(csvText.split('\n')[0]).toBe('run_id,run_name,epoch,student,task_loss,distill_loss,train_metric,val_metric,test_metric,epoch_ms,elapsed_ms');
    await shot('compare');
  });

  it('shows the heatmaps of both runs side by side and moves the epoch slider', async () => {
    const runs = (await apiCall<{ runs: { id: number }[] }>(serve, 'runs.list', {})).runs.map((r) => r.id).sort((a, b) => a - b);
    const { epochs } = await apiCall<{ epochs: number[] }>(serve, 'runs.alignment', { id: runs[0] });
    expect(epochs.length).toBeGreaterThanOrEqual(3);
    await page.goto(`${serve.origin}/#/heatmaps?left=${runs[0]}&right=${runs[1]}`);
    const slider = page.locator('input[aria-label=epoch]');
    await expect.poll(() => slider.isEnabled()).toBe(true);
    // each pane: the heatmap and the chosen pair's distillation signal
    await expect.poll(() => page.locator('.heatmap-pane .echart').count()).toBe(4);
    expect(await page.locator('.heatmap-pane [data-test=signal-panel]').count()).toBe(2);
    await expect.poll(() => page.locator('[data-test=heatmap-epoch]').textContent()).toBe(`epoch ${epochs[epochs.length - 1]}`);
    await slider.fill('2');
    await expect.poll(() => page.locator('[data-test=heatmap-epoch]').textContent()).toBe(`epoch ${epochs[2]}`);
    await shot('heatmaps');
    const svg = page.waitForEvent('download');
    await page.locator('.heatmap-pane').first().locator('button', { hasText: 'SVG' }).click();
    const facts = await svgFigureFacts(page, (await downloadedBytes(await svg)).toString('utf8'));
    expect(facts).toMatchObject({ parseError: null, width: '3.5in', height: '3.2in' });
    expect(facts.texts).toEqual(expect.arrayContaining(['far', 'close', 'L1', 'L3']));
  });

  it('shows the dataset catalog and a generated dataset with its degree histogram', async () => {
    await page.locator('[data-nav=datasets]').click();
    await page.locator('.catalog tbody tr').first().waitFor();
    await page.locator('.datasets-view button', { hasText: 'Generate & inspect' }).click();
    await page.locator('.dataset-stats canvas').waitFor();
    expect(await page.locator('.dataset-stats').textContent()).toContain('homophily');
    const cora = page.locator('.catalog tr[data-name=cora]');
    expect(await cora.locator('[data-test=size]').textContent()).toBe('540,580 B');
    expect(await cora.locator('[data-test=sha256]').textContent()).toContain('068e22d90c3849b4057dfb05851741428992af058efcd4e7ebb4186f3d581de2');
    // checked before any click: the mirror has the files
    await expect.poll(() => cora.locator('[data-test=download-state]').getAttribute('data-state')).toBe('possible');
    await shot('datasets');
  });

  it('no table overflows its card at 1280 or 1920 px, in any view', async () => {
    const runs = (await apiCall<{ runs: { id: number }[] }>(serve, 'runs.list', {})).runs.map((r) => r.id).sort((a, b) => a - b);
    const views: [string, string, string][] = [
      ['runs', '/#/runs', '.runs-table tbody tr'],
      ['run-view', `/#/runs/${runs[0]}`, '.run-view .convergence tbody tr'],
      ['compare', `/#/compare?ids=${runs.join(',')}`, '.compare-table tbody tr'],
      ['heatmaps', `/#/heatmaps?left=${runs[0]}&right=${runs[1]}`, '.heatmap-pane .echart'],
      ['datasets', '/#/datasets', '.catalog tbody tr'],
      ['new', '/#/new', 'form.form-view'],
    ];
    // the check itself: a table too wide for its card is reported
    await page.goto(`${serve.origin}/#/datasets`);
    await page.locator('.catalog').waitFor();
    await page.evaluate(() => {
      const card = document.createElement('section');
      card.className = 'panel layout-probe';
      card.innerHTML = '<h3>probe</h3><table><tr><td style="min-width: 3000px">wide</td></tr></table>';
      document.querySelector('.datasets-view .column')!.appendChild(card);
    });
    expect(await overflowingTables(page)).toEqual([expect.stringMatching(/^probe: \d+ px wide in \d+ px$/)]);
    await page.evaluate(() => document.querySelector('.layout-probe')!.remove());

    const problems: string[] = [];
    for (const width of [1280, 1920]) {
      await page.setViewportSize({ width, height: 1000 });
      for (const [name, path, ready] of views) {
        await page.goto(`${serve.origin}${path}`);
        await page.locator(ready).first().waitFor();
        await page.waitForTimeout(200);
        for (const problem of await overflowingTables(page)) problems.push(`${width} px, ${name}: ${problem}`);
        await page.screenshot({ path: join(LAYOUT_SHOTS, `${name}-${width}.png`), fullPage: true });
      }
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(problems).toEqual([]);
  });

  it('deletes a run after confirmation', async () => {
    await page.locator('[data-nav=runs]').click();
    await expect.poll(() => page.locator('.runs-table tbody tr').count()).toBe(2);
    await page.locator('.runs-table tbody tr').first().locator('td.check input').check();
    await page.locator('.toolbar button.danger', { hasText: 'Delete' }).click();
    await page.locator('.dialog [data-test=confirm]').click();
    await expect.poll(() => page.locator('.runs-table tbody tr').count()).toBe(1);
    expect((await apiCall<{ total: number }>(serve, 'runs.list', {})).total).toBe(1);
  });

  it('switches to the dark theme with a shortcut', async () => {
    await page.keyboard.press('t');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await shot('runs-dark');
    expect(pageErrors).toEqual([]);
  });
});

// One line when it skips (no WebGPU adapter here); CI installs lavapipe and requires it.
const noWebgpu = haveChromium ? await webgpuSkipReason() : 'no chromium';

describe.skipIf(!haveChromium || noWebgpu)('a webgpu run in serve mode (Chromium)', () => {
  let serve: ServeHandle;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureRendererBuilt();
    serve = await startServe();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.emulateMedia({ colorScheme: 'light' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('the status bar and the run view name the GPU adapter while the run trains', async () => {
    await page.goto(serve.url);
    await page.locator('text=No runs yet.').waitFor();
    await page.goto(`${serve.origin}/#/new`);
    const form = page.locator('form.form-view');
    await form.waitFor();
    for (const [name, value] of Object.entries({ name: 'e2e webgpu', data: DATA, strategy: 'alignahead', students: '2', layers: '2', hidden: '16', epochs: '25', seed: '3', backend: 'webgpu' })) {
      const field = form.locator(`[name="${name}"]`);
      if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
      else await field.fill(value);
    }
    await page.locator('[data-test=submit]').click();
    await page.locator('.run-view [data-test=epoch-count]').waitFor();
    // the adapter as the backend event names it, e.g. "GPU: mesa llvmpipe (…) (vulkan, software adapter)"
    await expect.poll(() => page.locator('[data-test=status-bar] [data-test=adapter]').textContent(), { timeout: 60_000 }).toMatch(/^GPU: .+\(\w+(, software adapter)?\)$/);
    expect(await page.locator('[data-test=status-bar] [data-test=backend]').textContent()).toMatch(/^backend: webgpu/);
    await expect.poll(async () => Number(/epoch (\d+)/.exec((await page.locator('[data-test=epoch-count]').textContent()) ?? '')?.[1] ?? 0), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(SCREENSHOTS, 'run-view-webgpu.png') });
    await page.locator('.run-view .status-completed').waitFor({ timeout: 120_000 });
    const adapterRow = page.locator('[data-test=backend-report] tr', { hasText: 'adapter' }).locator('td');
    const statusAdapter = (await page.locator('[data-test=status-bar] [data-test=adapter]').textContent())!.replace(/^GPU: /, '');
    expect(await adapterRow.textContent()).toBe(statusAdapter);
  }, 240_000);
});
