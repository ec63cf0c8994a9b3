import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type * as Contract from '../../contract/api';
import type { ApiEvent, CallResult, PreloadBridge } from '../../contract/api';

/**
 * The only thing the page gets: two functions on window[BRIDGE_KEY]. Neither ipcRenderer nor the
 * IPC event object (whose `sender` is ipcRenderer) ever crosses into the page's world.
 * Runs sandboxed, so it is bundled to CommonJS with its imports inlined.
 */

// The contract's constants, restated so the bundle does not pull in the contract's schemas (zod):
// each is typed as the contract's literal, so tsc fails the moment the two disagree.
const BRIDGE_KEY: typeof Contract.BRIDGE_KEY = 'alignahead';
const IPC_CALL_CHANNEL: typeof Contract.IPC_CALL_CHANNEL = 'api:call';
const IPC_EVENT_CHANNEL: typeof Contract.IPC_EVENT_CHANNEL = 'api:event';
const bridge: PreloadBridge = {
  call(name: string, input: unknown): Promise<CallResult<unknown>> {
    return ipcRenderer.invoke(IPC_CALL_CHANNEL, name, input) as Promise<CallResult<unknown>>;
  },
  onEvent(listener: (event: ApiEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    const forward = (_ipcEvent: IpcRendererEvent, apiEvent: ApiEvent) => listener(apiEvent);
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);
