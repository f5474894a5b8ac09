// A test double of the parts of 'electron' that electron/ uses, for `vi.mock('electron', …)`: no
// Electron binary can run on our build machines, so the main process runs under plain Node against
// this. It records what the code asked of Electron and lets a test play Electron's side (emit
// events, answer as the utilityProcess would). `resetElectron()` gives every test a fresh one.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type Listener = (...args: unknown[]) => void;

export class FakePort extends EventEmitter {
  other: FakePort | undefined;
  closed = false;
  posted: unknown[] = [];
  start = vi.fn();
  close = vi.fn(() => void (this.closed = true));
  postMessage(message: unknown, ports: FakePort[] = []) {
    this.posted.push(message);
    this.other?.emit('message', { data: message, ports });
  }
}

export class FakeMessageChannelMain {
  port1 = new FakePort();
  port2 = new FakePort();
  constructor() {
    this.port1.other = this.port2;
    this.port2.other = this.port1;
  }
}

export class FakeUtilityProcess extends EventEmitter {
  modulePath = '';
  options: unknown;
  /** What main posted, with the ports it transferred. */
  received: Array<{ message: unknown; ports: FakePort[] }> = [];
  kill = vi.fn(() => true);
  postMessage(message: unknown, ports: FakePort[] = []) {
    this.received.push({ message, ports });
  }
  /** Plays the host: a message to main. */
  reply(message: unknown) {
    this.emit('message', message);
  }
}

let nextContentsId = 1;
export class FakeWebContents extends EventEmitter {
  id = nextContentsId++;
  url = '';
  sent: Array<{ channel: string; payload: unknown }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  send = vi.fn((channel: string, payload: unknown) => void this.sent.push({ channel, payload }));
  getURL = () => this.url;
  setWindowOpenHandler = vi.fn((handler: (details: { url: string }) => { action: string }) => void (this.windowOpenHandler = handler));
  /** Plays Chromium: a navigation the page started; returns whether it was prevented. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.emit(event, { url, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  options: Record<string, unknown>;
  webContents = new FakeWebContents();
  destroyed = false;
  minimized = false;
  loadURL = vi.fn(async (url: string) => void (this.webContents.url = url));
  isDestroyed = () => this.destroyed;
  isMinimized = () => this.minimized;
  restore = vi.fn(() => void (this.minimized = false));
  show = vi.fn();
  focus = vi.fn();
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
  }
}

function createElectron() {
  const windows: FakeBrowserWindow[] = [];
  class BrowserWindow extends FakeBrowserWindow {
    constructor(options: Record<string, unknown>) {
      super(options);
      windows.push(this);
    }
  }
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    setName: vi.fn(),
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => true),
    quit: vi.fn(),
    whenReady: vi.fn(() => Promise.resolve()),
    getPath: vi.fn(() => '/nonexistent/lightkeeper-user-data'),
    getVersion: vi.fn(() => '0.1.0'),
  });
  const handlers = new Map<string, Listener>();
  const utilityProcesses: FakeUtilityProcess[] = [];
  const sessionHandlers: Record<string, Listener> = {};
  const record = (name: string) => vi.fn((handler: Listener) => void (sessionHandlers[name] = handler));
  return {
    app,
    BrowserWindow,
    windows,
    MessageChannelMain: FakeMessageChannelMain,
    utilityProcesses,
    utilityProcess: {
      fork: vi.fn((modulePath: string, _args: string[], options: unknown) => {
        const child = new FakeUtilityProcess();
        child.modulePath = modulePath;
        child.options = options;
        utilityProcesses.push(child);
        return child;
      }),
    },
    ipcHandlers: handlers,
    ipcMain: { handle: vi.fn((channel: string, handler: Listener) => void handlers.set(channel, handler)) },
    Menu: { buildFromTemplate: vi.fn((template: unknown) => ({ template })), setApplicationMenu: vi.fn() },
    dialog: { showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] })), showMessageBox: vi.fn(async () => ({ response: 0 })) },
    shell: { openExternal: vi.fn(async () => undefined), showItemInFolder: vi.fn(), openPath: vi.fn(async () => '') },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    sessionHandlers,
    session: {
      defaultSession: {
        setPermissionRequestHandler: record('permissionRequest'),
        setPermissionCheckHandler: record('permissionCheck'),
        setDevicePermissionHandler: record('devicePermission'),
        setCertificateVerifyProc: record('certificateVerify'),
        webRequest: { onBeforeRequest: record('beforeRequest'), onHeadersReceived: record('headersReceived') },
      },
    },
    safeStorage: {
      isEncryptionAvailable: vi.fn(() => true),
      getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
      encryptString: vi.fn((text: string) => Buffer.from(`sealed:${Buffer.from(text).toString('hex')}`)),
      decryptString: vi.fn((sealed: Buffer) => Buffer.from(sealed.toString().replace(/^sealed:/, ''), 'hex').toString()),
    },
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: { invoke: vi.fn(async () => undefined), on: vi.fn(), removeListener: vi.fn() },
  };
}

export type ElectronDouble = ReturnType<typeof createElectron>;

// Kept on globalThis: vi.resetModules() gives later imports a fresh copy of this module, and the
// double must be the same one for the test and for the code under test.
const slot = globalThis as { electronDouble?: ElectronDouble };

/** The double that `import … from 'electron'` currently reaches. */
export function electron(): ElectronDouble {
  slot.electronDouble ??= createElectron();
  return slot.electronDouble;
}

export function resetElectron(): ElectronDouble {
  slot.electronDouble = createElectron();
  return slot.electronDouble;
}

/** For `vi.mock('electron', …)`: named exports that always forward to the current double. */
export function electronModule(): Record<string, unknown> {
  const names = Object.keys(electron());
  // A function target, so that the proxy can stand for classes (new BrowserWindow) and functions.
  return Object.fromEntries(names.map((name) => [name, new Proxy(function () {}, forward(() => (electron() as Record<string, unknown>)[name]))]));
}

function forward(target: () => unknown): ProxyHandler<() => void> {
  return {
    get: (_t, key) => Reflect.get(target() as object, key),
    apply: (_t, self, args) => Reflect.apply(target() as (...a: unknown[]) => unknown, self, args),
    construct: (_t, args) => Reflect.construct(target() as new (...a: unknown[]) => object, args),
  };
}
