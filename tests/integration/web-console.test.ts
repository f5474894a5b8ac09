import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/lightkeeper-process.ts';
import { inProcessServer } from '../support/in-process-server.ts';

// A stand-in build (index.html and one hashed asset), so these tests check serving, not Vite.
function fakeBuild(): string {
  const dir = tempDir('lk-console-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Lightkeeper</title><script type="module" src="/assets/index-AbC123.js"></script>');
  writeFileSync(join(dir, 'assets/index-AbC123.js'), 'console.log(1)');
  return dir;
}

let built: Awaited<ReturnType<typeof inProcessServer>>;
let unbuilt: Awaited<ReturnType<typeof inProcessServer>>;
beforeAll(async () => {
  built = await inProcessServer({ consoleDir: fakeBuild() });
  unbuilt = await inProcessServer({ consoleDir: tempDir('lk-console-empty-') });
});
afterAll(async () => {
  await built.server.stop();
  await unbuilt.server.stop();
});

describe('the Web Console at /', () => {
  it('is public, with a strict Content-Security-Policy and no caching of index.html', async () => {
    const r = await built.server.app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['cache-control']).toBe('no-cache');
  });

  it('answers deep links with index.html, so a reload on /tenants keeps the page', async () => {
    const r = await built.server.app.inject({ method: 'GET', url: '/tenants?x=1' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<title>Lightkeeper</title>');
  });

  it('caches hashed assets for a year and answers a missing one with 404, never with HTML', async () => {
    const asset = await built.server.app.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await built.server.app.inject({ method: 'GET', url: '/assets/index-Old999.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).not.toMatch(/text\/html/);
    const escape = await built.server.app.inject({ method: 'GET', url: '/assets/..%2f..%2fpackage.json' });
    expect(escape.statusCode).toBeGreaterThanOrEqual(400);
  });

  it('leaves /api paths to the API: its JSON 404 and its Basic challenge', async () => {
    const r = await built.server.app.inject({ method: 'GET', url: '/api/v1/no-such-thing', headers: built.auth('admin') });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'NOT_FOUND' });
    const anonymous = await built.server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it("answers the console's own refused requests without a challenge, so no browser login dialog covers it", async () => {
    const r = await built.server.app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'x-requested-with': 'XMLHttpRequest' } });
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(r.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('says how to build the console when it is not built, while the API keeps working', async () => {
    const r = await unbuilt.server.app.inject({ method: 'GET', url: '/tasks' });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build:console');
    const api = await unbuilt.server.app.inject({ method: 'GET', url: '/api/v1/health', headers: unbuilt.auth('viewer') });
    expect(api.statusCode).toBe(200);
  });
});

describe('GET /api/v1/server/certificate', () => {
  it("tells any console account the server's own fingerprint", async () => {
    const r = await built.server.app.inject({ method: 'GET', url: '/api/v1/server/certificate', headers: built.auth('viewer') });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ fingerprint256: built.server.certificate.fingerprint256 });
    expect(r.body).not.toContain('PRIVATE KEY');
  });
});
