/**
 * UI benchmark (not a test): fills a fresh store with 50 runs × 500 epochs × 3 students, serves it
 * with `alignahead serve`, and times in Debian's Chromium (headless, software rendering):
 *   - manager open: page load until the runs table shows all 50 rows;
 *   - comparison of 10 runs: from the route change until the curves, bands and tables are drawn
 *     (two animation frames after the last table row appears, so ECharts has painted).
 * Run: node bin/run-ts.js bench/ui/ui-bench.ts [--repeats N]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { runConfigSchema } from '../../contract/run-config';
import { median } from '../../contract/stats';
import { Rng } from '../../core/random';
import { openStore } from '../../core/store';
import { apiCall, CHROMIUM_ARGS, CHROMIUM_PATH, ensureRendererBuilt, startServe } from '../../test/e2e/serve-harness';

const RUNS = 50;
const EPOCHS = 500;
const STUDENTS = 3;
const LAYERS = 3;
const COMPARED = 10;

function fillStore(path: string): void {
  const store = openStore(path);
  const rng = new Rng(7);
  const strategies = ['oc', 'alignahead'] as const;
  for (let r = 0; r < RUNS; r++) {
    const strategy = strategies[r % 2];
    const seed = Math.floor(r / 2);
    const config = runConfigSchema.parse({ name: `bench ${strategy} seed ${seed}`, data: 'cora', strategy, students: STUDENTS, layers: LAYERS, epochs: EPOCHS, seed });
    const run = store.createRun({ name: config.name, group: 'bench', config, dataset: 'cora', model: 'gcn', strategy, numStudents: STUDENTS, numLayers: LAYERS, seed, plannedEpochs: EPOCHS });
    store.setStatus(run.id, 'running');
    for (let epoch = 1; epoch <= EPOCHS; epoch++) {
      const rows = Array.from({ length: STUDENTS }, (_, student) => {
        const progress = 1 - Math.exp(-epoch / 40);
        const val = 0.3 + 0.5 * progress + 0.01 * rng.normal();
        const test = val - 0.01 + 0.005 * rng.normal();
        return { epoch, student, taskLoss: 2 * (1 - progress) + 0.05, distillLoss: 0.01 * progress, trainMetric: Math.min(1, val + 0.1), valMetric: val, testMetric: test, epochMs: 20, elapsedMs: epoch * 20 };
      });
      // the store keeps each student's best as the epochs land
      store.recordEpoch(run.id, rows);
      if (epoch % 50 === 0) {
        const matrices = [];
        for (let s = 0; s < STUDENTS; s++) for (let p = 0; p < STUDENTS; p++) if (s !== p) matrices.push({ epoch, student: s, peer: p, rows: LAYERS, cols: LAYERS, data: Float32Array.from({ length: LAYERS * LAYERS }, () => rng.next()) });
        store.recordAlignment(run.id, matrices);
      }
    }
    store.setStatus(run.id, 'completed');
  }
  store.close();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repeats: { type: 'string', default: '5' } } });
  const repeats = Number(values.repeats);
  if (!existsSync(CHROMIUM_PATH)) {
    console.error(`ui-bench: ${CHROMIUM_PATH} not found; install Debian's chromium (apt-get install -y chromium)`);
    process.exitCode = 2;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'alignahead-ui-bench-'));
  const dbPath = join(dir, 'bench.sqlite');
  let started = performance.now();
  fillStore(dbPath);
  console.log(`filled ${RUNS} runs × ${EPOCHS} epochs × ${STUDENTS} students in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await ensureRendererBuilt();
  const serve = await startServe({ dbPath });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(serve.url);
    await page.locator('.runs-table tbody tr').nth(RUNS - 1).waitFor();

    const managerMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      started = performance.now();
      await page.goto(`${serve.origin}/#/runs`, { waitUntil: 'commit' });
      await page.reload({ waitUntil: 'commit' });
      await page.locator('.runs-table tbody tr').nth(RUNS - 1).waitFor();
      managerMs.push(performance.now() - started);
    }

    const compareMs: number[] = [];
    const ids = Array.from({ length: COMPARED }, (_, i) => i + 1).join(',');
    for (let i = 0; i < repeats; i++) {
      await page.evaluate(() => (window.location.hash = '#/runs'));
      await page.locator('.runs-table tbody tr').nth(RUNS - 1).waitFor();
      // a string, not a function: tsx's name-keeping helper does not exist inside the page
      const elapsed = (await page.evaluate(`(async () => {
        const t0 = performance.now();
        window.location.hash = '#/compare?ids=${ids}';
        const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        while (document.querySelectorAll('.compare-table tbody tr').length < ${COMPARED * STUDENTS} || document.querySelectorAll('.compare-view canvas').length < 2) await frame();
        await frame();
        await frame();
        return performance.now() - t0;
      })()`)) as number;
      compareMs.push(elapsed);
    }
    // the server's share of the comparison: one runs.compare call, measured from Node
    const apiMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await apiCall(serve, 'runs.compare', { ids: ids.split(',').map(Number) });
      apiMs.push(performance.now() - t0);
    }
    console.log(`manager open (${RUNS} runs), median of ${repeats}: ${median(managerMs).toFixed(0)} ms  [${managerMs.map((m) => m.toFixed(0)).join(', ')}]`);
    console.log(`compare ${COMPARED} runs (${COMPARED * STUDENTS * EPOCHS} metric rows), median of ${repeats}: ${median(compareMs).toFixed(0)} ms  [${compareMs.map((m) => m.toFixed(0)).join(', ')}]`);
    console.log(`  of which runs.compare over HTTP, median: ${median(apiMs).toFixed(0)} ms`);
  } finally {
    await browser.close();
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
