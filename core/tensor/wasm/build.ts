/**
 * Builds kernels.wasm, the multicore engine's SIMD kernels, from the C sources next to this file:
 *
 *   npm run build:wasm            compile and write kernels.wasm
 *   npm run build:wasm -- --check compile into a temporary file and fail unless it equals the committed one
 *
 * Needs Debian's clang-14 and lld-14 (wasm-ld): `apt-get install -y clang-14 lld-14`. The committed
 * binary is what the app loads, so the build must be reproducible: one compiler version, fixed
 * flags, no paths or timestamps in the output. The module imports its memory (shared between the
 * kernel threads, see module.ts) and must use neither static data nor the shadow stack, whose
 * pointer every thread's instance would otherwise share: the build fails if the code touches a global.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WASM_DIR = dirname(fileURLToPath(import.meta.url));
export const KERNELS_WASM = join(WASM_DIR, 'kernels.wasm');

const COMPILER = 'clang-14';
const DISASSEMBLER = 'llvm-objdump-14';

const FLAGS = [
  '--target=wasm32',
  '-O3',
  '-msimd128',
  '-mmutable-globals',
  '-matomics',
  '-mbulk-memory',
  '-nostdlib',
  '-ffreestanding',
  '-fvisibility=hidden',
  '-Wall',
  '-Werror',
  '-Wl,--no-entry',
  '-Wl,--export-dynamic',
  '-Wl,--import-memory',
  '-Wl,--shared-memory',
  // the largest memory a wasm32 module can address: 65536 pages of 64 KiB
  '-Wl,--max-memory=4294967296',
];

/** Whether the pinned compiler and linker are on PATH. */
export function toolchainAvailable(): boolean {
  try {
    execFileSync(COMPILER, ['--version'], { stdio: 'ignore' });
    execFileSync('wasm-ld-14', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Compiles the C sources into `output`; throws with the compiler's message on failure. */
export function compileKernels(output: string): void {
  const sources = readdirSync(WASM_DIR)
    .filter((name) => name.endsWith('.c'))
    .sort();
  // relative source names and a fixed working directory keep the binary free of local paths
  execFileSync(COMPILER, [...FLAGS, '-o', output, ...sources], { cwd: WASM_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  const disassembly = execFileSync(DISASSEMBLER, ['-d', output], { encoding: 'utf8' });
  if (/global\.(get|set)/.test(disassembly)) {
    throw new Error(`${output}: the kernels touch a global (the shadow stack or static data), which the threads' instances would share`);
  }
}

/** Builds into a temporary file and returns whether it equals the committed kernels.wasm. */
export function committedBinaryMatchesSources(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'alignahead-wasm-'));
  try {
    const fresh = join(dir, 'kernels.wasm');
    compileKernels(fresh);
    return readFileSync(fresh).equals(readFileSync(KERNELS_WASM));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  if (!toolchainAvailable()) {
    console.error(`build:wasm needs ${COMPILER} and wasm-ld-14: apt-get install -y clang-14 lld-14`);
    process.exit(2);
  }
  if (process.argv.includes('--check')) {
    if (!committedBinaryMatchesSources()) {
      console.error('core/tensor/wasm/kernels.wasm does not match its sources: run `npm run build:wasm` and commit the result');
      process.exit(1);
    }
    console.log('kernels.wasm matches its sources');
  } else {
    compileKernels(KERNELS_WASM);
    console.log(`built ${KERNELS_WASM}`);
  }
}
