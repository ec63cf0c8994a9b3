import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type ApiEvent, type CallResult } from '../../contract/api';
import { CONTENT_SECURITY_POLICY } from './window';
import { DEFAULT_WINDOW_STATE } from './window-state';

/**
 * main.ts against a stand-in Electron: what it wires up at start (single-instance lock, window,
 * session, IPC, menu) and how those pieces behave together. The backend is replaced too: its own
 * tests live with core/api and core/host.
 */

type Handler = (event: unknown, ...args: unknown[]) => Promise<CallResult<unknown>>;

const fake = vi.hoisted(() => {
  const state = {
    appData: '',
    home: '',
    lock: true,
    app: null as unknown as import('node:events').EventEmitter & Record<string, unknown>,
    windows: [] as FakeWindowLike[],
    ipcHandlers: new Map<string, Handler>(),
    headersListener: null as null | ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void),
    menuTemplate: null as unknown,
    /** what main.ts asked of electron's protocol module, in order, with whether the app was ready then */
    protocolCalls: [] as { call: string; scheme: string; ready: boolean }[],
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    ready: false,
    /** whether renderer/dist/index.html (the bundled UI) exists, as main.ts sees it */
    uiBuilt: true,
    dispatch: null as unknown as (name: string, input: unknown) => Promise<CallResult<unknown>>,
    backendOptions: null as null | { onEvent(event: ApiEvent): void; databasePath: string; cacheDir: string },
  };
  interface FakeWindowLike {
    options: Record<string, unknown>;
    loaded: string[];
    focused: number;
    restored: number;
    minimized: boolean;
    emitter: import('node:events').EventEmitter;
    webContents: { send: (...args: unknown[]) => void; sent: unknown[][]; isDestroyed: () => boolean };
  }
  return state;
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const paths = new Map<string, string>();
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    setName: vi.fn(),
    setPath: (name: string, path: string) => paths.set(name, path),
    getPath: (name: string) => paths.get(name) ?? (name === 'appData' ? fake.appData : name === 'home' ? fake.home : `/unused/${name}`),
    getVersion: () => '0.1.0',
    requestSingleInstanceLock: () => fake.lock,
    whenReady: () => Promise.resolve().then(() => void (fake.ready = true)),
    quit: vi.fn(),
    exit: vi.fn(),
  });
  fake.app = app as never;

  class BrowserWindow {
    static getAllWindows = () => fake.windows.map((w) => w as unknown as BrowserWindow);
    options: Record<string, unknown>;
    loaded: string[] = [];
    focused = 0;
    restored = 0;
    minimized = false;
    maximized = false;
    emitter = new Emitter();
    webContents = { sent: [] as unknown[][], send: (...args: unknown[]) => this.webContents.sent.push(args), isDestroyed: () => false };
    constructor(options: Record<string, unknown>) {
      this.options = options;
      fake.windows.push(this as never);
    }
    on(name: string, listener: (...args: unknown[]) => void) {
      this.emitter.on(name, listener);
      return this;
    }
    once(name: string, listener: (...args: unknown[]) => void) {
      this.emitter.once(name, listener);
      return this;
    }
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
    isDestroyed = () => false;
    isMinimized = () => this.minimized;
    restore = () => void this.restored++;
    show = () => undefined;
    focus = () => void this.focused++;
    maximize = () => void (this.maximized = true);
    isMaximized = () => this.maximized;
    getNormalBounds = () => ({ x: 120, y: 80, width: 1111, height: 777 });
  }

  return {
    app,
    BrowserWindow,
    Menu: { buildFromTemplate: (template: unknown) => template, setApplicationMenu: (menu: unknown) => (fake.menuTemplate = menu) },
    dialog: { showErrorBox: vi.fn(), showMessageBox: vi.fn(async () => ({ response: 0 })), showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] })) },
    ipcMain: {
      handle: (channel: string, handler: Handler) => fake.ipcHandlers.set(channel, handler),
      removeHandler: (channel: string) => fake.ipcHandlers.delete(channel),
    },
    nativeTheme: { themeSource: 'system', shouldUseDarkColors: false },
    protocol: {
      registerSchemesAsPrivileged: (schemes: { scheme: string }[]) => {
        for (const { scheme } of schemes) fake.protocolCalls.push({ call: 'registerSchemesAsPrivileged', scheme, ready: fake.ready });
      },
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
        fake.protocolCalls.push({ call: 'handle', scheme, ready: fake.ready });
        fake.protocolHandlers.set(scheme, handler);
      },
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (listener: typeof fake.headersListener) => (fake.headersListener = listener) },
        setPermissionRequestHandler: vi.fn(),
        setPermissionCheckHandler: vi.fn(),
      },
    },
    shell: { openExternal: vi.fn(async () => undefined), openPath: vi.fn(async () => '') },
    utilityProcess: { fork: vi.fn() },
  };
});

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const existsSync = (path: string) => (/renderer[\\/]dist[\\/]index\.html$/.test(path) ? fake.uiBuilt : fs.existsSync(path));
  return { ...fs, default: { ...fs, existsSync }, existsSync };
});

