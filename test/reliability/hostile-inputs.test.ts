import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../core/api/handlers';
import { folderHandlers } from '../../core/api/testing/folder-handlers';
import { openStore, type ExperimentStore } from '../../core/store';
import { VALID_CSV, VALID_NPZ, writeHostileCorpus, type HostileCase } from './hostile-corpus';
import { runCli, tempDir } from './harness';

/**
 * Every malformed dataset of the corpus, loaded through the CLI (`datasets inspect`, `datasets
 * import`) and through the API (`datasets.inspect`, `datasets.import` with the corpus folder as the
 * import root): one clear line naming the problem, exit code 2 / status 400, no crash, memory
 * bounded, nothing registered in the store and nothing left in the dataset cache.
 */

const dir = tempDir('hostile');
const corpusDir = join(dir, 'corpus');
const cacheDir = join(dir, 'cache');
let cases: HostileCase[];
let store: ExperimentStore;
let handlers: ApiHandlers;
const internalErrors: string[] = [];

beforeAll(() => {
  cases = writeHostileCorpus(corpusDir);
  store = openStore(join(dir, 'db.sqlite'));
  const host = { enqueue() {}, cancel: () => { throw new Error('unused'); }, terminate: async () => {}, setMaxConcurrent() {}, lastBackend: () => null };
  handlers = folderHandlers(dir, { store, host, importRoots: [corpusDir], log: (line) => internalErrors.push(line) });
});

afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One line, naming the command and the problem; never an internal error or a stack trace. */
function expectCleanCliError(result: Awaited<ReturnType<typeof runCli>>, command: string, item: HostileCase): void {
  const stderr = result.io.stderr.join('\n');
  expect({ case: item.name, code: result.code }).toEqual({ case: item.name, code: 2 });
  expect(result.io.stderr).toHaveLength(1);
  expect(stderr.startsWith(`alignahead ${command}: `)).toBe(true);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
  expect(stderr, item.name).toMatch(item.problem);
}

describe('the originals the corpus is made from', () => {
  it('load fine, so each error below comes from its one defect', async () => {
    for (const name of [VALID_NPZ, VALID_CSV]) {
      const inspected = await runCli(['datasets', 'inspect', join(corpusDir, name), '--json', '--cache', cacheDir]);
      expect(inspected.code, inspected.io.stderr.join('\n')).toBe(0);
      expect(inspected.json).toMatchObject({ nodes: 4, classes: 2 });
    }
  });
});

describe('hostile inputs', () => {
  it('the corpus is large enough to mean something', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it('are refused by the CLI and the API with a clear error, in bounded memory, registering nothing', async () => {
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const datasetsBefore = store.listDatasets();
    for (const [i, item] of cases.entries()) {
      const path = join(corpusDir, item.name);

      const inspected = await runCli(['datasets', 'inspect', path, '--cache', cacheDir]);
      expectCleanCliError(inspected, 'datasets inspect', item);

      const imported = await runCli(['datasets', 'import', path, '--name', `hostile-${i}`, '--cache', cacheDir]);
      expectCleanCliError(imported, 'datasets import', item);

      for (const [call, input] of [
        ['datasets.import', { path, name: `hostile-${i}` }],
        ['datasets.import', { path: item.name, name: `hostile-rel-${i}` }],
        ['datasets.inspect', { ref: path }],
      ] as const) {
        const result = await handlers.dispatch(call, input);
        expect({ case: item.name, call, ok: result.ok }).toEqual({ case: item.name, call, ok: false });
        if (result.ok) continue;
        expect({ case: item.name, call, status: result.error.status }).toEqual({ case: item.name, call, status: 400 });
        expect(result.error.error, `${item.name} via ${call}`).toMatch(item.problem);
      }
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
    expect(internalErrors).toEqual([]);
    // The bombs claim gigabytes and the headers terabytes: none of it may be allocated.
    expect(rssPeak - rssBefore).toBeLessThan(300 * 1024 * 1024);
    expect(store.listDatasets()).toEqual(datasetsBefore);
    expect(existsSync(cacheDir) ? readdirSync(cacheDir) : []).toEqual([]);
  }, 120_000);
});
