import { dirname, join } from 'node:path';
import type { BrowserWindow, MessageBoxOptions, OpenDialogOptions, OpenDialogReturnValue, SaveDialogOptions, SaveDialogReturnValue } from 'electron';
import type { CallName, CallResult } from '../../contract/api';
import type { HistoryBackup, HistoryImport } from '../../contract/history';

/**
 * The File menu's "Back Up History…" and "Import History…": a native dialog picks the file, then
 * the backend does the work through the same API calls serve mode offers (history.backup,
 * history.import), so the path checks and messages are the API's. Picking a file in a dialog allows
 * its folder, as the dataset import does. Electron is passed in, so tests run without it.
 */

export interface HistoryDialogDeps {
  dialog: {
    showSaveDialog(window: BrowserWindow, options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
    showOpenDialog(window: BrowserWindow, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
    showMessageBox(window: BrowserWindow, options: MessageBoxOptions): Promise<unknown>;
  };
  window: BrowserWindow;
  backend: { dispatch(name: CallName, input: unknown): Promise<CallResult<unknown>>; allowImportsFrom(folder: string): void };
  /** where the save dialog starts */
  defaultFolder: string;
  now?: () => Date;
}

const HISTORY_FILTERS = [
  { name: 'Alignahead history', extensions: ['sqlite', 'db'] },
  { name: 'All files', extensions: ['*'] },
];

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** Asks where to write a backup and writes it; says how it went. Returns the backup, or null (cancelled or failed). */
export async function backupHistoryFromMenu(deps: HistoryDialogDeps): Promise<HistoryBackup | null> {
  const stamp = (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
  const picked = await deps.dialog.showSaveDialog(deps.window, {
    title: 'Back up history',
    buttonLabel: 'Back Up',
    defaultPath: join(deps.defaultFolder, `alignahead-history-${stamp}.sqlite`),
    filters: HISTORY_FILTERS,
  });
  if (picked.canceled || !picked.filePath) return null;
  deps.backend.allowImportsFrom(dirname(picked.filePath));
  const result = await deps.backend.dispatch('history.backup', { path: picked.filePath });
  if (!result.ok) {
    await deps.dialog.showMessageBox(deps.window, { type: 'error', message: 'Backup failed', detail: result.error.error });
    return null;
  }
  const backup = result.value as HistoryBackup;
  await deps.dialog.showMessageBox(deps.window, {
    type: 'info',
    message: 'History backed up',
    detail: `${backup.runs} runs (${backup.epochRows} epoch rows, ${megabytes(backup.bytes)}) were copied to ${backup.path}. The copy passed SQLite's integrity check.`,
  });
  return backup;
}

/** Asks for a history file and merges it; says how it went. Returns what the import did, or null. */
export async function importHistoryFromMenu(deps: HistoryDialogDeps): Promise<HistoryImport | null> {
  const picked = await deps.dialog.showOpenDialog(deps.window, { title: 'Import history', buttonLabel: 'Import', properties: ['openFile'], filters: HISTORY_FILTERS });
  const path = picked.filePaths[0];
  if (picked.canceled || !path) return null;
  deps.backend.allowImportsFrom(dirname(path));
  const result = await deps.backend.dispatch('history.import', { path });
  if (!result.ok) {
    await deps.dialog.showMessageBox(deps.window, { type: 'error', message: 'Import failed', detail: result.error.error });
    return null;
  }
  const imported = result.value as HistoryImport;
  const added = imported.imported === 1 ? '1 run was added' : `${imported.imported} runs were added`;
  await deps.dialog.showMessageBox(deps.window, {
    type: 'info',
    message: 'History imported',
    detail: `${added} from ${imported.file}; ${imported.skipped} already here were skipped.`,
  });
  return imported;
}
