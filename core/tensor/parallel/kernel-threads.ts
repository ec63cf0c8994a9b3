import { availableParallelism } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RowRange } from '../kernels/adjacency';
import { wasmPayload } from '../wasm/module';
import { WORKER_STATE, type RowJob } from './protocol';
import { runRowKernel, type RowKernelArgs, type RowKernelName } from './row-kernels';

/**
 * Graph kernels on every core. tfjs's WASM backend computes on one thread in Node, so the project's
 * own kernels use worker threads: a kernel's rows are split into one range per thread by edge
 * count, the calling thread takes the first range, and it blocks (Atomics.wait) until the others
 * are done. Inputs and outputs live in SharedArrayBuffers so that no thread copies them.
 *
 * Splitting never changes results: each row is computed by the same code in any thread. Small
 * kernels run on the calling thread alone (a round trip costs ~0.1–0.5 ms), as does every call
 * while no threads are started, and any call with an argument not in shared memory.
 */

/** by default, kernels below this many (edge × column) element operations are not worth a round trip */
export const PARALLEL_MIN_WORK = 1 << 18;

/** environment variable capping the kernel threads (1 = calling thread only) */
export const THREADS_ENV_VAR = 'ALIGNAHEAD_THREADS';

interface KernelThread {
  worker: Worker;
  /** [0]: WORKER_STATE, [1]: 1 once loaded */
  state: Int32Array;
}

let threads: KernelThread[] = [];
const stalled = new Set<KernelThread>();
let minWork = PARALLEL_MIN_WORK;
/** kernel calls split across threads since start (benchmarks and tests read it) */
let splitCalls = 0;

/** How many kernel calls were split across threads so far. */
export function splitKernelCalls(): number {
  return splitCalls;
}

/** Threads computing graph kernels, the calling thread included. */
export function kernelThreadCount(): number {
  return threads.length + 1;
}

/** Threads to use: ALIGNAHEAD_THREADS when set, else one per core. */
export function defaultKernelThreads(): number {
  const fromEnv = process.env[THREADS_ENV_VAR]?.trim();
  if (fromEnv) {
    const value = Number(fromEnv);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${THREADS_ENV_VAR} must be a positive integer, got '${fromEnv}'`);
    return value;
  }
  return availableParallelism();
}

declare const __filename: string | undefined;

/**
 * The thread's entry: the bundle next to the running one in the desktop app (unpacked from
 * app.asar, see electron-builder.yml), the tsx bootstrap when running from the sources.
 */
function workerEntry(): URL {
  if (typeof __filename === 'string' && __filename.endsWith('.cjs')) {
    const bundled = join(dirname(__filename), 'kernel-worker.cjs');
    return pathToFileURL(bundled.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`));
  }
  return new URL('./kernel-worker-entry.mjs', import.meta.url);
}

export interface KernelThreadOptions {
  /** kernels with less work run on the calling thread alone [PARALLEL_MIN_WORK] */
  minWork?: number;
  /** threads not loaded by then are dropped [20 s] */
  timeoutMs?: number;
  /** the thread's code [the bundle or the tsx bootstrap, see workerEntry] */
  entry?: URL;
}

/**
 * Starts `count − 1` kernel threads (replacing any running ones) and waits until they are loaded.
 * Returns the threads in use, the caller's included. Threads never keep the process alive.
 */
export async function startKernelThreads(count: number = defaultKernelThreads(), options: KernelThreadOptions = {}): Promise<number> {
  await stopKernelThreads();
  minWork = options.minWork ?? PARALLEL_MIN_WORK;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const starting: KernelThread[] = [];
  const failed = new Set<Worker>();
  for (let i = 1; i < count; i++) {
    const state = new Int32Array(new SharedArrayBuffer(8));
    try {
      const worker = new Worker(options.entry ?? workerEntry(), { workerData: { state, wasm: wasmPayload() } });
      worker.unref();
      // a thread that fails to load is dropped below; training goes on with the others
      worker.on('error', () => failed.add(worker));
      worker.on('exit', () => failed.add(worker));
      starting.push({ worker, state });
    } catch {
      break;
    }
  }
  const deadline = Date.now() + timeoutMs;
  const pending = () => starting.some((t) => Atomics.load(t.state, 1) !== 1 && !failed.has(t.worker));
  while (pending() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const loaded = starting.filter((t) => Atomics.load(t.state, 1) === 1);
  await Promise.all(starting.filter((t) => !loaded.includes(t)).map((t) => t.worker.terminate()));
  threads = loaded;
  return kernelThreadCount();
}

export async function stopKernelThreads(): Promise<void> {
  const stopping = threads;
  threads = [];
  await Promise.all(stopping.map((t) => t.worker.terminate()));
}

function isShared(value: unknown): boolean {
  if (ArrayBuffer.isView(value)) return value.buffer instanceof SharedArrayBuffer;
  if (typeof value === 'object' && value !== null) return Object.values(value).every(isShared);
  return true;
}

/**
 * `parts` consecutive row ranges of a view with these offsets, balanced on edges + rows (the work
 * of a row is its edges plus a fixed cost).
 */
export function splitRows(offsets: Int32Array, parts: number): RowRange[] {
  const rows = offsets.length - 1;
  const cost = (r: number) => offsets[r] - offsets[0] + r;
  const total = cost(rows);
  const ranges: RowRange[] = [];
  let start = 0;
  for (let p = 1; p <= parts; p++) {
    let end = rows;
    if (p < parts) {
      // first row whose cumulative cost reaches p/parts of the total
      const target = (total * p) / parts;
      let lo = start;
      let hi = rows;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cost(mid) < target) lo = mid + 1;
        else hi = mid;
      }
      end = lo;
    }
    ranges.push({ start, end });
    start = end;
  }
  return ranges;
}

