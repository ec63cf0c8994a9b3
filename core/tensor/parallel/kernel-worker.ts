import { parentPort, workerData } from 'node:worker_threads';
import { runRowKernel, type RowKernelArgs, type RowKernelName } from './row-kernels';
import { WORKER_STATE, type RowJob } from './protocol';
import { adoptWasmPayload, type WasmThreadPayload } from '../wasm/module';

/**
 * A kernel thread: runs the row range it is sent and reports through its shared state word, which
 * the calling thread waits on (Atomics.wait) without needing its own event loop to turn. A kernel
 * that throws reports `failed`; the calling thread then runs that range itself and sees the error.
 */
const { state, wasm } = workerData as { state: Int32Array; wasm?: WasmThreadPayload };
// the calling thread's kernels module and memory; a thread started without them compiles its own
if (wasm) adoptWasmPayload(wasm);

parentPort!.on('message', (job: RowJob) => {
  let outcome: number = WORKER_STATE.done;
  try {
    runRowKernel(job.name as RowKernelName, job.args as RowKernelArgs<RowKernelName>, { start: job.start, end: job.end });
  } catch {
    outcome = WORKER_STATE.failed;
  }
  Atomics.store(state, 0, outcome);
  Atomics.notify(state, 0);
});

Atomics.store(state, 1, 1);
