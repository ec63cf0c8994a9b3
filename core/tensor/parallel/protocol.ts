/** Values of a kernel thread's shared state word (index 0); index 1 becomes 1 once the thread is loaded. */
export const WORKER_STATE = { idle: 0, busy: 1, done: 2, failed: 3 } as const;

/** One row range of a kernel, posted to a thread. Every typed array in `args` is SharedArrayBuffer-backed. */
export interface RowJob {
  name: string;
  args: unknown[];
  start: number;
  end: number;
}
