/**
 * UI benchmark (not a test) on a large history: 10,000 runs, 5,000,000 epoch rows
 * (bench/history/generate-history.ts writes it once, to /tmp, and it is reused). Serves it with
 * `alignahead serve` and times in Debian's Chromium (headless, software rendering):
 *   - manager open: page load until the runs table shows its first page (100 rows) and the paging;
 *   - manager sort: a click on "Best val" until the store's best run is the first row;
 *   - run view open: from the route change until its five charts are drawn (two animation frames
 *     after the last canvas appears, so ECharts has painted) and the epoch count is shown;
 *   - comparison of 20 runs: from the route change until the curves, bands and tables are drawn;
 * and, from a shell, `alignahead runs list --json` (a fresh process each time). Prints the database
 * size per run and per epoch row (SQLite's dbstat).
 * Run: node bin/run-ts.js bench/ui/ui-bench.ts [--db FILE] [--repeats N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { chromium, type Page } from 'playwright-core';
import { median } from '../../contract/stats';
import { apiCall, CHROMIUM_ARGS, CHROMIUM_PATH, ensureRendererBuilt, REPO_ROOT, startServe } from '../../test/e2e/serve-harness';

const DEFAULT_DB = '/tmp/alignahead-history-10k.sqlite';
const PAGE_ROWS = 100;
const COMPARED = 20;
const STUDENTS = 2;

const summary = (label: string, values: number[], target: number) =>
  `${label}: median ${median(values).toFixed(0)} ms (target < ${target} ms) ${median(values) < target ? 'ok' : 'MISSED'}  [${values.map((v) => v.toFixed(0)).join(', ')}]`;

/** Waits (inside the page) until `ready` holds, then two animation frames; returns ms since `t0`. */
function untilDrawn(page: Page, startScript: string, ready: string): Promise<number> {
  // a string, not a function: tsx's name-keeping helper does not exist inside the page
  return page.evaluate(`(async () => {
    const t0 = performance.now();
    ${startScript};
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    while (!(${ready})) await frame();
    await frame();
    await frame();
    return performance.now() - t0;
  })()`) as Promise<number>;
}

