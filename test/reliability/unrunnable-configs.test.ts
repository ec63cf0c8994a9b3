import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfigInput } from '../../contract/run-config';
import { createBackend, type Backend } from '../../core/api/backend';
import { openStore } from '../../core/store';
import { runCli, tempDir } from './harness';

/**
 * A config that cannot run never becomes a run: one student with a distillation strategy, a plan
 * naming a layer the students do not have, and a generator spec too small for its split are refused
 * by the CLI (train and sweep) and by the API (runs.create, single and sweep) with the same message,
 * and nothing is registered: no run, no event, no database file for the CLI.
 */

const SMALL = { epochs: 2, hidden: 4, backend: 'cpu' } as const;

const CASES: { what: string; flags: string[]; config: RunConfigInput; message: RegExp }[] = [
  {
    what: 'one student with align-ahead',
    flags: ['--students', '1', '--strategy', 'alignahead'],
    config: { data: 'demo', students: 1, strategy: 'alignahead' },
    message: /^strategy 'alignahead' needs at least 2 students \(got 1\)$/,
  },
  {
    what: 'a plan naming a layer that does not exist',
    flags: ['--strategy', 'custom', '--plan', '5<-1', '--layers', '2'],
    config: { data: 'demo', strategy: 'custom', plan: '5<-1', layers: 2 },
    message: /pair 5<-1 names student layer 5, but the student has 2 hidden layers/,
  },
  {
    what: 'a generator spec too small to split',
    flags: ['--data', 'csbm:20:100:2:8'],
    config: { data: 'csbm:20:100:2:8' },
    message: /^csbm:20:100:2:8: the split leaves no validation and no test nodes: a per-class split \(20 train \+ 30 validation nodes per class\) of 20 nodes in 2 classes gives 20 train \/ 0 validation \/ 0 test; use a larger dataset or a smaller split$/,
  },
];

let dir: string;
let backend: Backend;
beforeAll(() => {
  dir = tempDir('unrunnable');
  backend = createBackend({ mode: 'serve', databasePath: join(dir, 'api.sqlite'), dataDir: join(dir, 'data'), cacheDir: join(dir, 'cache'), importRoots: [], log: () => {} });
});
afterAll(async () => {
  await backend.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI's message without its "alignahead train: " prefix. */
async function cliRefusal(args: string[], db: string): Promise<string> {
  const { code, io } = await runCli([...args, '--db', db]);
  expect(code).toBe(2);
  expect(io.stderr).toHaveLength(1);
  return io.stderr[0].replace(/^alignahead \w+: /, '');
}

async function apiRefusal(configs: RunConfigInput[]): Promise<string> {
  const result = await backend.dispatch('runs.create', { configs });
  if (result.ok) throw new Error(`runs.create accepted ${JSON.stringify(configs)}`);
  expect(result.error.status).toBe(400);
  return result.error.error;
}

describe.each(CASES)('$what', ({ flags, config, message }) => {
  it('is refused by train, sweep and runs.create with one message, registering nothing', async () => {
    const db = join(dir, `cli-${flags.join('_').replace(/[^a-z0-9]/gi, '')}.sqlite`);
    const trainMessage = await cliRefusal(['train', ...flags, '--epochs', '2', '--hidden', '4', '--backend', 'cpu'], db);
    expect(trainMessage).toMatch(message);
    expect(existsSync(db)).toBe(false);

    const apiMessage = await apiRefusal([{ ...SMALL, ...config }]);
    expect(apiMessage).toBe(trainMessage);

    // a sweep: the whole grid is refused before anything trains or is queued
    const good = { ...SMALL, data: 'demo', strategy: 'alignahead', students: 2 } as const;
    expect(await apiRefusal([good, { ...SMALL, ...config }])).toBe(`configs[1]: ${trainMessage}`);
    const sweepFlags = flags.includes('--students') ? ['--students', '2,1', '--strategy', 'alignahead'] : flags;
    expect(await cliRefusal(['sweep', ...sweepFlags, '--seeds', '0', '--epochs', '2', '--hidden', '4', '--backend', 'cpu'], db)).toBe(trainMessage);
    expect(existsSync(db)).toBe(false);

    expect(backend.store.countRuns()).toBe(0);
  });
});

it('accepts the same configs once they can run (the refusals are not blanket)', async () => {
  const result = await backend.dispatch('runs.create', { configs: [{ ...SMALL, data: 'csbm:40:200:2:8', split: { kind: 'per-class', trainPerClass: 5, valPerClass: 5 }, epochs: 1 }] });
  expect(result.ok).toBe(true);
  const ids = (result as { ok: true; value: { ids: number[] } }).value.ids;
  await backend.host.whenIdle();
  const store = openStore(join(dir, 'api.sqlite'), { mustExist: true });
  try {
    expect(store.getRun(ids[0])?.status).toBe('completed');
  } finally {
    store.close();
  }
}, 60_000);