vi.mock('./desktop-backend', () => {
  return {
    createDesktopBackend: (options: NonNullable<typeof fake.backendOptions>) => {
      fake.backendOptions = options;
      return { dispatch: (name: string, input: unknown) => fake.dispatch(name, input), allowImportsFrom: vi.fn(), dispose: vi.fn(async () => undefined) };
    },
  };
});

const DEV_SERVER = 'http://localhost:5173/';

async function startMain(): Promise<void> {
  vi.resetModules();
  await import('./main');
  if (fake.lock) await vi.waitFor(() => expect(fake.windows.length).toBe(1));
}

function appFrame(url = `${DEV_SERVER}#/runs`) {
  return { senderFrame: { url, parent: null } };
}

beforeEach(() => {
  fake.appData = mkdtempSync(join(tmpdir(), 'alignahead-main-'));
  fake.home = fake.appData;
  fake.lock = true;
  fake.windows.length = 0;
  fake.ipcHandlers.clear();
  fake.headersListener = null;
  fake.menuTemplate = null;
  fake.backendOptions = null;
  fake.protocolCalls.length = 0;
  fake.protocolHandlers.clear();
  fake.ready = false;
  fake.uiBuilt = true;
  fake.dispatch = vi.fn(async (name: string, input: unknown) => ({ ok: true as const, value: { name, input } }));
  vi.stubEnv('ALIGNAHEAD_DEV_SERVER_URL', DEV_SERVER);
});

afterEach(() => {
  fake.app?.removeAllListeners();
  vi.unstubAllEnvs();
  rmSync(fake.appData, { recursive: true, force: true });
});