function sizes(dbPath: string): { runs: number; epochRows: number; fileBytes: number; epochBytes: number; tables: Record<string, number> } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const tables: Record<string, number> = {};
    for (const row of db.prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all() as { name: string; bytes: number }[]) tables[row.name] = row.bytes;
    const runs = (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
    const epochRows = (db.prepare('SELECT COUNT(*) AS n FROM epoch_metrics').get() as { n: number }).n;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const epochBytes = (tables.epoch_metrics ?? 0) + (tables.sqlite_autoindex_epoch_metrics_1 ?? 0) + (tables.epoch_metrics_by_epoch ?? 0);
    return { runs, epochRows, fileBytes: pageSize * pages, epochBytes, tables };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { db: { type: 'string', default: DEFAULT_DB }, repeats: { type: 'string', default: '5' } } });
  const repeats = Number(values.repeats);
  const dbPath = values.db!;
  if (!existsSync(CHROMIUM_PATH)) {
    console.error(`ui-bench: ${CHROMIUM_PATH} not found; install Debian's chromium (apt-get install -y chromium)`);
    process.exitCode = 2;
    return;
  }
  if (!existsSync(dbPath)) {
    console.log(`generating ${dbPath} (once)…`);
    const made = spawnSync(process.execPath, ['bin/run-ts.js', 'bench/history/generate-history.ts', '--out', dbPath], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (made.status !== 0) throw new Error('generate-history failed');
  }
  const size = sizes(dbPath);
  console.log(`history: ${size.runs} runs, ${size.epochRows} epoch rows, ${(size.fileBytes / 1e6).toFixed(0)} MB`);
  console.log(`  ${(size.fileBytes / size.runs / 1024).toFixed(1)} KiB per run (everything), ${(size.epochBytes / size.epochRows).toFixed(1)} bytes per epoch row (table and its two indexes)`);
  console.log(`  by table and index: ${Object.entries(size.tables).map(([name, bytes]) => `${name} ${(bytes / 1e6).toFixed(1)} MB`).join(', ')}`);
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  // the CLI: a fresh process each time, as a user runs it
  const cliMs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const listed = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/alignahead.js'), 'runs', 'list', '--json', '--db', dbPath], { encoding: 'utf8', maxBuffer: 1 << 26 });
    cliMs.push(performance.now() - t0);
    if (listed.status !== 0) throw new Error(`runs list failed: ${listed.stderr}`);
  }

  await ensureRendererBuilt();
  const serve = await startServe({ dbPath });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(serve.url);
    await page.locator('.runs-table tbody tr').nth(PAGE_ROWS - 1).waitFor();

    const managerMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await page.goto(`${serve.origin}/#/runs`, { waitUntil: 'commit' });
      await page.reload({ waitUntil: 'commit' });
      await page.locator('.runs-table tbody tr').nth(PAGE_ROWS - 1).waitFor();
      await page.locator('[data-test=page-range]').waitFor();
      managerMs.push(performance.now() - t0);
    }

    const best = await apiCall<{ runs: { id: number }[] }>(serve, 'runs.list', { sort: 'best', descending: true, limit: 1 });
    const sortMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      await page.evaluate(() => (window.location.hash = '#/runs'));
      await page.reload();
      await page.locator('.runs-table tbody tr').nth(PAGE_ROWS - 1).waitFor();
      sortMs.push(
        await untilDrawn(
          page,
          `[...document.querySelectorAll('.runs-table th')].find((th) => th.textContent.startsWith('Best val')).click()`,
          `document.querySelector('.runs-table tbody tr')?.dataset.runId === '${best.runs[0].id}'`,
        ),
      );
    }

    const runIds = [17, 2017, 4017, 6017, 8017, 9999, 5, 7777];
    const runViewMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      await page.evaluate(() => (window.location.hash = '#/runs'));
      await page.locator('.runs-table tbody tr').nth(PAGE_ROWS - 1).waitFor();
      const id = runIds[i % runIds.length];
      runViewMs.push(
        await untilDrawn(
          page,
          `window.location.hash = '#/runs/${id}'`,
          `document.querySelectorAll('.run-view canvas').length >= 5 && /epoch 250/.test(document.querySelector('[data-test=epoch-count]')?.textContent ?? '')`,
        ),
      );
    }

    const compareMs: number[] = [];
    const ids = Array.from({ length: COMPARED }, (_, i) => 1 + i * 487).join(',');
    for (let i = 0; i < repeats; i++) {
      await page.evaluate(() => (window.location.hash = '#/runs'));
      await page.locator('.runs-table tbody tr').nth(PAGE_ROWS - 1).waitFor();
      compareMs.push(
        await untilDrawn(
          page,
          `window.location.hash = '#/compare?ids=${ids}'`,
          `document.querySelectorAll('.compare-table tbody tr').length >= ${COMPARED * STUDENTS} && document.querySelectorAll('.compare-view canvas').length >= 2`,
        ),
      );
    }
    // the server's share of the comparison: one runs.compare call, measured from Node
    const apiMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await apiCall(serve, 'runs.compare', { ids: ids.split(',').map(Number) });
      apiMs.push(performance.now() - t0);
    }
    console.log(summary(`manager open (${size.runs} runs, first page of ${PAGE_ROWS})`, managerMs, 1000));
    console.log(summary('manager sort by best validation (the store sorts every run)', sortMs, 1000));
    console.log(summary('run view open (5 charts, 500 metric rows)', runViewMs, 500));
    console.log(summary(`compare ${COMPARED} runs (${COMPARED * STUDENTS * 250} metric rows)`, compareMs, 1500));
    console.log(`  of which runs.compare over HTTP, median: ${median(apiMs).toFixed(0)} ms`);
    console.log(summary('`alignahead runs list --json` (a fresh process)', cliMs, 1000));
    console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await browser.close();
    await serve.stop();
  }
}

await main();
