// The console window. Every security-relevant web preference is set explicitly (Electron checklist
// #2–#4, #6, #8–#10), even where it is the default: a default can change, an explicit value cannot,
// and electronegativity reads the code, not Electron's defaults.
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';

export function mainWindowOptions(preload: string, devTools: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Lightkeeper',
    show: false,
    backgroundColor: '#101418',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools,
    },
  };
}

type WindowClass = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

export function createMainWindow(Window: WindowClass, preload: string, devTools: boolean): BrowserWindow {
  const window = new Window(mainWindowOptions(preload, devTools));
  window.once('ready-to-show', () => window.show());
  return window;
}