describe('desktop main process', () => {
  it('keeps its data in one user-data folder and puts the database there', async () => {
    await startMain();
    const userData = join(fake.appData, 'Alignahead Workbench');
    expect(fake.backendOptions?.databasePath).toBe(join(userData, 'workbench.sqlite'));
    expect(fake.backendOptions?.cacheDir).toBe(join(userData, 'datasets'));
  });

  it('opens one secure window with the preload bridge and the CSP on every response', async () => {
    await startMain();
    const prefs = fake.windows[0].options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/);
    let headers: Record<string, string[]> = {};
    fake.headersListener!({ responseHeaders: {} }, (response) => (headers = response.responseHeaders));
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });

  it('shows the dataset catalog (with the demo dataset) on the first start only', async () => {
    await startMain();
    expect(fake.windows[0].loaded).toEqual([`${DEV_SERVER}#/datasets`]);
    fake.app.removeAllListeners();
    fake.windows.length = 0;
    await startMain();
    expect(fake.windows[0].loaded).toEqual([DEV_SERVER]);
  });

  it('routes every contract call from the app page to the backend', async () => {
    await startMain();
    const handler = fake.ipcHandlers.get(IPC_CALL_CHANNEL)!;
    for (const name of CALL_NAMES) {
      expect(await handler(appFrame(), name, { n: 1 })).toEqual({ ok: true, value: { name, input: { n: 1 } } });
    }
    expect(vi.mocked(fake.dispatch).mock.calls.map(([name]) => name)).toEqual(CALL_NAMES);
  });

  it('refuses calls from another page and malformed calls', async () => {
    await startMain();
    const handler = fake.ipcHandlers.get(IPC_CALL_CHANNEL)!;
    expect((await handler(appFrame('https://evil.example/'), 'runs.list', {})).ok).toBe(false);
    expect((await handler(appFrame('http://localhost:5174/'), 'runs.list', {})).ok).toBe(false);
    expect((await handler(appFrame(), 7, {})).ok).toBe(false);
    expect((await handler(appFrame(), 'runs.explode', {})).ok).toBe(false);
    expect(fake.dispatch).not.toHaveBeenCalled();
  });

  it('forwards every backend event to every window', async () => {
    await startMain();
    const event: ApiEvent = { type: 'run.status', runId: 4, status: 'completed', error: null };
    fake.backendOptions!.onEvent(event);
    expect(fake.windows[0].webContents.sent).toEqual([[IPC_EVENT_CHANNEL, event]]);
  });

  it('cancels navigation away from the app in every web contents', async () => {
    await startMain();
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    fake.app.emit('web-contents-created', {}, contents);
    const away = { preventDefault: vi.fn() };
    contents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.preventDefault).toHaveBeenCalled();
    const inside = { preventDefault: vi.fn() };
    contents.emit('will-navigate', inside, `${DEV_SERVER}#/new`);
    expect(inside.preventDefault).not.toHaveBeenCalled();
    const openHandler = contents.setWindowOpenHandler.mock.calls[0][0] as (details: { url: string }) => { action: string };
    expect(openHandler({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('builds the application menu with File, View and Help', async () => {
    await startMain();
    const labels = (fake.menuTemplate as { label?: string; role?: string }[]).map((item) => item.label ?? item.role);
    expect(labels).toEqual(expect.arrayContaining(['File', 'View', 'help']));
  });

  it('remembers the window geometry, and starts from the defaults when the file is corrupt', async () => {
    await startMain();
    fake.windows[0].emitter.emit('close');
    const statePath = join(fake.appData, 'Alignahead Workbench', 'window-state.json');
    expect(JSON.parse(readFileSync(statePath, 'utf8'))).toEqual({ width: 1111, height: 777, x: 120, y: 80, maximized: false });

    fake.app.removeAllListeners();
    fake.windows.length = 0;
    await startMain();
    expect(fake.windows[0].options).toMatchObject({ width: 1111, height: 777, x: 120, y: 80 });

    writeFileSync(statePath, '{"width": 1111, "hei');
    fake.app.removeAllListeners();
    fake.windows.length = 0;
    await startMain();
    expect(fake.windows[0].options).toMatchObject({ width: DEFAULT_WINDOW_STATE.width, height: DEFAULT_WINDOW_STATE.height });
    expect(fake.windows[0].options.x).toBeUndefined();
  });

  it('a second instance focuses the first window', async () => {
    await startMain();
    const window = fake.windows[0];
    window.minimized = true;
    fake.app.emit('second-instance');
    expect(window.restored).toBe(1);
    expect(window.focused).toBe(1);
  });

  it('quits at once, opening nothing, when another instance holds the lock', async () => {
    fake.lock = false;
    await startMain();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.app.quit).toHaveBeenCalled();
    expect(fake.windows).toHaveLength(0);
    expect(fake.ipcHandlers.size).toBe(0);
  });

  it('loads the bundled UI through app://, whose handler puts the CSP header on every response', async () => {
    vi.stubEnv('ALIGNAHEAD_DEV_SERVER_URL', '');
    await startMain();
    // the scheme is privileged before the app is ready (Electron requires it), served after
    expect(fake.protocolCalls).toEqual([
      { call: 'registerSchemesAsPrivileged', scheme: 'app', ready: false },
      { call: 'handle', scheme: 'app', ready: true },
    ]);
    expect(fake.windows[0].loaded).toEqual(['app://workbench/index.html#/datasets']);
    expect(fake.windows[0].loaded.some((url) => url.startsWith('file:'))).toBe(false);

    const handler = fake.protocolHandlers.get('app')!;
    for (const url of ['app://workbench/index.html', 'app://workbench/assets/none.js', 'app://workbench/../../package.json']) {
      const response = await handler(new Request(url));
      expect(response.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
    }
    expect((await handler(new Request('app://workbench/../../package.json'))).status).toBe(404);

    // IPC and navigation trust the app:// page only
    const ipc = fake.ipcHandlers.get(IPC_CALL_CHANNEL)!;
    expect((await ipc(appFrame('app://workbench/index.html#/runs'), 'runs.list', {})).ok).toBe(true);
    expect((await ipc(appFrame('file:///tmp/index.html'), 'runs.list', {})).ok).toBe(false);
    expect((await ipc(appFrame('app://other/index.html'), 'runs.list', {})).ok).toBe(false);
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    fake.app.emit('web-contents-created', {}, contents);
    const away = { preventDefault: vi.fn() };
    contents.emit('will-navigate', away, 'file:///etc/passwd');
    expect(away.preventDefault).toHaveBeenCalled();
    const inside = { preventDefault: vi.fn() };
    contents.emit('will-navigate', inside, 'app://workbench/index.html#/new');
    expect(inside.preventDefault).not.toHaveBeenCalled();
  });

  it('refuses to start without a built UI, saying how to build it', async () => {
    vi.stubEnv('ALIGNAHEAD_DEV_SERVER_URL', '');
    fake.uiBuilt = false;
    vi.resetModules();
    const { dialog } = await import('electron');
    vi.mocked(dialog.showErrorBox).mockClear();
    await import('./main');
    await vi.waitFor(() => expect(dialog.showErrorBox).toHaveBeenCalled());
    expect(vi.mocked(dialog.showErrorBox).mock.calls[0][1]).toMatch(/npm run build:renderer/);
    expect(fake.windows).toHaveLength(0);
  });
});
