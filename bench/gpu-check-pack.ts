/**
 * `npm run gpu-check:pack`: the GPU check as a folder that runs with a plain `node` (20+) on a
 * machine with no network and no node_modules: dist/gpu-check/
 *   gpu-check.mjs          bench/gpu-check.ts with everything it imports bundled in
 *   dawn.node              Dawn's Node binding for linux-x64, from the `webgpu` package
 *   cora.npz               when ../shared has it (the Cora GCN case)
 *   README.md, LICENSES/   how to run it (and bring Node and the Vulkan loader); bundled licenses
 * Must stay under 60 MB. Build output only: dist/ is never committed.
 *   node bin/run-ts.js bench/gpu-check-pack.ts [--out DIR]
 */
import { build, type Plugin } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SHARED_CORA } from './cases';
import { packReadme } from './gpu-check-pack-readme';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LIMIT_BYTES = 60 * 2 ** 20;
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = resolve(values.out ?? join(REPO, 'dist', 'gpu-check'));

/**
 * Two swaps make the bundle stand alone: the optional WebGPU packages are imported statically, with
 * dawn.node loaded from beside the bundle (core/tensor/webgpu/packages.ts → gpu-check-pack-packages.ts);
 * vitest, which the shared op cases import for their assertion helper (unused here), is a stub.
 */
const standAlone: Plugin = {
  name: 'gpu-check-stand-alone',
  setup(builder) {
    const packages = join(REPO, 'core', 'tensor', 'webgpu', 'packages.ts');
    builder.onResolve({ filter: /packages$/ }, (args) => {
      const target = resolve(args.resolveDir, `${args.path}.ts`);
      return target === packages ? { path: join(REPO, 'bench', 'gpu-check-pack-packages.ts') } : undefined;
    });
    builder.onResolve({ filter: /^vitest$/ }, () => ({ path: 'vitest', namespace: 'vitest-stub' }));
    builder.onLoad({ filter: /.*/, namespace: 'vitest-stub' }, () => ({
      contents: "export const expect = () => { throw new Error('vitest is not part of the GPU check bundle'); };",
      loader: 'js',
    }));
  },
};

function sizeOf(path: string): number {
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0) : stat.size;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(join(outDir, 'LICENSES'), { recursive: true });
await build({
  entryPoints: [join(REPO, 'bench', 'gpu-check.ts')],
  outfile: join(outDir, 'gpu-check.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'external',
  absWorkingDir: REPO,
  plugins: [standAlone],
  // never used by the check (it computes on webgpu, with the pure-JS cpu backend as reference)
  external: ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  // ESM has no require; some bundled CommonJS needs one. Kernel threads start from a file the
  // bundle does not have: the CPU reference runs on the calling thread.
  banner: {
    js: "import { createRequire as __packRequire } from 'node:module'; const require = __packRequire(import.meta.url); process.env.ALIGNAHEAD_THREADS ??= '1';",
  },
  logLevel: 'warning',
});
const webgpuDir = join(REPO, 'node_modules', 'webgpu');
copyFileSync(join(webgpuDir, 'dist', 'linux-x64', 'dawn.node'), join(outDir, 'dawn.node'));
copyFileSync(join(webgpuDir, 'LICENSE.md'), join(outDir, 'LICENSES', 'dawn-and-webgpu.md'));
const legal = join(outDir, 'gpu-check.mjs.LEGAL.txt');
if (existsSync(legal)) copyFileSync(legal, join(outDir, 'LICENSES', 'bundled-packages.txt'));
rmSync(legal, { force: true });
const withCora = existsSync(SHARED_CORA);
if (withCora) copyFileSync(SHARED_CORA, join(outDir, 'cora.npz'));
writeFileSync(join(outDir, 'README.md'), packReadme({ withCora }));

const total = sizeOf(outDir);
console.log(`${outDir}: ${(total / 2 ** 20).toFixed(1)} MB${withCora ? '' : ' (without cora.npz: ../shared/datasets is absent)'}`);
if (total > LIMIT_BYTES) {
  console.error(`the pack is over ${LIMIT_BYTES / 2 ** 20} MB`);
  process.exit(1);
}
