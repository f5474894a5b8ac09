// The app's own pages (the server status page, the passphrase form) under lightkeeper://app instead
// of file:// (Electron checklist #18): only the named files of one folder, each with a strict CSP.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Protocol } from 'electron';
import { APP_SCHEME } from './trust.ts';

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
// A flat allowlist of names: no path separators, so no way out of the folder.
const PAGE_FILE = /^\/([a-z][a-z0-9-]*)\.(html|js|css|svg)$/;

export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
}

export async function appPageResponse(requestUrl: string, pagesDir: string): Promise<Response> {
  const url = new URL(requestUrl);
  const match = url.host === 'app' ? PAGE_FILE.exec(url.pathname) : null;
  if (!match) return new Response('Not found', { status: 404 });
  try {
    const body = await readFile(join(pagesDir, `${match[1]}.${match[2]}`));
    return new Response(body, {
      headers: { 'content-type': TYPES[match[2] as string] ?? 'application/octet-stream', 'content-security-policy': PAGE_CSP, 'x-content-type-options': 'nosniff' },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

export function serveAppPages(protocol: Pick<Protocol, 'handle'>, pagesDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appPageResponse(request.url, pagesDir));
}
