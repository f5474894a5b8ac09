// The window's session: the embedded server's certificate pinned by SHA-256, requests only to
// trusted origins, a CSP on every response, every permission denied.
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { certificateVerdict, fingerprint256, hardenSession, isAllowedRequest, WINDOW_CSP, type HardenedSession } from '../../../electron/session-policy.ts';
import { createTrust } from '../../../electron/trust.ts';

let ours: string;
let impostor: string;
beforeAll(async () => {
  const make = async () => (await generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048 })).cert;
  [ours, impostor] = await Promise.all([make(), make()]);
});

function trusted() {
  const trust = createTrust();
  trust.setServer('https://127.0.0.1:7271', fingerprint256(ours)!);
  return trust;
}

describe('certificate pinning', () => {
  it('accepts exactly the certificate the server reported', () => {
    expect(certificateVerdict({ hostname: '127.0.0.1', certificate: { data: ours } }, trusted())).toBe(0);
  });
  it('rejects another certificate for the same host (a man in the middle, or a CA-signed impostor)', () => {
    expect(certificateVerdict({ hostname: '127.0.0.1', certificate: { data: impostor } }, trusted())).toBe(-2);
  });
  it('rejects every other host, and everything before the server has reported', () => {
    expect(certificateVerdict({ hostname: 'example.com', certificate: { data: ours } }, trusted())).toBe(-2);
    expect(certificateVerdict({ hostname: '127.0.0.1', certificate: { data: ours } }, createTrust())).toBe(-2);
    expect(certificateVerdict({ hostname: '127.0.0.1', certificate: { data: 'garbage' } }, trusted())).toBe(-2);
  });
  it('pins IPv6 servers by their bare address', () => {
    const trust = createTrust();
    trust.setServer('https://[::1]:7271', fingerprint256(ours)!);
    expect(certificateVerdict({ hostname: '::1', certificate: { data: ours } }, trust)).toBe(0);
  });
  it('refuses a server address that is not HTTPS', () => {
    expect(() => createTrust().setServer('http://127.0.0.1:7271', 'AA')).toThrow(/HTTPS/);
  });
});

describe('session hardening', () => {
  function harden() {
    const handlers: Record<string, (...a: never[]) => unknown> = {};
    const session = {
      setPermissionRequestHandler: (h: never) => void (handlers.request = h),
      setPermissionCheckHandler: (h: never) => void (handlers.check = h),
      setDevicePermissionHandler: (h: never) => void (handlers.device = h),
      setCertificateVerifyProc: (h: never) => void (handlers.verify = h),
      webRequest: { onBeforeRequest: (h: never) => void (handlers.before = h), onHeadersReceived: (h: never) => void (handlers.headers = h) },
    } as unknown as HardenedSession;
    hardenSession(session, trusted());
    return handlers as Record<string, (...a: unknown[]) => unknown>;
  }

  it('denies every permission request, check and device', () => {
    const h = harden();
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      const callback = vi.fn();
      h.request!({}, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect(h.check!({}, permission, 'https://127.0.0.1:7271', {})).toBe(false);
    }
    expect(h.device!({})).toBe(false);
  });

  it('lets requests reach only the app pages and the server', () => {
    const trust = trusted();
    expect(isAllowedRequest('https://127.0.0.1:7271/api/v1/health', trust)).toBe(true);
    expect(isAllowedRequest('lightkeeper://app/status.js', trust)).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA', trust)).toBe(true);
    expect(isAllowedRequest('https://127.0.0.1:7272/', trust)).toBe(false);
    expect(isAllowedRequest('https://fonts.example/font.woff2', trust)).toBe(false);
    expect(isAllowedRequest('http://127.0.0.1:7271/', trust)).toBe(false);
    expect(isAllowedRequest('file:///etc/passwd', trust)).toBe(false);
  });

  it('adds the strict CSP to a response without one and keeps the one a response has', () => {
    const h = harden();
    const without = vi.fn();
    h.headers!({ responseHeaders: { 'content-type': ['text/html'] } }, without);
    expect(without).toHaveBeenCalledWith({ responseHeaders: { 'content-type': ['text/html'], 'Content-Security-Policy': [WINDOW_CSP] } });
    const withOwn = vi.fn();
    h.headers!({ responseHeaders: { 'content-security-policy': ["default-src 'none'"] } }, withOwn);
    expect(withOwn).toHaveBeenCalledWith({ responseHeaders: { 'content-security-policy': ["default-src 'none'"] } });
    expect(WINDOW_CSP).toContain("script-src 'self'");
    expect(WINDOW_CSP).not.toMatch(/script-src[^;]*unsafe/);
  });
});
