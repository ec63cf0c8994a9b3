import type { RowRange } from '../kernels/adjacency';
import { edgeAdd, sumEdgesIntoRows } from '../kernels/edge-add';
import { edgeAttention, edgeAttentionGradient } from '../kernels/edge-attention';
import { edgeSoftmax, edgeSoftmaxGradient } from '../kernels/edge-softmax';
import { binaryRange, eluGradRange, leakyReluRange, unaryRange } from '../kernels/elementwise';
import { gatherMax, segmentSum, segmentSumGradient } from '../kernels/segment-reduce';
import { copyFromKernelMemory, copyIntoKernelMemory } from '../wasm/copies';
import { kernels, type KernelName } from '../wasm/module';

/** A SIMD kernel of the shared WASM module (pointer and size arguments), on this thread's instance. */
function wasm(name: KernelName, args: number[], rows: RowRange): void {
  (kernels()[name] as (...all: number[]) => void)(...args, rows.start, rows.end);
}

/**
 * The kernels that threads may split by rows: each writes only the output rows (or the edges of
 * the rows) in its range, so disjoint ranges never write the same element, and every row is
 * computed by the same arithmetic whichever thread runs it (results are bit-identical to one thread).
 */
export const ROW_KERNELS = {
  edgeAdd,
  sumEdgesIntoRows,
  edgeAttention,
  edgeAttentionGradient,
  edgeSoftmax,
  edgeSoftmaxGradient,
  segmentSum,
  segmentSumGradient,
  gatherMax,
  binaryRange,
  unaryRange,
  leakyReluRange,
  eluGradRange,
  wasm,
  copyIntoKernelMemory,
  copyFromKernelMemory,
} as const;

export type RowKernelName = keyof typeof ROW_KERNELS;

/** A kernel's arguments without its trailing row range. */
export type RowKernelArgs<K extends RowKernelName> = Parameters<(typeof ROW_KERNELS)[K]> extends [...infer Args, (RowRange | undefined)?]
  ? Args
  : never;

/** Runs kernel `name` on rows [start, end): the one place both the calling thread and workers dispatch. */
export function runRowKernel<K extends RowKernelName>(name: K, args: RowKernelArgs<K>, rows: RowRange): void {
  const kernel = ROW_KERNELS[name] as (...all: unknown[]) => void;
  kernel(...(args as unknown[]), rows);
}
