/**
 * The desktop app's main process (bundled to dist/electron/main.cjs by electron/scripts/build.ts). It owns
 * the window, the menu and the backend: the experiment store in the user-data folder, a training
 * host whose workers are utility processes, and the IPC end of the API. The page itself is an
 * untrusted, sandboxed web page that only sees the preload bridge.
 */
import { BrowserWindow, Menu, app, dialog, ipcMain, nativeTheme, protocol, screen, session, shell, utilityProcess } from 'electron';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './app-protocol';
import { appStatePath, loadOrCreateAppState, saveAppState, type AppState } from './app-state';
import { appLocation, parseDevServerUrl, type AppLocation } from './app-url';
import type { HistoryBackup, HistoryImport } from '../../contract/history';
import { datasetNameFromPath } from './dataset-import';
import { backupHistoryFromMenu, importHistoryFromMenu, type HistoryDialogDeps } from './history-dialogs';
import { desktopDataPaths } from './data-paths';
import { createDesktopBackend, type DesktopBackend } from './desktop-backend';
import { broadcastEvent, registerApiIpc } from './ipc';
import { menuTemplate } from './menu';
import { utilityProcessSpawner } from './utility-spawner';
import { CONTENT_SECURITY_POLICY, guardNavigation, hardenSession, secureWindowOptions } from './window';
import { fitToDisplays, loadWindowState, saveWindowState, windowStatePath, type WindowState } from './window-state';

const APP_NAME = 'Alignahead Workbench';
// The bundle sits in <app>/dist/electron/, next to preload.cjs and worker.cjs.
const BUNDLE_DIR = __dirname;
const APP_ROOT = join(BUNDLE_DIR, '..', '..');
const isDevelopment = !app.isPackaged;

// One user-data folder whatever launched us (`electron .` in development names the app after package.json).
app.setName(APP_NAME);
app.setPath('userData', join(app.getPath('appData'), APP_NAME));
// Must happen before the app is ready: the UI is served from app://workbench/ (app-protocol.ts).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

let mainWindow: BrowserWindow | null = null;
let backend: DesktopBackend | null = null;
let location: AppLocation | null = null;
let appState: AppState | null = null;
let quitting = false;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function focusMainWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** Moves the UI to a route of its hash router (a same-document navigation, nothing reloads). */
function showRoute(hash: string): void {
  if (!mainWindow || !location) return;
  focusMainWindow();
  void mainWindow.loadURL(`${location.url.split('#')[0]}${hash}`);
}

function currentWindowState(window: BrowserWindow): WindowState {
  const bounds = window.getNormalBounds();
  return { width: bounds.width, height: bounds.height, x: bounds.x, y: bounds.y, maximized: window.isMaximized() };
}

function createMainWindow(userDataDir: string, initialHash: string): BrowserWindow {
  const statePath = windowStatePath(userDataDir);
  const saved = fitToDisplays(
    loadWindowState(statePath),
    screen.getAllDisplays().map((display) => display.workArea),
  );
  const window = new BrowserWindow({
    ...secureWindowOptions(join(BUNDLE_DIR, 'preload.cjs')),
    title: APP_NAME,
    width: saved.width,
    height: saved.height,
    ...(saved.x !== undefined && saved.y !== undefined ? { x: saved.x, y: saved.y } : {}),
    minWidth: 800,
    minHeight: 500,
  });
  if (saved.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => {
    try {
      saveWindowState(statePath, currentWindowState(window));
    } catch (error) {
      log(`alignahead: could not save the window state: ${(error as Error).message}`);
    }
  });
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadURL(`${location!.url.split('#')[0]}${initialHash}`);
  return window;
}

