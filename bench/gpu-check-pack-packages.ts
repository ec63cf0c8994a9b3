import * as tfjsWebgpu from '@tensorflow/tfjs-backend-webgpu';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DawnModule, TfjsWebgpuModule } from '../core/tensor/webgpu/types';

/**
 * core/tensor/webgpu/packages.ts as the GPU check's bundle has it (bench/gpu-check-pack.ts swaps
 * it in): tfjs-backend-webgpu bundled, and Dawn's binding loaded from the dawn.node beside the
 * bundle, since the machine may have no node_modules.
 */

export async function importDawn(): Promise<DawnModule> {
  const here = dirname(fileURLToPath(import.meta.url));
  return createRequire(import.meta.url)(join(here, 'dawn.node')) as DawnModule;
}

export async function importTfjsWebgpu(): Promise<TfjsWebgpuModule> {
  return tfjsWebgpu as unknown as TfjsWebgpuModule;
}
