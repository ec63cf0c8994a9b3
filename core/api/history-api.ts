import type { ApiEvent } from '../../contract/api';
import type { HistoryBackup, HistoryImport } from '../../contract/history';
import type { ExperimentStore } from '../store';
import { ApiStatusError } from './errors';
import { resolveInsideRoots, resolveNewFileInsideRoots } from './import-roots';

/**
 * The history.* calls: a backup of the whole database to a new file, and the import of another
 * history file. Both only touch files inside the allowed folders (the import folders: in the desktop
 * app the home folder and the folders picked in its dialogs), judged on real paths like
 * datasets.import. One import runs at a time.
 */
export function createHistoryApi(options: { store: ExperimentStore; roots: readonly string[]; publish: (event: ApiEvent) => void }) {
  const { store, roots, publish } = options;
  let importing: string | null = null;
  return {
    async backup(path: string): Promise<HistoryBackup> {
      return store.backup(resolveNewFileInsideRoots(path, roots, 'history backups may be written to'));
    },
    async import(path: string): Promise<HistoryImport> {
      const file = resolveInsideRoots(path, roots, 'history files may be imported from');
      if (importing !== null) throw new ApiStatusError(409, `an import is already running (${importing}); wait for it to end`);
      importing = file;
      try {
        const result = await store.importHistory(file);
        if (result.imported.length > 0) publish({ type: 'history.imported', runs: result.imported.length });
        return { file, imported: result.imported.length, skipped: result.skipped, datasets: result.datasets, runIds: result.imported.map((r) => r.to) };
      } finally {
        importing = null;
      }
    },
  };
}
