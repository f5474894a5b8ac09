// PUT /api/v1/accounts/{name}/password: the vendor's password rule over the JSON API, admin only,
// audited without the password, never echoed; inject() for the answers, a real TLS port for the
// console's case (the admin changes the password it is signed in with).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, call } from '../support/https-client.ts';
import { inProcessServer } from '../support/in-process-server.ts';

let ctx: Awaited<ReturnType<typeof inProcessServer>>;
beforeAll(async () => {
  ctx = await inProcessServer({ logLevel: 'error' });
});
afterAll(() => ctx.server.stop());

const put = (name: string, body: unknown, headers: Record<string, string>) =>
  ctx.server.app.inject({ method: 'PUT', url: `/api/v1/accounts/${name}/password`, headers, payload: body as object });
const health = (account: string, password: string) => ctx.server.app.inject({ method: 'GET', url: '/api/v1/health', headers: { authorization: basic(account, password) } });

describe('PUT /api/v1/accounts/{name}/password', () => {
  it('changes a password at once, and answers the rule’s warnings without echoing it', async () => {
    const weak = 'viewer1';
    const r = await put('viewer', { password: weak }, ctx.auth('admin'));
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as { account: string; passwordChanged: string; warnings: Array<{ code: string; message: string }> };
    expect(body.account).toBe('viewer');
    expect(Date.parse(body.passwordChanged)).toBeGreaterThan(Date.now() - 60_000);
    expect(body.warnings.map((w) => w.code).sort()).toEqual(['PASSWORD_FEW_CLASSES', 'PASSWORD_SHORT']);
    expect(r.body).not.toContain(weak);
    expect((await health('viewer', weak)).statusCode).toBe(200);
    expect((await health('viewer', ctx.passwords.viewer)).statusCode).toBe(401);

    const strong = 'Vi3wer-Strong!pass';
    const ok = await put('viewer', { password: strong }, ctx.auth('admin'));
    expect(ok.json().warnings).toEqual([]);
    expect((await health('viewer', strong)).statusCode).toBe(200);
    const listed = (await ctx.server.app.inject({ method: 'GET', url: '/api/v1/accounts', headers: ctx.auth('admin') })).json() as Array<{ name: string; passwordChanged: string }>;
    expect(listed.find((a) => a.name === 'viewer')?.passwordChanged).toBe(ok.json().passwordChanged);
    ctx.passwords.viewer = strong;
  });

  it('refuses a password against the rule with 400 naming the field and the rule, and keeps the old one', async () => {
    const cases = [
      { password: '', says: 'The password is empty.' },
      { password: 'A1!'.repeat(21), says: 'at most 60' },
      { password: 'Pass wörd-1', says: 'position 5, 7' },
    ];
    for (const c of cases) {
      const r = await put('multitenancy', { password: c.password }, ctx.auth('admin'));
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json()).toMatchObject({ statusCode: 400, code: 'PASSWORD_REFUSED' });
      expect(r.json().message).toMatch(/^password: /);
      expect(r.json().message).toContain(c.says);
      if (c.password) expect(r.body).not.toContain(c.password);
    }
    expect((await put('multitenancy', {}, ctx.auth('admin'))).statusCode).toBe(400);
    expect((await put('nobody', { password: 'Fine-Pa55word' }, ctx.auth('admin'))).statusCode).toBe(400);
    const vendor = await ctx.server.app.inject({ method: 'GET', url: '/api/2.0/virtualization/tenants', headers: ctx.auth('multitenancy') });
    expect(vendor.statusCode).toBe(200);
  });

  it('is for admin only: viewer and the API-scoped accounts get 403, no credentials 401', async () => {
    for (const account of ['viewer', 'multitenancy', 'svm', 'agent'] as const) {
      const r = await put('admin', { password: 'Taken-Over-Pa55' }, ctx.auth(account));
      expect(r.statusCode, account).toBe(403);
    }
    expect((await put('admin', { password: 'Taken-Over-Pa55' }, {})).statusCode).toBe(401);
    expect((await health('admin', ctx.passwords.admin)).statusCode).toBe(200);
  });

  it('records each change in the audit log, with no password in it', async () => {
    const r = await ctx.server.app.inject({ method: 'GET', url: '/api/v1/audit?action=account.password', headers: ctx.auth('admin') });
    const items = (r.json() as { items: Array<{ account: string; action: string; target: string; details: Record<string, unknown> }> }).items;
    expect(items).toHaveLength(2);
    expect(items.every((i) => i.account === 'admin' && i.target === 'viewer')).toBe(true);
    expect(items.map((i) => i.details.warnings)).toContainEqual(['PASSWORD_SHORT', 'PASSWORD_FEW_CLASSES']);
    expect(r.body).not.toContain('viewer1');
    expect(r.body).not.toContain(ctx.passwords.viewer);
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = (await ctx.server.app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: ctx.auth('viewer') })).json() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/accounts/{name}/password'] ?? {})).toContain('put');
  });

  it('on a real TLS port: admin changes its own password, the next request with the new one works, the old one is refused', async () => {
    const { port } = await ctx.server.start();
    const url = `https://127.0.0.1:${port}`;
    const next = 'Adm1n-Next!Pa55word';
    const r = await call(`${url}/api/v1/accounts/admin/password`, { method: 'PUT', auth: basic('admin', ctx.passwords.admin), body: JSON.stringify({ password: next }), headers: { 'x-requested-with': 'XMLHttpRequest' } });
    expect(r.status, r.body).toBe(200);
    expect(r.body).not.toContain(next);
    expect((await call(`${url}/api/v1/accounts`, { auth: basic('admin', next) })).status).toBe(200);
    const old = await call(`${url}/api/v1/accounts`, { auth: basic('admin', ctx.passwords.admin), headers: { 'x-requested-with': 'XMLHttpRequest' } });
    expect(old.status).toBe(401);
    expect(old.headers['www-authenticate']).toBeUndefined();
  });
});
