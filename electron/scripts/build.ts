/**
 * Builds the desktop shell (`npm run build:electron`): Electron runs JavaScript, not TypeScript, and
 * a sandboxed preload must be one self-contained CommonJS file. Three bundles in dist/electron/:
 *   main.cjs     the main process (core/ bundled in, npm packages left to node_modules)
 *   preload.cjs  the bridge, fully self-contained (the sandbox only lets it require 'electron')
 *   worker.cjs   a training run inside a utility process
 *   kernel-worker.cjs  a graph-kernel thread of a training run (core/tensor/parallel)
 * CommonJS throughout, because utility processes and sandboxed preloads load CommonJS reliably.
 */
import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ELECTRON_OUT_DIR = join(REPO_ROOT, 'dist', 'electron');

/**
 * Core modules find files next to their source (`new URL('../../migrations/', import.meta.url)`,
 * `../package.json`). Once bundled, `import.meta` no longer exists; this rewrites each module's
 * `import.meta.url` to the URL of its original source file, computed at run time from the bundle's
 * own folder. The bundle keeps the repository's layout around it (also inside app.asar), so
 * migrations/ and package.json are found in development and in the packaged app alike.
 */
/**
 * Defined once at the top of each bundle, where `require` and `__dirname` are still the module's own
 * (a bundled module may declare a local `require`, e.g. through createRequire).
 */
const SOURCE_URL_HELPER = '__alignaheadSourceUrl';
const SOURCE_URL_BANNER = `var ${SOURCE_URL_HELPER} = (fromBundle) => require("node:url").pathToFileURL(require("node:path").join(__dirname, fromBundle)).href;`;

export function sourceUrlPlugin(outDir: string): Plugin {
  return {
    name: 'source-import-meta-url',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.split(sep).includes('node_modules')) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const fromBundle = relative(outDir, args.path).split(sep).join('/');
        return { contents: source.replaceAll('import.meta.url', `${SOURCE_URL_HELPER}(${JSON.stringify(fromBundle)})`), loader: 'ts' };
      });
    },
  };
}

export async function buildElectron(options: { outDir?: string; minify?: boolean } = {}): Promise<string[]> {
  const outDir = options.outDir ?? ELECTRON_OUT_DIR;
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    // Electron 45 ships Node 22
    target: 'node22',
    sourcemap: 'linked' as const,
    minify: options.minify ?? false,
    logLevel: 'warning' as const,
    absWorkingDir: REPO_ROOT,
  };
  // Node-side bundles: core's modules locate files from their source location.
  const nodeSide = { plugins: [sourceUrlPlugin(outDir)], banner: { js: SOURCE_URL_BANNER } };
  const outputs = {
    main: join(outDir, 'main.cjs'),
    preload: join(outDir, 'preload.cjs'),
    worker: join(outDir, 'worker.cjs'),
    kernelWorker: join(outDir, 'kernel-worker.cjs'),
  };
  await Promise.all([
    // npm packages stay external: native better-sqlite3 must come from node_modules (the Electron
    // build in dist/electron/node_modules wins over the Node build), and tfjs-backend-wasm finds
    // its .wasm files next to its own code.
    build({ ...common, ...nodeSide, entryPoints: [join(REPO_ROOT, 'electron', 'main', 'main.ts')], outfile: outputs.main, packages: 'external', external: ['electron'] }),
    build({ ...common, ...nodeSide, entryPoints: [join(REPO_ROOT, 'electron', 'worker', 'utility-worker.ts')], outfile: outputs.worker, packages: 'external' }),
    build({ ...common, ...nodeSide, entryPoints: [join(REPO_ROOT, 'core', 'tensor', 'parallel', 'kernel-worker.ts')], outfile: outputs.kernelWorker, packages: 'external' }),
    build({ ...common, entryPoints: [join(REPO_ROOT, 'electron', 'preload', 'preload.ts')], outfile: outputs.preload, external: ['electron'] }),
  ]);
  return Object.values(outputs);
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const files = await buildElectron({ minify: process.argv.includes('--minify') });
  for (const file of files) console.log(`built ${relative(REPO_ROOT, file)}`);
}
