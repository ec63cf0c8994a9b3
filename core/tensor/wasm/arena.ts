import { runRange } from '../parallel/kernel-threads';
import { WASM_MAX_PAGES, WASM_PAGE_BYTES, wasmMemory } from './module';

/**
 * Space in the kernels' shared memory, managed by the calling thread only (kernel threads receive
 * offsets). Tensors live in ordinary JS memory, so there is no 4 GiB ceiling on a model's state: a
 * kernel call copies its operands in (scratch space, freed when the call returns) and its outputs
 * out, and only what one kernel call touches at once must fit. Graph structure that every kernel
 * reads (offsets, neighbour lists) is copied in once and stays resident while its array lives.
 *
 * Allocation is first-fit over an address-ordered free list with coalescing, in 64-byte units (a
 * cache line, and the alignment SIMD loads like). Offset 0 is never handed out: kernels read 0 as
 * "no array".
 */

const ALIGN = 64;

/** a copy splits across the kernel threads in ranges of whole cache lines... */
const COPY_GRANULE = 4096;
/** ...from a few MB up: a copied element costs about a tenth of a kernel's element operation */
const COPY_COST = 10;

/** A kernel call's working set did not fit the 4 GiB a wasm32 memory can address. */
export class KernelMemoryError extends Error {}

interface FreeRange {
  start: number;
  end: number;
}

const free: FreeRange[] = [];
const sizes = new Map<number, number>();
let top = ALIGN;
let peakBytes = 0;
let liveBytes = 0;

function roundUp(bytes: number): number {
  return Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
}

/** Grows the memory so that [top, top + bytes) exists; the caller then takes it from the top. */
function growFor(bytes: number): void {
  const memory = wasmMemory();
  const needed = top + bytes;
  const have = memory.buffer.byteLength;
  if (needed <= have) return;
  // grow by at least a quarter, so that a run's first steps do not grow it page by page
  const pages = Math.max(Math.ceil((needed - have) / WASM_PAGE_BYTES), Math.ceil(have / WASM_PAGE_BYTES / 4));
  const current = have / WASM_PAGE_BYTES;
  const target = Math.min(current + pages, WASM_MAX_PAGES);
  if (target * WASM_PAGE_BYTES < needed) {
    throw new KernelMemoryError(
      `a graph kernel needs ${(bytes / 2 ** 20).toFixed(0)} MiB more working memory, beyond the 4 GiB its WASM memory can address ` +
        `(${(liveBytes / 2 ** 20).toFixed(0)} MiB in use); the graph or the layer width is too large for one kernel call`,
    );
  }
  memory.grow(target - current);
}

/** Allocates `bytes` (rounded up to 64) and returns the offset. */
export function allocate(bytes: number): number {
  const size = roundUp(bytes);
  let offset = -1;
  for (let i = 0; i < free.length; i++) {
    const range = free[i];
    if (range.end - range.start >= size) {
      offset = range.start;
      range.start += size;
      if (range.start === range.end) free.splice(i, 1);
      break;
    }
  }
  if (offset < 0) {
    // the last free range may end at the top: extend from its start
    const last = free[free.length - 1];
    const from = last && last.end === top ? last.start : top;
    growFor(from + size - top);
    if (last && last.end === top) free.pop();
    offset = from;
    top = from + size;
  }
  sizes.set(offset, size);
  liveBytes += size;
  peakBytes = Math.max(peakBytes, liveBytes);
  return offset;
}

