// The application menu and Help → About.
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { aboutDetail, menuTemplate } from '../../../electron/menu.ts';

const actions = () => ({ openDataFolder: vi.fn(), restartServer: vi.fn(), showAbout: vi.fn() });
const items = (menu: MenuItemConstructorOptions) => menu.submenu as MenuItemConstructorOptions[];

describe('application menu', () => {
  it('has File, Edit, View, Window, Help, with the usual roles and shortcuts', () => {
    const menu = menuTemplate(actions(), { platform: 'linux', devTools: false });
    expect(menu.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Window', '&Help']);
    expect(items(menu[1]!).map((i) => i.role ?? i.type)).toEqual(['undo', 'redo', 'separator', 'cut', 'copy', 'paste', 'selectAll']);
    expect(items(menu[0]!).find((i) => i.role === 'quit')?.accelerator).toBe('Ctrl+Q');
    expect(items(menu[4]!)[0]).toMatchObject({ label: 'About Lightkeeper', accelerator: 'F1' });
  });

  it('offers DevTools only outside a packaged app', () => {
    const roles = (devTools: boolean) => items(menuTemplate(actions(), { platform: 'linux', devTools })[2]!).map((i) => i.role);
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(true)).toContain('toggleDevTools');
  });

  it('puts the app menu first on macOS', () => {
    expect(menuTemplate(actions(), { platform: 'darwin', devTools: false })[0]).toEqual({ role: 'appMenu' });
  });

  it('wires the items to their actions', () => {
    const a = actions();
    const menu = menuTemplate(a, { platform: 'linux', devTools: false });
    const click = (item: MenuItemConstructorOptions | undefined) => (item?.click as () => void)();
    click(items(menu[0]!)[0]);
    click(items(menu[0]!)[1]);
    click(items(menu[4]!)[0]);
    expect(a.openDataFolder).toHaveBeenCalled();
    expect(a.restartServer).toHaveBeenCalled();
    expect(a.showAbout).toHaveBeenCalled();
  });

  it('About shows versions, the data folder and the certificate fingerprint', () => {
    const versions = { app: '0.1.0', electron: '45.5.0', chrome: '142.0', node: '24.9.0' };
    const running = aboutDetail(versions, '/home/a/.config/Lightkeeper', { state: 'running', server: { url: 'https://127.0.0.1:7271', fingerprint256: 'AB:CD', dataFolder: '/d' } });
    for (const text of ['Lightkeeper 0.1.0', 'Electron 45.5.0', 'Chromium 142.0', 'Node 24.9.0', 'Data folder: /home/a/.config/Lightkeeper', 'Certificate SHA-256: AB:CD', 'https://127.0.0.1:7271']) {
      expect(running).toContain(text);
    }
    expect(aboutDetail(versions, '/d', { state: 'starting', attempt: 1 })).toContain('shown once the server is running');
  });
});
