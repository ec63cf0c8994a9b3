import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The SIMD kernels (kernels.wasm, built from the C sources here by build.ts) and the one memory
 * they all work in. Every kernel thread instantiates the same compiled module on the same shared
 * memory, so a kernel's rows can be split across threads exactly like the JS kernels': the calling
 * thread allocates the operands in that memory (arena.ts), each thread computes its row range.
 */

/** The exported kernels; pointers are byte offsets into the shared memory, 0 for "none". */
export interface KernelExports {
  gemm_nn(a: number, lda: number, b: number, m4: number, c: number, k: number, r0: number, r1: number): void;
  gemm_tn(a: number, k4: number, g: number, m4: number, c: number, n: number, r0: number, r1: number): void;
  aggregate_rows(offsets: number, neighbours: number, edgeIds: number, x: number, features: number, weights: number, heads: number, out: number, r0: number, r1: number): void;
  edge_head_dots(offsets: number, sources: number, byDestination: number, bySource: number, features: number, heads: number, out: number, r0: number, r1: number): void;
  edge_distance(offsets: number, sources: number, x: number, y: number, features: number, kind: number, out: number, rowEnds: number, r0: number, r1: number): void;
  edge_distance_gradient(offsets: number, neighbours: number, edgeIds: number, own: number, other: number, gradient: number, features: number, kind: number, out: number, r0: number, r1: number): void;
}

export type KernelName = keyof KernelExports;

/** What a kernel thread needs to run the kernels: the compiled module and the shared memory. */
export interface WasmThreadPayload {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

/** 64 KiB pages; a wasm32 memory addresses at most 65536 of them (4 GiB). */
export const WASM_PAGE_BYTES = 65536;
export const WASM_MAX_PAGES = 65536;
const INITIAL_PAGES = 256;

let payload: WasmThreadPayload | null = null;
let instance: KernelExports | null = null;

/**
 * Where kernels.wasm lies: next to this file, or, in the packaged desktop app (where the bundles
 * keep the sources' layout inside app.asar), in the unpacked copy beside the archive.
 */
function binaryPath(): string {
  const path = fileURLToPath(new URL('./kernels.wasm', import.meta.url));
  return path.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
}

/** The module and memory of this process, created on first use (the calling thread's side). */
export function wasmPayload(): WasmThreadPayload {
  if (!payload) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(binaryPath()));
    } catch (error) {
      throw new Error(`the SIMD kernels (${binaryPath()}) could not be read: ${(error as Error).message}`);
    }
    const module = new WebAssembly.Module(bytes);
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: WASM_MAX_PAGES, shared: true });
    payload = { module, memory };
  }
  return payload;
}

/** A kernel thread adopts the calling thread's module and memory (sent when it starts). */
export function adoptWasmPayload(received: WasmThreadPayload): void {
  payload = received;
  instance = null;
}

/** This thread's instance of the kernels. */
export function kernels(): KernelExports {
  if (!instance) {
    const { module, memory } = wasmPayload();
    instance = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  }
  return instance;
}

/** The shared memory the kernels compute in. */
export function wasmMemory(): WebAssembly.Memory {
  return wasmPayload().memory;
}
