// electron/main.ts as a whole, against the Electron test double: single instance, the server in a
// utilityProcess with its key over a MessagePort, the window's origin and navigation rules, IPC
// sender checks and the graceful quit. The window itself cannot run here (no Electron binary).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DESKTOP_CHANNELS } from '../../../main/contract/desktop.ts';
import { resetElectron, type ElectronDouble, type FakePort } from '../../support/electron-double.ts';
import { tempDir } from '../../support/lightkeeper-process.ts';

vi.mock('electron', async () => (await import('../../support/electron-double.ts')).electronModule());

const SERVER = 'https://127.0.0.1:7271';
const FINGERPRINT = 'AB:CD:EF';
const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

let e: ElectronDouble;
let dataDir: string;

async function launch(configure: (double: ElectronDouble) => void = () => {}) {
  e = resetElectron();
  dataDir = tempDir('lk-desktop-');
  e.app.getPath.mockReturnValue(dataDir);
  configure(e);
  vi.resetModules();
  await import('../../../electron/main.ts');
  await flush();
  return e;
}
const window = () => e.windows[0]!;
const host = (n = 0) => e.utilityProcesses[n]!;
const statuses = () => window().webContents.sent.filter((s) => s.channel === DESKTOP_CHANNELS.serverStatus).map((s) => s.payload as { state: string });
function ready() {
  host().reply({ type: 'ready', url: SERVER, fingerprint256: FINGERPRINT, dataFolder: dataDir });
}
function ipc(channel: string, frameUrl: string, options: { senderId?: number; parent?: unknown } = {}, ...args: unknown[]) {
  const handler = e.ipcHandlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  const event = { sender: { id: options.senderId ?? window().webContents.id }, senderFrame: { url: frameUrl, parent: options.parent ?? null } };
  return handler(event, ...args);
}

beforeEach(() => {
  delete process.env.LIGHTKEEPER_DATA;
  delete process.env.LIGHTKEEPER_PORT;
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('single instance', () => {
  it('a second launch quits at once: no window, no server', async () => {
    await launch((d) => d.app.requestSingleInstanceLock.mockReturnValue(false));
    expect(e.app.quit).toHaveBeenCalled();
    expect(e.app.whenReady).not.toHaveBeenCalled();
    expect(e.windows).toHaveLength(0);
    expect(e.utilityProcess.fork).not.toHaveBeenCalled();
  });

  it('the first instance brings its window forward when a second one starts', async () => {
    await launch();
    window().minimized = true;
    e.app.emit('second-instance');
    expect(window().restore).toHaveBeenCalled();
    expect(window().show).toHaveBeenCalled();
    expect(window().focus).toHaveBeenCalled();
  });
});

describe('start-up', () => {
  it('sandboxes every renderer and opens a locked-down window on the app status page', async () => {
    await launch();
    expect(e.app.enableSandbox).toHaveBeenCalled();
    expect(e.app.setName).toHaveBeenCalledWith('Lightkeeper');
    const prefs = window().options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false });
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/);
    expect(window().loadURL).toHaveBeenCalledWith('lightkeeper://app/status.html');
    expect(e.protocol.registerSchemesAsPrivileged).toHaveBeenCalled();
    expect(e.protocol.handle).toHaveBeenCalledWith('lightkeeper', expect.any(Function));
  });

  it('starts the server in a utilityProcess with the data folder and a key port, and says so', async () => {
    await launch();
    expect(e.utilityProcess.fork).toHaveBeenCalledTimes(1);
    expect(host().modulePath).toMatch(/server-host\.js$/);
    const start = host().received[0]!;
    expect(start.message).toMatchObject({ type: 'start', config: { dataDir: dataDir, host: '127.0.0.1' } });
    expect(start.ports).toHaveLength(1);
    expect(statuses()).toContainEqual({ state: 'starting', attempt: 1 });
  });

  it('hands the data key over the MessagePort only, moving a clear data.key into the keychain', async () => {
    await launch();
    const key = Buffer.alloc(32, 7);
    writeFileSync(join(dataDir, 'data.key'), key.toString('base64') + '\n', { mode: 0o600 });
    const port = host().received[0]!.ports[0] as FakePort;
    const replies: unknown[] = [];
    port.on('message', ({ data }) => replies.push(data));
    port.postMessage({ type: 'get-key', create: false });
    await vi.waitFor(() => expect(replies).toHaveLength(1));
    expect(replies[0]).toEqual({ type: 'key', key: new Uint8Array(key) });
    // Nothing else carried it: the parent port got only `start`, without the key.
    expect(JSON.stringify(host().received.map((r) => r.message))).not.toContain(key.toString('base64'));
    expect(existsSync(join(dataDir, 'data.key'))).toBe(false);
    expect(readFileSync(join(dataDir, 'data.key.keychain')).toString()).not.toContain(key.toString('base64'));
  });

  it('opens the console from the server once it is ready, and pins its certificate', async () => {
    await launch();
    ready();
    expect(window().loadURL).toHaveBeenLastCalledWith(`${SERVER}/`);
    expect(statuses().at(-1)).toEqual({ state: 'running', server: { url: SERVER, fingerprint256: FINGERPRINT, dataFolder: dataDir } });
    const verify = e.sessionHandlers.certificateVerify!;
    const verdict = vi.fn();
    verify({ hostname: 'evil.example', certificate: { data: 'not a certificate' } }, verdict);
    expect(verdict).toHaveBeenCalledWith(-2);
  });
});

