import { FreeList } from './free-list';
import { kernelThreadCount } from './kernel-threads';

/**
 * Memory for the graph kernels. While kernel threads run, kernel inputs and outputs must live in
 * SharedArrayBuffers; V8 collects those lazily (a 10k-node GAT epoch held ~1 GB of dead ones), so
 * buffers taken inside a bufferScope (one training step) go back to a free list when the scope
 * ends and are handed out again by the next scope. Nothing may keep them past the scope: tensors
 * are built from a copy where the backend would keep the array itself (see tensorData).
 *
 * A recycled buffer is not cleared (that cost 5% of a GAT epoch): every kernel writes each element
 * of its outputs. The threaded-vs-single-thread tests would catch one that did not, since a
 * single thread's buffers are fresh, zeroed ones.
 */

type TypedArrayOf<T> = new (buffer: SharedArrayBuffer) => T;

const MIN_FREE_BYTES = 64 * 2 ** 20;
/** the most bytes one scope took: the free list keeps at most that (FreeList drops sizes unused longest) */
let largestScopeBytes = 0;
const free = new FreeList(() => Math.max(MIN_FREE_BYTES, largestScopeBytes));
let scoped: SharedArrayBuffer[] | null = null;

function sharing(): boolean {
  return kernelThreadCount() > 1;
}

function takeShared(byteLength: number): SharedArrayBuffer {
  if (scoped === null) return new SharedArrayBuffer(byteLength);
  const buffer = free.take(byteLength) ?? new SharedArrayBuffer(byteLength);
  scoped.push(buffer);
  return buffer;
}

/** Runs `body`; the shared buffers it takes are recycled when it returns (or throws). Nested scopes join the outer one. */
export function bufferScope<T>(body: () => T): T {
  if (scoped !== null) return body();
  scoped = [];
  try {
    return body();
  } finally {
    largestScopeBytes = Math.max(largestScopeBytes, scoped.reduce((sum, buffer) => sum + buffer.byteLength, 0));
    for (const buffer of scoped) free.give(buffer);
    scoped = null;
  }
}

/** Drops the free list (e.g. when training ends). */
export function releaseFreeBuffers(): void {
  free.clear();
}

/** Whether arrays handed out now may be reused after the current scope: tensors must then be built from copies. */
export function buffersRecycled(): boolean {
  return scoped !== null && sharing();
}

/** Float32 storage for a kernel output (written in full; a recycled one holds old values): shared while threads run. */
export function float32Buffer(length: number): Float32Array {
  return sharing() ? new Float32Array(takeShared(length * 4)) : new Float32Array(length);
}

/** Int32 storage for a kernel output (see float32Buffer). */
export function int32Buffer(length: number): Int32Array {
  return sharing() ? new Int32Array(takeShared(length * 4)) : new Int32Array(length);
}

/** `values` in memory the threads can read: itself when already shared or no threads run, else a shared copy. */
export function shareable<T extends Float32Array | Int32Array>(values: T): T {
  if (!sharing() || values.buffer instanceof SharedArrayBuffer) return values;
  const copy = new (values.constructor as TypedArrayOf<T>)(takeShared(values.byteLength));
  copy.set(values as never);
  return copy;
}

const sharedCopies = new WeakMap<Int32Array, Int32Array>();

/** shareable() for arrays that never change (graph structure): one shared copy per array, never recycled. */
export function shareableConstant(values: Int32Array): Int32Array {
  if (!sharing() || values.buffer instanceof SharedArrayBuffer) return values;
  let copy = sharedCopies.get(values);
  if (!copy) {
    copy = new Int32Array(new SharedArrayBuffer(values.byteLength));
    copy.set(values);
    sharedCopies.set(values, copy);
  }
  return copy;
}
