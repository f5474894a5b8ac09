// The application menu: File, Edit, View, Window, Help with the usual roles and shortcuts. Help →
// About shows what support asks for first: versions, the data folder and the certificate fingerprint.
import type { MenuItemConstructorOptions } from 'electron';
import type { AppVersions, ServerStatus } from '../main/contract/desktop.ts';

export type MenuActions = {
  openDataFolder(): void;
  restartServer(): void;
  showAbout(): void;
};

export function menuTemplate(actions: MenuActions, options: { platform: NodeJS.Platform; devTools: boolean }): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Open Data Folder', accelerator: 'CmdOrCtrl+Shift+D', click: () => actions.openDataFolder() },
        { label: 'Restart Integration Server', accelerator: 'CmdOrCtrl+Shift+R', click: () => actions.restartServer() },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit', accelerator: 'Ctrl+Q' },
      ],
    },
    {
      label: '&Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        ...(options.devTools ? [{ role: 'toggleDevTools' as const }] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: '&Window', role: 'windowMenu' },
    {
      label: '&Help',
      role: 'help',
      submenu: [{ label: 'About Lightkeeper', accelerator: 'F1', click: () => actions.showAbout() }],
    },
  ];
}

export function aboutDetail(versions: AppVersions, dataFolder: string, status: ServerStatus): string {
  const server =
    status.state === 'running'
      ? [`Integration Server: ${status.server.url}`, `Certificate SHA-256: ${status.server.fingerprint256}`]
      : [`Integration Server: ${status.state}`, 'Certificate SHA-256: shown once the server is running'];
  return [
    `Lightkeeper ${versions.app}`,
    `Electron ${versions.electron} · Chromium ${versions.chrome} · Node ${versions.node}`,
    '',
    `Data folder: ${dataFolder}`,
    ...server,
  ].join('\n');
}
