import type { DesktopApi } from '../../../main/contract/desktop.ts';

/** The desktop shell's preload API (`window.lightkeeper`), or undefined in a browser. */
export function desktopApi(): DesktopApi | undefined {
  return (globalThis as { lightkeeper?: DesktopApi }).lightkeeper;
}

/** In the desktop app, the embedded server hands its window the first-run setup token. */
export async function desktopSetupToken(): Promise<string | undefined> {
  return (await desktopApi()?.serverInfo())?.setupToken;
}
