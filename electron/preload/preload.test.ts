import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_KEY, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type ApiEvent, type PreloadBridge } from '../../contract/api';

// The real preload runs against Electron's contextBridge and ipcRenderer; here both are stand-ins
// that record what the preload does with them.
const electron = vi.hoisted(() => ({
  exposed: [] as [string, unknown][],
  ipcRenderer: null as unknown as import('node:events').EventEmitter & { invoke: (...args: unknown[]) => Promise<unknown> },
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const ipcRenderer = Object.assign(new Emitter(), { invoke: vi.fn(async (...args: unknown[]) => ({ ok: true, value: args })) });
  electron.ipcRenderer = ipcRenderer;
  return {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => electron.exposed.push([key, api]) },
    ipcRenderer,
  };
});

async function loadBridge(): Promise<PreloadBridge> {
  await import('./preload');
  expect(electron.exposed).toHaveLength(1);
  return electron.exposed[0][1] as PreloadBridge;
}

describe('preload', () => {
  beforeEach(() => {
    electron.exposed.length = 0;
    vi.resetModules();
  });

  it('exposes exactly one object, under BRIDGE_KEY, holding only call and onEvent', async () => {
    const bridge = await loadBridge();
    expect(electron.exposed[0][0]).toBe(BRIDGE_KEY);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'onEvent']);
    expect(typeof bridge.call).toBe('function');
    expect(typeof bridge.onEvent).toBe('function');
    expect(Object.values(bridge)).not.toContain(electron.ipcRenderer);
  });

  it('call invokes the call channel with the name and input and returns the answer', async () => {
    const bridge = await loadBridge();
    const answer = await bridge.call('runs.get', { id: 7 });
    expect(answer).toEqual({ ok: true, value: [IPC_CALL_CHANNEL, 'runs.get', { id: 7 }] });
  });

  it('onEvent hands the listener only the API event, never the IPC event (which carries ipcRenderer)', async () => {
    const bridge = await loadBridge();
    const received: unknown[][] = [];
    bridge.onEvent((...args: unknown[]) => received.push(args));
    const apiEvent: ApiEvent = { type: 'run.alignment', runId: 2, epoch: 5 };
    electron.ipcRenderer.emit(IPC_EVENT_CHANNEL, { sender: electron.ipcRenderer }, apiEvent);
    expect(received).toEqual([[apiEvent]]);
  });

  it('unsubscribe removes exactly that listener', async () => {
    const bridge = await loadBridge();
    const before = electron.ipcRenderer.listenerCount(IPC_EVENT_CHANNEL);
    const first = vi.fn();
    const second = vi.fn();
    const unsubscribeFirst = bridge.onEvent(first);
    bridge.onEvent(second);
    expect(electron.ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(before + 2);
    unsubscribeFirst();
    unsubscribeFirst();
    expect(electron.ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(before + 1);
    const apiEvent: ApiEvent = { type: 'run.log', runId: 1, level: 'info', message: 'hello' };
    electron.ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, apiEvent);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledWith(apiEvent);
  });
});