/** Returns an allocation to the free list, merging it with free neighbours. */
export function release(offset: number): void {
  const size = sizes.get(offset);
  if (size === undefined) throw new Error(`arena: offset ${offset} is not allocated`);
  sizes.delete(offset);
  liveBytes -= size;
  let lo = 0;
  let hi = free.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (free[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  const range: FreeRange = { start: offset, end: offset + size };
  const before = free[lo - 1];
  const after = free[lo];
  if (before && before.end === range.start) {
    before.end = range.end;
    if (after && after.start === before.end) {
      before.end = after.end;
      free.splice(lo, 1);
    }
  } else if (after && after.start === range.end) {
    after.start = range.start;
  } else {
    free.splice(lo, 0, range);
  }
}

/** Bytes allocated now and at most so far (for memory reports). */
export function arenaUsage(): { liveBytes: number; peakBytes: number; reservedBytes: number } {
  return { liveBytes, peakBytes, reservedBytes: wasmMemory().buffer.byteLength };
}

export function float32View(offset: number, length: number): Float32Array {
  return new Float32Array(wasmMemory().buffer, offset, length);
}

export function int32View(offset: number, length: number): Int32Array {
  return new Int32Array(wasmMemory().buffer, offset, length);
}

/**
 * The allocations of one kernel call: operands copied in, outputs copied out, all released when
 * the call's body returns (or throws).
 */
export class Scratch {
  private readonly taken: number[] = [];

  /** `values` copied in; returns their offset. */
  input(values: Float32Array | Int32Array): number {
    const offset = this.take(values.byteLength);
    if (values instanceof Float32Array) runRange('copyIntoKernelMemory', values.length, COPY_GRANULE, values.length / COPY_COST, [values, offset]);
    else int32View(offset, values.length).set(values);
    return offset;
  }

  /** A rows × cols matrix copied in with its rows padded to `paddedCols` columns (zeros). */
  paddedInput(values: Float32Array, rows: number, cols: number, paddedCols: number): number {
    if (paddedCols === cols) return this.input(values);
    const offset = this.take(rows * paddedCols * 4);
    const view = float32View(offset, rows * paddedCols);
    for (let r = 0; r < rows; r++) {
      const from = r * cols;
      const to = r * paddedCols;
      for (let c = 0; c < cols; c++) view[to + c] = values[from + c];
      for (let c = cols; c < paddedCols; c++) view[to + c] = 0;
    }
    return offset;
  }

  /** Space for `length` float32 or int32 values, uninitialised. */
  output(length: number): number {
    return this.take(length * 4);
  }

  /** Copies `into.length` float32 values at `offset` into `into`. */
  read(offset: number, into: Float32Array): void {
    runRange('copyFromKernelMemory', into.length, COPY_GRANULE, into.length / COPY_COST, [offset, into]);
  }

  /** Copies a rows × paddedCols matrix at `offset` into the rows × cols `into`, dropping the padding. */
  readPadded(offset: number, rows: number, cols: number, paddedCols: number, into: Float32Array): void {
    if (paddedCols === cols) return this.read(offset, into);
    const view = float32View(offset, rows * paddedCols);
    for (let r = 0; r < rows; r++) {
      const from = r * paddedCols;
      const to = r * cols;
      for (let c = 0; c < cols; c++) into[to + c] = view[from + c];
    }
  }

  releaseAll(): void {
    for (const offset of this.taken) release(offset);
    this.taken.length = 0;
  }

  private take(bytes: number): number {
    const offset = allocate(bytes);
    this.taken.push(offset);
    return offset;
  }
}

/** Runs `body` with a Scratch whose allocations are released when it returns. */
export function withScratch<T>(body: (scratch: Scratch) => T): T {
  const scratch = new Scratch();
  try {
    return body(scratch);
  } finally {
    scratch.releaseAll();
  }
}

const resident = new WeakMap<Int32Array, number>();
const releaseResident = new FinalizationRegistry<number>(release);

/**
 * An array that never changes (graph structure) copied in once and kept while the array lives:
 * its offset. The copy is released after the array is garbage-collected.
 */
export function residentInt32(values: Int32Array): number {
  let offset = resident.get(values);
  if (offset === undefined) {
    offset = allocate(values.byteLength);
    int32View(offset, values.length).set(values);
    resident.set(values, offset);
    releaseResident.register(values, offset);
  }
  return offset;
}
