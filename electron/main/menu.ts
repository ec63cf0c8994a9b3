import type { MenuItemConstructorOptions } from 'electron';

/** What the menu can ask the app to do; main.ts supplies the implementations. */
export interface MenuActions {
  newExperiment(): void;
  importDataset(): void;
  backupHistory(): void;
  importHistory(): void;
  toggleDarkTheme(): void;
  showAbout(): void;
  openDataFolder(): void;
}

/** The application menu as a template (pure, so its shape can be tested without Electron). */
export function menuTemplate(actions: MenuActions, options: { appName: string; isDevelopment: boolean; platform: NodeJS.Platform }): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const view: MenuItemConstructorOptions[] = [
    ...(options.isDevelopment
      ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])
      : []),
    { label: 'Toggle Dark Theme', accelerator: 'CmdOrCtrl+Shift+D', click: () => actions.toggleDarkTheme() },
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  return [
    // macOS puts About and Quit under the application's own menu.
    ...(mac
      ? ([{ label: options.appName, submenu: [{ label: `About ${options.appName}`, click: () => actions.showAbout() }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }] }] as MenuItemConstructorOptions[])
      : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Experiment', accelerator: 'CmdOrCtrl+N', click: () => actions.newExperiment() },
        { label: 'Import Dataset…', accelerator: 'CmdOrCtrl+I', click: () => actions.importDataset() },
        { type: 'separator' },
        { label: 'Back Up History…', click: () => actions.backupHistory() },
        { label: 'Import History…', click: () => actions.importHistory() },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        ...(mac ? [] : ([{ label: `About ${options.appName}`, click: () => actions.showAbout() }] as MenuItemConstructorOptions[])),
        { label: 'Open Data Folder', click: () => actions.openDataFolder() },
      ],
    },
  ];
}
