// The only bridge between the window and the main process (Electron checklist #20): a few named,
// typed functions typed from main/contract/desktop.ts. The page never sees ipcRenderer or an event
// object. Built to CommonJS (out/preload.cjs) because sandboxed preloads cannot load ES modules.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { DESKTOP_CHANNELS as C, type DesktopApi, type ServerStatus } from '../main/contract/desktop.ts';

const api: DesktopApi = {
  serverInfo: () => ipcRenderer.invoke(C.serverInfo),
  appVersions: () => ipcRenderer.invoke(C.appVersions),
  openExternal: (url) => ipcRenderer.invoke(C.openExternal, String(url)),
  showInFolder: (path) => ipcRenderer.invoke(C.showInFolder, String(path)),
  chooseSvmImage: () => ipcRenderer.invoke(C.chooseSvmImage),
  retryServer: () => ipcRenderer.invoke(C.retryServer),
  submitPassphrase: (passphrase) => ipcRenderer.invoke(C.submitPassphrase, String(passphrase)),
  onServerStatus(listener) {
    const forward = (_event: IpcRendererEvent, status: ServerStatus) => listener(status);
    ipcRenderer.on(C.serverStatus, forward);
    return () => void ipcRenderer.removeListener(C.serverStatus, forward);
  },
};

contextBridge.exposeInMainWorld('lightkeeper', api);
