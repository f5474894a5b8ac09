// The desktop app's main process: one instance, the Integration Server in a utilityProcess under
// supervision, a locked-down window on the console, a graceful quit. Each concern lives in its own
// module; this file only wires them to Electron. Built to out/main.js (see build/desktop-bundle.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session, shell } from 'electron';
import { DESKTOP_CHANNELS, type ServerStatus } from '../main/contract/desktop.ts';
import { registerAppScheme, serveAppPages } from './app-protocol.ts';
import { desktopHandlers } from './desktop-api.ts';
import { openExternalSafely } from './external-links.ts';
import { registerHandlers } from './ipc.ts';
import { keychainDataKeyProvider } from './keychain.ts';
import { createMainWindow } from './main-window.ts';
import { aboutDetail, menuTemplate } from './menu.ts';
import { createPassphraseBroker } from './passphrase-broker.ts';
import { createServerSupervisor } from './server-supervisor.ts';
import { hardenSession } from './session-policy.ts';
import { claimSingleInstance, focusWindow } from './single-instance.ts';
import { APP_ORIGIN, createTrust } from './trust.ts';
import { utilityHostLauncher } from './utility-host.ts';
import { guardWebContents } from './web-guards.ts';

const here = dirname(fileURLToPath(import.meta.url));
const STATUS_PAGE = `${APP_ORIGIN}/status.html`;

// Before anything asks for userData: run as `electron out/main.js` the name would be "Electron".
app.setName('Lightkeeper');
registerAppScheme(protocol);
// Every renderer sandboxed, whatever a future window forgets to set (checklist #4).
app.enableSandbox();

let window: BrowserWindow | undefined;
if (claimSingleInstance(app, () => focusWindow(window && !window.isDestroyed() ? window : undefined))) void app.whenReady().then(startApp);

function startApp(): void {
  const dataFolder = process.env.LIGHTKEEPER_DATA ?? app.getPath('userData');
  const devTools = !app.isPackaged;
  const trust = createTrust();
  let status: ServerStatus = { state: 'stopped' };

  hardenSession(session.defaultSession, trust);
  serveAppPages(protocol, join(here, 'pages'));

  const publish = (next: ServerStatus) => {
    status = next;
    if (next.state === 'running') trust.setServer(next.server.url, next.server.fingerprint256);
    const own = current();
    if (!own) return;
    own.webContents.send(DESKTOP_CHANNELS.serverStatus, next);
    const shown = own.webContents.getURL();
    if (next.state === 'running') {
      if (!trust.isServerUrl(shown)) void own.loadURL(`${next.server.url}/`);
    } else if (!trust.isAppPage(shown)) {
      // Without its server the console cannot work; the status page says why and what happens next.
      void own.loadURL(STATUS_PAGE);
    }
  };

  const broker = createPassphraseBroker(publish);
  const keys = keychainDataKeyProvider({ dataDir: dataFolder, safeStorage, platform: process.platform, askPassphrase: broker.ask });
  const supervisor = createServerSupervisor({
    launch: utilityHostLauncher(join(here, 'server-host.js'), keys),
    config: {
      dataDir: dataFolder,
      host: process.env.LIGHTKEEPER_HOST ?? '127.0.0.1',
      // Unset: the server's own default port, the one its agents are configured with.
      ...(process.env.LIGHTKEEPER_PORT ? { port: Number(process.env.LIGHTKEEPER_PORT) } : {}),
      consoleDir: join(here, '..', 'renderer', 'dist'),
      logLevel: 'info',
    },
    onStatus: publish,
  });

  const versions = () => ({ app: app.getVersion(), electron: process.versions.electron, chrome: process.versions.chrome, node: process.versions.node });
  const current = () => (window && !window.isDestroyed() ? window : undefined);

  // Registered once for the app; each call is checked against the window that exists at that moment.
  registerHandlers(
    ipcMain,
    desktopHandlers({
      status: () => status,
      versions,
      dataFolder,
      shell,
      showOpenDialog: (options) => {
        const owner = current();
        return owner ? dialog.showOpenDialog(owner, options) : dialog.showOpenDialog(options);
      },
      retry: () => supervisor.retry(),
      broker,
    }),
    { windowContentsId: () => current()?.webContents.id, trust },
  );

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        {
          openDataFolder: () => void shell.openPath(dataFolder),
          restartServer: () => void supervisor.restart(),
          showAbout: () => {
            const options = { type: 'info' as const, title: 'About Lightkeeper', message: 'Lightkeeper', detail: aboutDetail(versions(), dataFolder, status), buttons: ['OK'] };
            const owner = current();
            void (owner ? dialog.showMessageBox(owner, options) : dialog.showMessageBox(options));
          },
        },
        { platform: process.platform, devTools },
      ),
    ),
  );

  const openWindow = () => {
    const own = createMainWindow(BrowserWindow, join(here, 'preload.cjs'), devTools);
    window = own;
    guardWebContents(own.webContents, trust, (url) => void openExternalSafely(shell, url));
    // A page that loads later (or reloads) still learns the current state.
    own.webContents.on('did-finish-load', () => own.webContents.send(DESKTOP_CHANNELS.serverStatus, status));
    void own.loadURL(status.state === 'running' ? `${status.server.url}/` : STATUS_PAGE);
  };
  openWindow();
  supervisor.start();

  // Quit waits for the server: requests finish and running tasks stop at a step boundary, so they
  // resume on the next start instead of being rolled back as crashed.
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void supervisor.stop().finally(() => app.quit());
  });
  // On macOS the app (and so the server its agents depend on) stays up without a window.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => (current() ? focusWindow(current()) : openWindow()));
}
