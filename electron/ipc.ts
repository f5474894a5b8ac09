// Every IPC call is checked before it runs (Electron checklist #17): it must come from the main
// frame of Lightkeeper's own window, showing a trusted origin; some channels only from the app's
// own pages. Arguments are treated as untrusted input by each handler.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { DESKTOP_CHANNELS, type DesktopChannel } from '../main/contract/desktop.ts';
import type { Trust } from './trust.ts';

export type SenderCheck = { windowContentsId(): number | undefined; trust: Pick<Trust, 'isTrustedUrl' | 'isAppPage'> };
type Sender = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/** Channels that only the app's pages (status, passphrase) may use, never the console. */
const APP_PAGE_ONLY: ReadonlySet<DesktopChannel> = new Set([DESKTOP_CHANNELS.submitPassphrase, DESKTOP_CHANNELS.retryServer]);

export function isTrustedSender(event: Sender, channel: DesktopChannel, check: SenderCheck): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (event.sender.id !== check.windowContentsId()) return false;
  return APP_PAGE_ONLY.has(channel) ? check.trust.isAppPage(frame.url) : check.trust.isTrustedUrl(frame.url);
}

export class RefusedSenderError extends Error {
  constructor(channel: string) {
    super(`Refused ${channel}: the call did not come from Lightkeeper's window.`);
    this.name = 'RefusedSenderError';
  }
}

export type Handlers = Record<Exclude<DesktopChannel, typeof DESKTOP_CHANNELS.serverStatus>, (...args: unknown[]) => unknown>;

export function registerHandlers(ipcMain: Pick<IpcMain, 'handle'>, handlers: Handlers, check: SenderCheck): void {
  for (const [channel, handler] of Object.entries(handlers) as Array<[keyof Handlers, (...args: unknown[]) => unknown]>) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isTrustedSender(event, channel, check)) throw new RefusedSenderError(channel);
      return handler(...args);
    });
  }
}
