import { ESLint } from 'eslint';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CORE_LAYERS, coreLayerOf } from '../../eslint/layers.js';

/**
 * The layering rule inside core/, run through ESLint's Node API with the project's own config on
 * source text placed at a path in core/ (the file need not exist): what `npm run lint` would say.
 */
const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const eslint = new ESLint({ cwd: REPO_ROOT });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'layers/core-order').map((m) => m.message);
}

describe('the core layer rule', () => {
  it('fails an import that points up a layer', async () => {
    const errors = await layerErrors('core/distill/fixture.ts', "import { trainStudents } from '../train/trainer';\nexport const x = trainStudents;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^core\/distill must not import core\/train: inside core\/ imports point down the layers only \(graph → datasets → .* → cli\)/);
  });

  it('fails the two imports the redesign moved down, were they to come back', async () => {
    expect(await layerErrors('core/graph/batch.ts', "import type { GraphData } from '../datasets/types';\nexport type X = GraphData;\n")).toHaveLength(1);
    expect(await layerErrors('core/distill/dml.ts', "import { checkNodeIndices } from '../train/task';\nexport const x = checkNodeIndices;\n")).toHaveLength(1);
  });

  it('sees re-exports, dynamic imports, nested folders and the base files', async () => {
    expect(await layerErrors('core/store/fixture.ts', "export { runExperiment } from '../runs/run-experiment';\n")).toHaveLength(1);
    expect(await layerErrors('core/train/fixture.ts', "export async function f() { return import('../cli/main'); }\n")).toHaveLength(1);
    expect(await layerErrors('core/tensor/parallel/fixture.ts', "import { Rng } from '../../models/init';\nexport const x = Rng;\n")).toHaveLength(1);
    expect(await layerErrors('core/random.ts', "import { UserError } from './datasets/load';\nexport const x = UserError;\n")).toHaveLength(1);
  });

  it('lets imports point down or sideways, to the base files and out of core/', async () => {
    const code = [
      "import { UserError } from '../errors';",
      "import { Rng } from '../random';",
      "import { openStore } from '../store';",
      "import { createTrainingHost } from '../host/training-host';",
      "import { trainStudents } from '../train/trainer';",
      "import type { ApiEvent } from '../../contract/api';",
      "import { z } from 'zod';",
      'export const all = [UserError, Rng, openStore, createTrainingHost, trainStudents, z];',
      'export type E = ApiEvent;',
    ].join('\n');
    expect(await layerErrors('core/api/fixture.ts', code)).toEqual([]);
  });

  it('fails a core folder that is in no layer', async () => {
    const errors = await layerErrors('core/gadgets/fixture.ts', 'export const x = 1;\n');
    expect(errors).toEqual(['core/gadgets is in no layer of core/: add it to CORE_LAYERS in eslint/layers.js']);
    expect(await layerErrors('core/train/fixture.ts', "import { y } from '../gadgets/y';\nexport const x = y;\n")).toHaveLength(1);
  });

  it('places every folder of core/ in the order', () => {
    expect(CORE_LAYERS.flat()).toEqual(['graph', 'datasets', 'tensor', 'models', 'distill', 'train', 'store', 'runs', 'api', 'host', 'server', 'queue', 'cli']);
    const folders = readdirSync(join(REPO_ROOT, 'core'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    for (const folder of folders) expect(coreLayerOf(join(REPO_ROOT, 'core', folder.name, 'x.ts'))!.level, folder.name).toBeGreaterThan(0);
    expect(coreLayerOf(join(REPO_ROOT, 'core/errors.ts'))).toEqual({ name: 'core base', level: 0 });
    expect(coreLayerOf(join(REPO_ROOT, 'contract/api.ts'))).toBeNull();
  });
});

describe('the desktop shell\'s folders', () => {
  it('keep the sandboxed preload to contract/ alone', async () => {
    const restricted = async (code: string) => {
      const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, 'electron/preload/fixture.ts') });
      return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').length;
    };
    expect(await restricted("import { openStore } from '../../core/store';\nexport const x = openStore;\n")).toBe(1);
    expect(await restricted("import { log } from '../main/menu';\nexport const x = log;\n")).toBe(1);
    expect(await restricted("import type { ApiEvent } from '../../contract/api';\nexport type E = ApiEvent;\n")).toBe(0);
  });
});
