// Navigation and new windows (Electron checklist #11–#14): the window shows only trusted origins.
// Everything else is refused; an https link is handed to the system browser instead, after validation.
import type { WebContents } from 'electron';
import { isSafeExternalUrl } from './external-links.ts';
import type { Trust } from './trust.ts';

export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function guardWebContents(contents: GuardedContents, trust: Pick<Trust, 'isTrustedUrl'>, openExternal: (url: string) => void): void {
  const refuseUntrusted = (event: { url: string; preventDefault(): void }) => {
    if (trust.isTrustedUrl(event.url)) return;
    event.preventDefault();
    if (isSafeExternalUrl(event.url)) openExternal(event.url);
  };
  contents.on('will-navigate', refuseUntrusted);
  contents.on('will-redirect', refuseUntrusted);
  // The console never needs a second window; a target=_blank link is an external one at most.
  contents.setWindowOpenHandler(({ url }) => {
    if (!trust.isTrustedUrl(url) && isSafeExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
  // No <webview> anywhere (checklist #11–#12): refuse before one is created.
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
