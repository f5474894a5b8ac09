// The main-process side of window.lightkeeper: arguments from the page are validated here.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DESKTOP_CHANNELS as C, type ServerStatus } from '../../../main/contract/desktop.ts';
import { desktopHandlers, isInsideFolder } from '../../../electron/desktop-api.ts';
import { tempDir } from '../../support/lightkeeper-process.ts';

function api(status: ServerStatus = { state: 'starting', attempt: 1 }) {
  const dataFolder = tempDir('lk-api-');
  const deps = {
    status: () => status,
    versions: () => ({ app: '0.1.0', electron: '45.5.0', chrome: '142', node: '24' }),
    dataFolder,
    shell: { openExternal: vi.fn(async () => undefined), showItemInFolder: vi.fn() },
    showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: ['/images/svm.qcow2'] })),
    retry: vi.fn(),
    broker: { submit: vi.fn(() => ({ accepted: true as const })) },
  };
  return { handlers: desktopHandlers(deps), deps, dataFolder };
}

describe('desktop API handlers', () => {
  it('gives the server address only while it runs', () => {
    expect(api().handlers[C.serverInfo]()).toBeNull();
    const server = { url: 'https://127.0.0.1:7271', fingerprint256: 'AA', dataFolder: '/d' };
    expect(api({ state: 'running', server }).handlers[C.serverInfo]()).toEqual(server);
  });

  it('shows only existing files inside the data folder, symbolic links resolved', () => {
    const { handlers, deps, dataFolder } = api();
    mkdirSync(join(dataFolder, 'reports'));
    writeFileSync(join(dataFolder, 'reports', 'r.csv'), 'x');
    const outside = tempDir('lk-outside-');
    writeFileSync(join(outside, 'secret'), 'x');
    symlinkSync(join(outside, 'secret'), join(dataFolder, 'link'));
    expect(handlers[C.showInFolder](join(dataFolder, 'reports', 'r.csv'))).toBe(true);
    expect(handlers[C.showInFolder](join(outside, 'secret'))).toBe(false);
    expect(handlers[C.showInFolder](join(dataFolder, 'link'))).toBe(false);
    expect(handlers[C.showInFolder](join(dataFolder, '..', 'x'))).toBe(false);
    expect(handlers[C.showInFolder]('reports/r.csv')).toBe(false);
    expect(handlers[C.showInFolder]({ path: 'x' })).toBe(false);
    expect(deps.shell.showItemInFolder).toHaveBeenCalledTimes(1);
    expect(isInsideFolder(dataFolder, dataFolder)).toBe(false);
  });

  it('chooses an SVM image with a native dialog filtered to image formats', async () => {
    const { handlers, deps } = api();
    expect(await handlers[C.chooseSvmImage]()).toBe('/images/svm.qcow2');
    expect(deps.showOpenDialog).toHaveBeenCalledWith(expect.objectContaining({ properties: ['openFile'], filters: [expect.objectContaining({ extensions: expect.arrayContaining(['qcow2', 'ova', 'vmdk']) })] }));
    deps.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await handlers[C.chooseSvmImage]()).toBeNull();
  });

  it('opens only safe links externally', async () => {
    const { handlers, deps } = api();
    expect(await handlers[C.openExternal]('file:///etc/passwd')).toBe(false);
    expect(await handlers[C.openExternal]('https://example.com/')).toBe(true);
    expect(deps.shell.openExternal).toHaveBeenCalledTimes(1);
  });
});
