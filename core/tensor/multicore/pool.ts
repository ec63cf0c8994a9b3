import { FreeList } from '../parallel/free-list';

/**
 * Tensor storage of the multicore backend: SharedArrayBuffers (so that every kernel thread reads
 * and writes them in place), handed out by the kernels for their outputs and recycled as soon as
 * the tensor that owns one is disposed. V8 frees dead SharedArrayBuffers lazily (a 10k-node GAT
 * epoch once held ~1 GB of them), and a training step allocates the same shapes step after step, so
 * buffers are kept on free lists by byte length and reused instead.
 *
 * A pooled buffer belongs to at most one tensor at a time (adopt); the backend copies an output
 * that would alias a buffer another tensor owns (a stock kernel returning a view of its input), so
 * recycling one tensor's buffer can never pull data from under another.
 *
 * The free lists hold at most what tensors held at their peak (at least MIN_FREE_BYTES): a steady
 * step finds every size it needs there, and sizes that stop coming back are dropped (FreeList).
 */

const MIN_FREE_BYTES = 64 * 2 ** 20;
const pooled = new WeakSet<SharedArrayBuffer>();
const owned = new WeakSet<SharedArrayBuffer>();
let liveBytes = 0;
let peakLiveBytes = 0;
const free = new FreeList(() => Math.max(MIN_FREE_BYTES, peakLiveBytes));

/** with memory profiling: what each owned buffer holds, and the live buffers grouped so at the peak */
const labels = new Map<SharedArrayBuffer, string>();
let breakdownAtPeak: { label: string; count: number; bytes: number }[] = [];
let breakdownPeak = 0;

function snapshotIfPeak(): void {
  if (liveBytes <= breakdownPeak * 1.002) return;
  breakdownPeak = liveBytes;
  const groups = new Map<string, { count: number; bytes: number }>();
  for (const [buffer, label] of labels) {
    const group = groups.get(label) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += buffer.byteLength;
    groups.set(label, group);
  }
  breakdownAtPeak = [...groups].map(([label, g]) => ({ label, ...g })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * The pooled tensors alive at the highest peak seen while labelling (adopt with a label), grouped by
 * label, largest first; empty unless labels were given.
 */
export function peakBreakdown(): { label: string; count: number; bytes: number }[] {
  return breakdownAtPeak;
}

function take(byteLength: number): SharedArrayBuffer {
  const reused = free.take(byteLength);
  if (reused) return reused;
  const buffer = new SharedArrayBuffer(byteLength);
  pooled.add(buffer);
  return buffer;
}

/** Float32 storage from the pool, contents undefined (kernels write their outputs in full). */
export function pooledFloat32(length: number): Float32Array {
  return new Float32Array(take(length * 4));
}

/** Int32 storage from the pool, contents undefined. */
export function pooledInt32(length: number): Int32Array {
  return new Int32Array(take(length * 4));
}

/** Whether `values` lies in a buffer of this pool (whole or a view). */
export function isPooled(values: ArrayBufferView): boolean {
  return values.buffer instanceof SharedArrayBuffer && pooled.has(values.buffer);
}

/**
 * A tensor takes `values` as its storage: true when it may (the values are not pooled, or are a
 * whole pooled buffer nobody owns yet); false when the tensor must store a copy instead.
 */
export function adopt(values: ArrayBufferView, label?: string): boolean {
  if (!isPooled(values)) return true;
  const buffer = values.buffer as SharedArrayBuffer;
  if (owned.has(buffer) || values.byteOffset !== 0 || values.byteLength !== buffer.byteLength) return false;
  owned.add(buffer);
  liveBytes += buffer.byteLength;
  peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
  if (label !== undefined) {
    labels.set(buffer, label);
    snapshotIfPeak();
  }
  return true;
}

/** The owner of `values` is gone: its buffer goes back on the free list (non-pooled values are left to GC). */
export function recycle(values: ArrayBufferView): void {
  if (!isPooled(values)) return;
  const buffer = values.buffer as SharedArrayBuffer;
  if (!owned.delete(buffer)) return;
  liveBytes -= buffer.byteLength;
  labels.delete(buffer);
  free.give(buffer);
}

/** Returns a pooled array nobody adopted (a kernel's scratch) to the free list. */
export function recycleScratch(values: ArrayBufferView): void {
  if (!isPooled(values) || owned.has(values.buffer as SharedArrayBuffer)) return;
  free.give(values.buffer as SharedArrayBuffer);
}

/** Drops the free lists (e.g. when a training run ends); buffers still owned by tensors stay. */
export function dropFreeBuffers(): void {
  free.clear();
}

/** Bytes held by tensors now, their peak, and bytes waiting on the free lists (for memory reports). */
export function poolUsage(): { liveBytes: number; peakLiveBytes: number; freeBytes: number } {
  return { liveBytes, peakLiveBytes, freeBytes: free.bytes };
}

/** Restarts the peak count (a benchmark measuring one phase). */
export function resetPoolPeak(): void {
  peakLiveBytes = liveBytes;
}
