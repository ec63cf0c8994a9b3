import { join } from 'node:path';

/** Where the desktop app keeps its data: everything under Electron's user-data folder. */
export interface DesktopDataPaths {
  dataDir: string;
  databasePath: string;
  /** downloaded and imported datasets */
  cacheDir: string;
}

export function desktopDataPaths(userDataDir: string): DesktopDataPaths {
  return { dataDir: userDataDir, databasePath: join(userDataDir, 'workbench.sqlite'), cacheDir: join(userDataDir, 'datasets') };
}
