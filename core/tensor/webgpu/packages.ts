import type { DawnModule, TfjsWebgpuModule } from './types';

/**
 * The two optional packages of the WebGPU path, imported on first use: `webgpu` (Dawn's Node
 * binding) and `@tensorflow/tfjs-backend-webgpu`. Variable specifiers keep tsc and bundlers from
 * requiring them to exist. bench/gpu-check-pack.ts swaps this one module for static imports when it
 * bundles the GPU check, so that the bundle runs without node_modules.
 */

function missingPackage(error: unknown, pkg: string): boolean {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(pkg);
}

async function importOptional<T>(pkg: string): Promise<T> {
  try {
    const specifier: string = pkg;
    return (await import(specifier)) as T;
  } catch (error) {
    if (missingPackage(error, pkg)) throw new Error(`${pkg} is not installed`);
    throw error;
  }
}

export function importDawn(): Promise<DawnModule> {
  return importOptional<DawnModule>('webgpu');
}

export function importTfjsWebgpu(): Promise<TfjsWebgpuModule> {
  return importOptional<TfjsWebgpuModule>('@tensorflow/tfjs-backend-webgpu');
}