async function importDataset(): Promise<void> {
  if (!backend) return;
  const parent = mainWindow ?? undefined;
  const options: Electron.OpenDialogOptions = {
    title: 'Import dataset',
    buttonLabel: 'Import',
    // PPI-style datasets are folders; Windows and Linux dialogs pick either files or folders, so
    // there they pick the file (.npz, .csv, .zip) and macOS offers both.
    properties: process.platform === 'darwin' ? ['openFile', 'openDirectory'] : ['openFile'],
    filters: [
      { name: 'Graph datasets', extensions: ['npz', 'csv', 'zip', 'json'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const picked = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  const path = picked.filePaths[0];
  if (picked.canceled || !path) return;
  backend.allowImportsFrom(statSync(path).isDirectory() ? path : dirname(path));
  const result = await backend.dispatch('datasets.import', { path, name: datasetNameFromPath(path) });
  const box: Electron.MessageBoxOptions = result.ok
    ? { type: 'info', message: 'Dataset imported', detail: `${path} is now available as "${datasetNameFromPath(path)}".` }
    : { type: 'error', message: 'Import failed', detail: result.error.error };
  if (parent) await dialog.showMessageBox(parent, box);
  else await dialog.showMessageBox(box);
  if (result.ok) showRoute('#/datasets');
}

/** The history menu items' dialogs, over the open window and the backend (none before both exist). */
function historyMenu(action: (deps: HistoryDialogDeps) => Promise<HistoryImport | HistoryBackup | null>, failure: string): void {
  if (!backend || !mainWindow) return;
  const deps: HistoryDialogDeps = { dialog, window: mainWindow, backend, defaultFolder: app.getPath('documents') };
  void action(deps)
    .then((result) => {
      if (result && 'runIds' in result && result.imported > 0) showRoute('#/runs');
    })
    .catch((error: unknown) => dialog.showErrorBox(failure, (error as Error).message));
}

function applyTheme(state: AppState): void {
  nativeTheme.themeSource = state.theme;
}

function toggleDarkTheme(userDataDir: string): void {
  if (!appState) return;
  appState = { ...appState, theme: nativeTheme.shouldUseDarkColors ? 'light' : 'dark' };
  applyTheme(appState);
  try {
    saveAppState(appStatePath(userDataDir), appState);
  } catch (error) {
    log(`alignahead: could not save the theme: ${(error as Error).message}`);
  }
}

function showAbout(dataDir: string): void {
  const box: Electron.MessageBoxOptions = {
    type: 'info',
    title: `About ${APP_NAME}`,
    message: `${APP_NAME} ${app.getVersion()}`,
    detail: [
      'Online cross-layer knowledge distillation between graph neural networks.',
      '',
      `Electron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}`,
      `Data folder: ${dataDir}`,
    ].join('\n'),
  };
  if (mainWindow) void dialog.showMessageBox(mainWindow, box);
  else void dialog.showMessageBox(box);
}

async function start(): Promise<void> {
  const userDataDir = app.getPath('userData');
  const paths = desktopDataPaths(userDataDir);
  const remembered = loadOrCreateAppState(appStatePath(userDataDir));
  appState = remembered.state;
  applyTheme(appState);

  const devServerUrl = isDevelopment ? parseDevServerUrl(process.env.ALIGNAHEAD_DEV_SERVER_URL) : null;
  const rendererDist = join(APP_ROOT, 'renderer', 'dist');
  const indexHtmlPath = join(rendererDist, 'index.html');
  if (!devServerUrl && !existsSync(indexHtmlPath)) {
    dialog.showErrorBox(APP_NAME, `The user interface is not built: ${indexHtmlPath} is missing.\nRun \`npm run build:renderer\` (npm start does it for you).`);
    app.exit(1);
    return;
  }
  location = appLocation({ devServerUrl });
  const appUrl = location;

  hardenSession(session.defaultSession);
  // Every response of the bundled UI carries the CSP header from this handler itself.
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDist, CONTENT_SECURITY_POLICY));
  app.on('web-contents-created', (_event, contents) => {
    guardNavigation(contents, {
      isAppUrl: (url) => appUrl.isAppUrl(url),
      openExternal: (url) => void shell.openExternal(url),
    });
  });

  backend = createDesktopBackend({
    ...paths,
    homeDir: app.getPath('home'),
    spawnWorker: utilityProcessSpawner((modulePath, args, options) => utilityProcess.fork(modulePath, args, options), join(BUNDLE_DIR, 'worker.cjs')),
    onEvent: (event) => broadcastEvent(BrowserWindow.getAllWindows().map((window) => window.webContents), event),
    log,
  });
  registerApiIpc(ipcMain, { dispatch: backend.dispatch, isAppUrl: (url) => appUrl.isAppUrl(url) });

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        {
          newExperiment: () => showRoute('#/new'),
          importDataset: () => void importDataset().catch((error: unknown) => dialog.showErrorBox('Import failed', (error as Error).message)),
          backupHistory: () => historyMenu(backupHistoryFromMenu, 'Backup failed'),
          importHistory: () => historyMenu(importHistoryFromMenu, 'Import failed'),
          toggleDarkTheme: () => toggleDarkTheme(userDataDir),
          showAbout: () => showAbout(paths.dataDir),
          openDataFolder: () => void shell.openPath(paths.dataDir),
        },
        { appName: APP_NAME, isDevelopment, platform: process.platform },
      ),
    ),
  );

  // First start: the dataset catalog, where the built-in demo dataset is ready to train on.
  const initialHash = remembered.firstStart ? '#/datasets' : '';
  mainWindow = createMainWindow(userDataDir, initialHash);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(userDataDir, '');
  });
}

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the database and the window: it gets focused (second-instance) and we leave.
  app.quit();
} else {
  app.on('second-instance', focusMainWindow);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', (event) => {
    if (quitting || !backend) return;
    // Give running trainings a moment to stop cleanly (their runs become resumable), then quit.
    event.preventDefault();
    quitting = true;
    const closing = backend;
    void closing
      .dispose()
      .catch((error: unknown) => log(`alignahead: shutting down the backend failed: ${(error as Error)?.stack ?? String(error)}`))
      .finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log(`alignahead: could not start: ${(error as Error)?.stack ?? String(error)}`);
      dialog.showErrorBox(APP_NAME, `Could not start: ${(error as Error)?.message ?? String(error)}`);
      app.exit(1);
    });
}