describe('the window shows only trusted content', () => {
  it('refuses navigation away from the app and the server; https links go to the system browser', async () => {
    await launch();
    ready();
    expect(window().webContents.navigate('will-navigate', `${SERVER}/tasks`)).toBe(false);
    expect(window().webContents.navigate('will-navigate', 'https://evil.example/login')).toBe(true);
    expect(e.shell.openExternal).toHaveBeenCalledWith('https://evil.example/login', expect.anything());
    expect(window().webContents.navigate('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(window().webContents.navigate('will-navigate', 'https://127.0.0.1:9999/')).toBe(true);
    expect(e.shell.openExternal).toHaveBeenCalledTimes(2);
  });

  it('denies every new window; only a valid https link is opened outside', async () => {
    await launch();
    const open = window().webContents.windowOpenHandler!;
    expect(open({ url: 'https://support.example/kb/1' })).toEqual({ action: 'deny' });
    expect(open({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(open({ url: 'smb://share/x' })).toEqual({ action: 'deny' });
    expect(e.shell.openExternal).toHaveBeenCalledTimes(1);
    expect(e.shell.openExternal).toHaveBeenCalledWith('https://support.example/kb/1', expect.anything());
  });

  it('denies every permission request and blocks requests to other origins', async () => {
    await launch();
    ready();
    const granted = vi.fn();
    e.sessionHandlers.permissionRequest!({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(e.sessionHandlers.permissionCheck!({}, 'notifications', SERVER)).toBe(false);
    const decide = (url: string) => {
      const cb = vi.fn();
      e.sessionHandlers.beforeRequest!({ url }, cb);
      return cb.mock.calls[0]![0];
    };
    expect(decide(`${SERVER}/api/v1/health`)).toEqual({ cancel: false });
    expect(decide('https://cdn.example/x.js')).toEqual({ cancel: true });
  });
});

describe('IPC', () => {
  it('answers the window and refuses other senders, subframes and foreign origins', async () => {
    await launch();
    ready();
    expect(ipc(DESKTOP_CHANNELS.serverInfo, `${SERVER}/`)).toEqual({ url: SERVER, fingerprint256: FINGERPRINT, dataFolder: dataDir });
    expect(() => ipc(DESKTOP_CHANNELS.serverInfo, `${SERVER}/`, { senderId: 999 })).toThrow(/Refused/);
    expect(() => ipc(DESKTOP_CHANNELS.serverInfo, `${SERVER}/`, { parent: {} })).toThrow(/Refused/);
    expect(() => ipc(DESKTOP_CHANNELS.serverInfo, 'https://evil.example/')).toThrow(/Refused/);
  });

  it('lets only the app pages, not the console, submit a passphrase or retry the server', async () => {
    await launch();
    ready();
    expect(() => ipc(DESKTOP_CHANNELS.submitPassphrase, `${SERVER}/`, {}, 'a passphrase here')).toThrow(/Refused/);
    expect(() => ipc(DESKTOP_CHANNELS.retryServer, `${SERVER}/`)).toThrow(/Refused/);
    expect(ipc(DESKTOP_CHANNELS.submitPassphrase, 'lightkeeper://app/status.html', {}, 'a passphrase here')).toEqual({ accepted: false, reason: 'No passphrase is being asked for.' });
  });
});

describe('supervision and quit', () => {
  it('restarts a crashed server with a backoff and tells the window', async () => {
    await launch();
    ready();
    host().emit('exit', 1);
    expect(statuses().at(-1)).toMatchObject({ state: 'restarting', attempt: 2, inMs: 1000 });
    expect(window().loadURL).toHaveBeenLastCalledWith('lightkeeper://app/status.html');
    vi.advanceTimersByTime(999);
    expect(e.utilityProcess.fork).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(e.utilityProcess.fork).toHaveBeenCalledTimes(2);
  });

  it('quits only after the server has stopped gracefully', async () => {
    await launch();
    ready();
    const preventDefault = vi.fn();
    e.app.emit('before-quit', { preventDefault });
    expect(preventDefault).toHaveBeenCalled();
    expect(host().received.at(-1)!.message).toEqual({ type: 'stop' });
    expect(e.app.quit).not.toHaveBeenCalled();
    host().reply({ type: 'stopped' });
    host().emit('exit', 0);
    await flush();
    expect(e.app.quit).toHaveBeenCalledTimes(1);
    // The second before-quit (from that app.quit) goes through.
    const second = vi.fn();
    e.app.emit('before-quit', { preventDefault: second });
    expect(second).not.toHaveBeenCalled();
    expect(host().kill).not.toHaveBeenCalled();
  });
});
