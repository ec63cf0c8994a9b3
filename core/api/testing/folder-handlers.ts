import { join } from 'node:path';
import { createApiHandlers, type ApiHandlerDeps, type ApiHandlers } from '../handlers';

/**
 * Test helper: serve-mode API handlers over a scratch folder, laid out as the app lays out its own
 * (settings in dir/data, the download cache in dir/cache, the database where the store has it).
 * `deps` names the store, the host and the import roots, and overrides anything else.
 */
export function folderHandlers(
  dir: string,
  deps: Pick<ApiHandlerDeps, 'store' | 'host' | 'importRoots'> & Partial<ApiHandlerDeps>,
): ApiHandlers {
  return createApiHandlers({
    dataDir: join(dir, 'data'),
    cacheDir: join(dir, 'cache'),
    databasePath: deps.store.path,
    mode: 'serve',
    ...deps,
  });
}
