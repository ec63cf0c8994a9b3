import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../core/store';
import { desktopDataPaths } from './data-paths';
import { createDesktopBackend, type DesktopBackend } from './desktop-backend';
import { backupHistoryFromMenu, importHistoryFromMenu, type HistoryDialogDeps } from './history-dialogs';
import { menuTemplate, type MenuActions } from './menu';

vi.mock('electron', () => ({}));

/**
 * The File menu's history items with Electron replaced: the items call their actions, and the
 * actions go from a (scripted) native dialog through the real desktop backend's API calls to the
 * files: a backup outside the home folder once its folder is picked, an import that adds a run once.
 */

let dir: string;
const backends: DesktopBackend[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-history-menu-'));
});
afterEach(async () => {
  for (const backend of backends.splice(0)) await backend.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function desktop(name: string): DesktopBackend {
  const userData = join(dir, name);
  mkdirSync(userData);
  const home = join(dir, `${name}-home`);
  mkdirSync(home);
  const backend = createDesktopBackend({ ...desktopDataPaths(userData), homeDir: home, spawnWorker: () => { throw new Error('no training here'); }, onEvent: () => {}, log: () => {} });
  backends.push(backend);
  return backend;
}

/** A dialog that answers each question with the next scripted path (null: the user cancels) and records the message boxes. */
function scriptedDialog(answers: (string | null)[]) {
  const boxes: { type?: string; message: string; detail?: string }[] = [];
  const next = () => answers.shift() ?? null;
  const dialog: HistoryDialogDeps['dialog'] = {
    showSaveDialog: async () => {
      const path = next();
      return { canceled: path === null, filePath: path ?? '' };
    },
    showOpenDialog: async () => {
      const path = next();
      return { canceled: path === null, filePaths: path === null ? [] : [path] };
    },
    showMessageBox: async (_window, box) => void boxes.push(box),
  };
  return { dialog, boxes };
}

const window = {} as HistoryDialogDeps['window'];

it('puts Back Up History… and Import History… in the File menu, calling their actions', () => {
  const actions: MenuActions = { newExperiment: vi.fn(), importDataset: vi.fn(), backupHistory: vi.fn(), importHistory: vi.fn(), toggleDarkTheme: vi.fn(), showAbout: vi.fn(), openDataFolder: vi.fn() };
  const file = menuTemplate(actions, { appName: 'A', isDevelopment: false, platform: 'linux' }).find((item) => item.label === 'File')!;
  const items = file.submenu as { label?: string; click?: () => void }[];
  items.find((item) => item.label === 'Back Up History…')!.click!();
  items.find((item) => item.label === 'Import History…')!.click!();
  expect(actions.backupHistory).toHaveBeenCalledTimes(1);
  expect(actions.importHistory).toHaveBeenCalledTimes(1);
});

describe('the history dialogs over the desktop backend', () => {
  it('backs up to the picked file and imports it into another app once', async () => {
    const first = desktop('first');
    const store = openStore(join(dir, 'first', 'workbench.sqlite'));
    const run = store.createRun({ config: {}, dataset: 'demo', model: 'gcn', strategy: 'oc', numStudents: 2, numLayers: 2, seed: 3 });
    store.close();
    const folder = join(dir, 'usb-stick');
    mkdirSync(folder);
    const target = join(folder, 'history.sqlite');

    const save = scriptedDialog([null, target, target]);
    const deps = { dialog: save.dialog, window, backend: first, defaultFolder: folder };
    expect(await backupHistoryFromMenu(deps)).toBeNull(); // cancelled: nothing asked of the backend
    expect(existsSync(target)).toBe(false);
    expect(await backupHistoryFromMenu(deps)).toMatchObject({ path: target, runs: 1 });
    expect(save.boxes.at(-1)).toMatchObject({ type: 'info', message: 'History backed up' });
    expect(save.boxes.at(-1)!.detail).toMatch(/^1 runs \(0 epoch rows, [\d.]+ MB\) were copied to .*history\.sqlite\. The copy passed SQLite's integrity check\.$/);
    // a second backup to the same file is refused by the API, and the user is told why
    expect(await backupHistoryFromMenu(deps)).toBeNull();
    expect(save.boxes.at(-1)).toMatchObject({ type: 'error', message: 'Backup failed' });
    expect(save.boxes.at(-1)!.detail).toMatch(/already exists; a backup never overwrites a file/);

    const second = desktop('second');
    const open = scriptedDialog([target, target]);
    const importDeps = { dialog: open.dialog, window, backend: second, defaultFolder: folder };
    expect(await importHistoryFromMenu(importDeps)).toMatchObject({ imported: 1, skipped: 0, runIds: [1] });
    expect(open.boxes.at(-1)).toEqual({ type: 'info', message: 'History imported', detail: `1 run was added from ${target}; 0 already here were skipped.` });
    expect(await importHistoryFromMenu(importDeps)).toMatchObject({ imported: 0, skipped: 1 });
    const imported = await second.dispatch('runs.get', { id: 1 });
    expect(imported.ok && (imported.value as { seed: number }).seed).toBe(run.seed);
  });
});
