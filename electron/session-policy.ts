// The window's session (Electron checklist #1, #5, #7): every permission request is denied, no
// request leaves for an origin other than the app's pages and the embedded server, the server's
// certificate must be the one it reported (pinned by SHA-256), and every page gets a strict CSP
// even if a response arrived without one.
import { X509Certificate } from 'node:crypto';
import type { Session } from 'electron';
import type { Trust } from './trust.ts';

export type HardenedSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'setCertificateVerifyProc'> & {
  webRequest: Pick<Session['webRequest'], 'onBeforeRequest' | 'onHeadersReceived'>;
};

/** Chromium's verdicts for setCertificateVerifyProc. */
export const CERTIFICATE = { accept: 0, reject: -2 } as const;

// The same policy the server sends with the console (main/http/web-console.ts); applied here too so
// that the window is never without one.
export const WINDOW_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// Schemes Chromium itself uses for the page (inline images, exports, DevTools when unpackaged).
const INTERNAL_SCHEMES = ['data:', 'blob:', 'devtools:'];

export function fingerprint256(pem: string): string | undefined {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return undefined;
  }
}

export function certificateVerdict(request: { hostname: string; certificate: { data: string } }, trust: Pick<Trust, 'server'>): number {
  const pin = trust.server();
  // The window talks to no other TLS server, so anything but the pinned certificate is refused —
  // including a certificate a corporate proxy's CA would make "valid".
  if (!pin || request.hostname !== pin.hostname) return CERTIFICATE.reject;
  return fingerprint256(request.certificate.data) === pin.fingerprint256 ? CERTIFICATE.accept : CERTIFICATE.reject;
}

export function isAllowedRequest(url: string, trust: Pick<Trust, 'isTrustedUrl'>): boolean {
  return trust.isTrustedUrl(url) || INTERNAL_SCHEMES.some((scheme) => url.startsWith(scheme));
}

export function hardenSession(session: HardenedSession, trust: Pick<Trust, 'isTrustedUrl' | 'server'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  // electronegativity flags any verify proc because one can switch validation off; this one is
  // stricter than Chromium's: only the pinned certificate of the embedded server passes.
  session.setCertificateVerifyProc((request, callback) => callback(certificateVerdict(request, trust))); // eng-disable CERTIFICATE_VERIFY_PROC_JS_CHECK
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, trust) }));
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    const hasCsp = Object.keys(headers).some((name) => name.toLowerCase() === 'content-security-policy');
    if (!hasCsp) headers['Content-Security-Policy'] = [WINDOW_CSP];
    callback({ responseHeaders: headers });
  });
}
