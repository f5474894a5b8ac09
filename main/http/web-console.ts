import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { App, AppOptions } from './types.ts';

/** Where `npm run build:console` (vite build renderer) writes the console. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../renderer/dist/', import.meta.url));

// The console's own scripts and styles only: no inline script, nothing from elsewhere, and no page
// may frame it (clickjacking an admin console). Naive UI injects its component styles at run time
// as <style> elements, hence 'unsafe-inline' for styles only; scripts stay strict.
const CSP = [
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

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Lightkeeper — Web Console not built</title>
<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>The Web Console is not built</h1>
<p>This Integration Server is running and its APIs answer under <code>/api/</code>, but the console's files are missing.</p>
<p>In the Lightkeeper folder, run <code>npm run build:console</code> (or <code>npm ci</code>, which builds it), then reload this page.</p>
</body></html>`;

export function isConsoleBuilt(dir = DEFAULT_CONSOLE_DIR): boolean {
  return existsSync(join(dir, 'index.html'));
}

function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
}

/**
 * The Web Console at `/`: the built renderer as static files, and index.html for every other
 * non-API path so that deep links (/tasks, /settings) survive a reload. API paths keep the API's
 * JSON 404. Vite names assets by content hash, so they are cached for a year; index.html never is.
 */
export async function webConsole(app: App, options: AppOptions) {
  const root = options.consoleDir ?? DEFAULT_CONSOLE_DIR;
  app.addHook('onSend', async (_req, reply) => securityHeaders(reply));

  const isApi = (url: string) => url === '/api' || url.startsWith('/api/');
  if (!isConsoleBuilt(root)) {
    app.get('/*', async (req, reply) => {
      if (isApi(req.url)) return reply.callNotFound();
      return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_PAGE);
    });
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: false,
    setHeaders(reply, path) {
      reply.header('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const sendIndex = (reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html', root);
  app.get('/', async (_req, reply) => sendIndex(reply));
  app.get('/*', async (req, reply) => {
    if (isApi(req.url)) return reply.callNotFound();
    // Assets built after the server started are looked up now (static routes are made at start);
    // a missing one answers 404, never index.html, which the browser would try to run as a script.
    if (req.url.startsWith('/assets/')) return reply.sendFile(decodeURIComponent(req.url.split('?', 1)[0]!.slice(1)), root);
    return sendIndex(reply);
  });
}
