import { BRIDGE_KEY, type ApiClient, type PreloadBridge } from '../../../contract/api';
import type { ConnectionWatch } from './connection';
import { createHttpClient } from './http-transport';
import { createIpcClient } from './ipc-transport';
import { takeTokenFromLocation } from './token';

export type WorkbenchClient = ApiClient & { connection: ConnectionWatch };

function isBridge(value: unknown): value is PreloadBridge {
  return typeof value === 'object' && value !== null && typeof (value as PreloadBridge).call === 'function' && typeof (value as PreloadBridge).onEvent === 'function';
}

/**
 * The one place that knows how the UI reaches the backend: Electron's preload bridge when the
 * page runs in the desktop shell, HTTP + Server-Sent Events when a browser opened serve mode.
 */
export function createClient(win: Window = window): WorkbenchClient {
  const bridge = (win as unknown as Record<string, unknown>)[BRIDGE_KEY];
  if (isBridge(bridge)) return createIpcClient(bridge);
  const token = takeTokenFromLocation(win.location, win.history, win.sessionStorage);
  return createHttpClient({ baseUrl: new URL('./', win.location.href).toString(), token });
}
