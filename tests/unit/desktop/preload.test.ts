// The preload exposes named functions only: no ipcRenderer, no event objects, fixed channels.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DESKTOP_CHANNELS } from '../../../main/contract/desktop.ts';
import { resetElectron, type ElectronDouble } from '../../support/electron-double.ts';

vi.mock('electron', async () => (await import('../../support/electron-double.ts')).electronModule());

let e: ElectronDouble;
async function exposed() {
  e = resetElectron();
  vi.resetModules();
  await import('../../../electron/preload.ts');
  expect(e.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
  const [name, api] = e.contextBridge.exposeInMainWorld.mock.calls[0] as unknown as [string, Record<string, (...a: unknown[]) => unknown>];
  return { name, api };
}

describe('preload', () => {
  beforeEach(() => vi.restoreAllMocks());

  it('exposes exactly the contract’s functions as window.lightkeeper', async () => {
    const { name, api } = await exposed();
    expect(name).toBe('lightkeeper');
    expect(Object.keys(api).sort()).toEqual(['appVersions', 'chooseSvmImage', 'onServerStatus', 'openExternal', 'retryServer', 'serverInfo', 'showInFolder', 'submitPassphrase']);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
  });

  it('calls only the declared channels, with its arguments as strings', async () => {
    const { api } = await exposed();
    await api.openExternal!({ toString: () => 'https://example.com/' });
    await api.showInFolder!('/d/r.csv');
    await api.serverInfo!();
    expect(e.ipcRenderer.invoke.mock.calls).toEqual([
      [DESKTOP_CHANNELS.openExternal, 'https://example.com/'],
      [DESKTOP_CHANNELS.showInFolder, '/d/r.csv'],
      [DESKTOP_CHANNELS.serverInfo],
    ]);
  });

  it('passes server status to the listener without the IPC event, and unsubscribes', async () => {
    const { api } = await exposed();
    const listener = vi.fn();
    const off = api.onServerStatus!(listener) as () => void;
    const [channel, forward] = e.ipcRenderer.on.mock.calls[0] as unknown as [string, (event: unknown, status: unknown) => void];
    expect(channel).toBe(DESKTOP_CHANNELS.serverStatus);
    forward({ sender: 'the event must not reach the page' }, { state: 'stopped' });
    expect(listener).toHaveBeenCalledWith({ state: 'stopped' });
    expect(listener.mock.calls[0]).toHaveLength(1);
    off();
    expect(e.ipcRenderer.removeListener).toHaveBeenCalledWith(DESKTOP_CHANNELS.serverStatus, forward);
  });
});
