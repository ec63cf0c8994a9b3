import { parentChannel } from './ipc-channel';
import type { WorkerToHost } from './worker-protocol';
import type { WorkerTransport } from './worker-runner';

/** A worker's channel to its host, with a way to let the last messages leave before it exits. */
export type FlushingTransport = WorkerTransport & { flush(): Promise<void> };

/** Electron's utility-process port (process.parentPort). */
export interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** The port Electron gives a utility process, or undefined in a plain node process. */
export function electronParentPort(): ParentPort | undefined {
  return (process as unknown as { parentPort?: ParentPort }).parentPort;
}

/** Over Electron's parentPort; postMessage is asynchronous and says nothing of delivery, hence a short grace. */
export function parentPortTransport(port: ParentPort): FlushingTransport {
  return {
    post: (message: WorkerToHost) => port.postMessage(message),
    onMessage: (listener) => port.on('message', (event) => listener(event.data)),
    flush: () => new Promise((resolve) => setTimeout(resolve, 50)),
  };
}

/**
 * Over node's child_process IPC (process.send), which reports delivery: flush waits for the last
 * message. When the host goes away, the worker leaves its run `running`; the next liveness sweep
 * finds its process gone and marks the run interrupted (resumable).
 */
export function nodeIpcTransport(): FlushingTransport {
  const channel = parentChannel<WorkerToHost>('train-worker');
  return { post: channel.post, onMessage: (listener) => process.on('message', listener), flush: channel.flush };
}
