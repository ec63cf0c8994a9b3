import { describe, expect, it, vi } from 'vitest';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { CALL_NAMES, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, MAX_REQUEST_BYTES, type ApiEvent, type CallResult } from '../../contract/api';
import { broadcastEvent, registerApiIpc, type Dispatch } from './ipc';

vi.mock('electron', () => ({}));

const APP_URL = 'file:///app/renderer/dist/index.html';
type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<CallResult<unknown>>;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const ipcMain = {
    handle: (channel: string, handler: Handler) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  };
  return { ipcMain: ipcMain as unknown as Pick<IpcMain, 'handle' | 'removeHandler'>, handlers };
}

function frameEvent(url: string, options: { parent?: unknown; noFrame?: boolean } = {}): IpcMainInvokeEvent {
  const senderFrame = options.noFrame ? null : { url, parent: options.parent ?? null };
  return { senderFrame } as unknown as IpcMainInvokeEvent;
}

function setup() {
  const { ipcMain, handlers } = fakeIpcMain();
  const dispatch = vi.fn<Dispatch>(async (name, input) => ({ ok: true, value: { name, input } }));
  const unregister = registerApiIpc(ipcMain, { dispatch, isAppUrl: (url) => url.split('#')[0] === APP_URL });
  const invoke = (event: IpcMainInvokeEvent, ...args: unknown[]) => handlers.get(IPC_CALL_CHANNEL)!(event, ...args);
  return { handlers, dispatch, unregister, invoke };
}

describe('registerApiIpc', () => {
  it('registers only the call channel, and removes it again', () => {
    const { handlers, unregister } = setup();
    expect([...handlers.keys()]).toEqual([IPC_CALL_CHANNEL]);
    unregister();
    expect(handlers.size).toBe(0);
  });

  it('passes every contract call from the app page to dispatch, and its result back', async () => {
    const { invoke, dispatch } = setup();
    for (const name of CALL_NAMES) {
      const input = { probe: name };
      const result = await invoke(frameEvent(`${APP_URL}#/runs`), name, input);
      expect(result).toEqual({ ok: true, value: { name, input } });
    }
    expect(dispatch.mock.calls.map(([name]) => name)).toEqual(CALL_NAMES);
  });

  it('refuses calls from a foreign page, a sub-frame or a vanished frame without dispatching', async () => {
    const { invoke, dispatch } = setup();
    const refused = [
      await invoke(frameEvent('https://evil.example/'), 'runs.list', {}),
      await invoke(frameEvent('file:///tmp/other.html'), 'runs.list', {}),
      await invoke(frameEvent(APP_URL, { parent: { url: APP_URL } }), 'runs.list', {}),
      await invoke(frameEvent(APP_URL, { noFrame: true }), 'runs.list', {}),
    ];
    for (const result of refused) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.status).toBe(403);
    }
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('refuses malformed payloads without dispatching', async () => {
    const { invoke, dispatch } = setup();
    const app = frameEvent(APP_URL);
    const cases: [unknown[], number, RegExp][] = [
      [[42, {}], 400, /must be a string/],
      [[{ name: 'runs.list' }, {}], 400, /must be a string/],
      [['runs.destroyEverything', {}], 400, /unknown call/],
      [['__proto__', {}], 400, /unknown call/],
      [['toString', {}], 400, /unknown call/],
      [['runs.note', { id: 1, notes: 'x'.repeat(MAX_REQUEST_BYTES + 1) }], 413, /more than the/],
      [['runs.list', { n: 1n }], 400, /cannot be serialised/],
      [['runs.list', {}, 'extra'], 400, /expected \(name, input\)/],
    ];
    for (const [args, status, message] of cases) {
      const result = await invoke(app, ...args);
      expect(result.ok, JSON.stringify(String(args[0]))).toBe(false);
      if (!result.ok) {
        expect(result.error.status).toBe(status);
        expect(result.error.error).toMatch(message);
      }
    }
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('accepts an input just under the size limit', async () => {
    const { invoke, dispatch } = setup();
    const overhead = JSON.stringify({ id: 1, notes: '' }).length;
    const result = await invoke(frameEvent(APP_URL), 'runs.note', { id: 1, notes: 'x'.repeat(MAX_REQUEST_BYTES - overhead) });
    expect(result.ok).toBe(true);
    expect(dispatch).toHaveBeenCalledTimes(1);
  });

  it('answers a throwing dispatch with a generic 500 instead of leaking the message', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    registerApiIpc(ipcMain, { dispatch: async () => { throw new Error('secret /home/path detail'); }, isAppUrl: (url) => url === APP_URL });
    const result = await handlers.get(IPC_CALL_CHANNEL)!(frameEvent(APP_URL), 'runs.list', {});
    stderr.mockRestore();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.status).toBe(500);
      expect(result.error.error).not.toContain('secret');
    }
  });
});

describe('broadcastEvent', () => {
  it('sends the event on the event channel to every window still open', () => {
    const event: ApiEvent = { type: 'run.status', runId: 3, status: 'running', error: null };
    const open = { isDestroyed: () => false, send: vi.fn() };
    const closed = { isDestroyed: () => true, send: vi.fn() };
    const other = { isDestroyed: () => false, send: vi.fn() };
    broadcastEvent([open, closed, other], event);
    expect(open.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, event);
    expect(other.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, event);
    expect(closed.send).not.toHaveBeenCalled();
  });
});
