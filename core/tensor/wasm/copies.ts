import type { RowRange } from '../kernels/adjacency';
import { wasmMemory } from './module';

/**
 * Copies between JS arrays in shared memory and the kernels' memory, as row kernels so that the
 * kernel threads share a large operand's copy (a 50k × 192 table is ~40 MB, a few ms per copy).
 */

/** memory[offset + i] = values[i] for i in range */
export function copyIntoKernelMemory(values: Float32Array, offset: number, range: RowRange): void {
  new Float32Array(wasmMemory().buffer, offset + range.start * 4, range.end - range.start).set(values.subarray(range.start, range.end));
}

/** out[i] = memory[offset + i] for i in range */
export function copyFromKernelMemory(offset: number, out: Float32Array, range: RowRange): void {
  out.set(new Float32Array(wasmMemory().buffer, offset + range.start * 4, range.end - range.start), range.start);
}