/**
 * A range no thread finishes in this long means the thread is gone: its exit event cannot reach a
 * caller blocked in Atomics.wait, so a dead thread is recognised by its silence. (A range of the
 * 50k-node benchmark takes well under a second.)
 */
const STALLED_AFTER_MS = 120_000;

/** Waits for a thread's range; false when it failed or stalled (the caller then recomputes the range). */
function waitFor(thread: KernelThread): boolean {
  const result = Atomics.wait(thread.state, 0, WORKER_STATE.busy, STALLED_AFTER_MS);
  if (result === 'timed-out') {
    stalled.add(thread);
    return false;
  }
  return Atomics.load(thread.state, 0) === WORKER_STATE.done;
}

/**
 * Runs row kernel `name` over all rows of the view whose offsets are `rowOffsets`, split across the
 * kernel threads by edges + rows when `work` (≈ edges × columns) is large enough.
 */
export function runRows<K extends RowKernelName>(name: K, rowOffsets: Int32Array, work: number, args: RowKernelArgs<K>): void {
  const rows = rowOffsets.length - 1;
  runSplit(name, rows, work, args, (parts) => splitRows(rowOffsets, parts));
}

/**
 * Runs row kernel `name` over rows [0, count), split across the kernel threads into equal ranges
 * whose bounds are multiples of `granularity` (dense kernels whose rows all cost the same).
 */
export function runRange<K extends RowKernelName>(name: K, count: number, granularity: number, work: number, args: RowKernelArgs<K>): void {
  runSplit(name, Math.ceil(count / granularity), work, args, (parts) =>
    splitEvenly(count, parts, granularity),
  );
}

/** `parts` consecutive ranges covering [0, count), equal up to `granularity`, bounds multiples of it (but the last). */
export function splitEvenly(count: number, parts: number, granularity: number): RowRange[] {
  const units = Math.ceil(count / granularity);
  const ranges: RowRange[] = [];
  for (let p = 0; p < parts; p++) {
    const start = Math.min(count, Math.round((units * p) / parts) * granularity);
    const end = p === parts - 1 ? count : Math.min(count, Math.round((units * (p + 1)) / parts) * granularity);
    ranges.push({ start, end });
  }
  return ranges;
}

/**
 * A range whose thread failed is recomputed here, so a kernel error surfaces on the calling thread
 * with its own message. `units` is how many pieces the work can be cut into at most.
 */
function runSplit<K extends RowKernelName>(name: K, units: number, work: number, args: RowKernelArgs<K>, split: (parts: number) => RowRange[]): void {
  if (threads.length === 0 || work < minWork || units < 2 || !isShared(args)) {
    runRowKernel(name, args, split(1)[0]);
    return;
  }
  splitCalls++;
  const helpers = threads.slice(0, units - 1);
  const ranges = split(helpers.length + 1);
  helpers.forEach((thread, i) => {
    Atomics.store(thread.state, 0, WORKER_STATE.busy);
    const job: RowJob = { name, args, start: ranges[i + 1].start, end: ranges[i + 1].end };
    thread.worker.postMessage(job);
  });
  let ownError: unknown = null;
  try {
    runRowKernel(name, args, ranges[0]);
  } catch (error) {
    ownError = error;
  }
  // Wait for every thread before returning or throwing: none may still write into the outputs.
  const failed = helpers.map((thread) => !waitFor(thread));
  if (stalled.size > 0) {
    // a thread silent that long is taken for dead: it leaves the pool and is terminated
    threads = threads.filter((thread) => !stalled.has(thread));
    for (const thread of stalled) void thread.worker.terminate();
    stalled.clear();
  }
  if (ownError !== null) throw ownError;
  failed.forEach((didFail, i) => {
    if (didFail) runRowKernel(name, args, ranges[i + 1]);
  });
}
