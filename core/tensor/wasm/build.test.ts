import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { committedBinaryMatchesSources, KERNELS_WASM, toolchainAvailable } from './build';
import type { KernelName } from './module';

const EXPORTED: KernelName[] = ['gemm_nn', 'gemm_tn', 'aggregate_rows', 'edge_head_dots', 'edge_distance', 'edge_distance_gradient'];

describe('kernels.wasm', () => {
  // CI installs clang-14 and lld-14 (.ci/run); elsewhere the check needs them too
  it.skipIf(!toolchainAvailable())('is what its C sources compile to (rebuild: npm run build:wasm)', () => {
    expect(committedBinaryMatchesSources()).toBe(true);
  });

  it('imports only the shared memory and exports exactly the kernels the JS side calls', () => {
    const module = new WebAssembly.Module(readFileSync(KERNELS_WASM));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual([...EXPORTED].sort());
  });
});
