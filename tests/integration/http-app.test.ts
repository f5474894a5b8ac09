import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_NAMES, type AccountName } from '../../main/contract/accounts.ts';
import { ROW_FRESH_MS } from '../../main/services/accounts.ts';
import { inProcessServer } from '../support/in-process-server.ts';
import { loadMigrations } from '../../main/store/database.ts';

let ctx: Awaited<ReturnType<typeof inProcessServer>>;
beforeAll(async () => {
  ctx = await inProcessServer({ throttle: { perPair: 3, perAddress: 100, windowSeconds: 60 } });
});
afterAll(() => ctx.server.stop());

const inject = (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, body?: unknown) =>
  ctx.server.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });

describe('authentication on every call', () => {
  it('answers 403 on the vendor API without credentials or with wrong ones, as the vendor documents', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Basic ' + Buffer.from('multitenancy:nope').toString('base64') }, { authorization: 'Bearer x' }]) {
      const r = await inject('GET', '/api/2.0/virtualization/tenants', headers);
      expect(r.statusCode).toBe(403);
      expect(r.headers['content-type']).toMatch(/application\/xml/);
      expect(r.body).toContain('<code>AccessDenied</code>');
    }
  });

  it('answers 401 with a Basic challenge on the JSON API without credentials', async () => {
    const r = await inject('GET', '/api/v1/health');
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Basic realm="Lightkeeper", charset="UTF-8"');
    expect(r.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
  });

  it('serves health to admin', async () => {
    const r = await inject('GET', '/api/v1/health', ctx.auth('admin'));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', schemaVersion: loadMigrations().at(-1)!.version });
  });

  it('accepts a password that contains a colon', async () => {
    const { changePassword } = await import('../../main/services/setup.ts');
    await changePassword(ctx.dataDir, 'viewer', 'Vi:ew:er-Pa55');
    const r = await inject('GET', '/api/v1/health', { authorization: 'Basic ' + Buffer.from('viewer:Vi:ew:er-Pa55').toString('base64') });
    expect(r.statusCode).toBe(200);
    await changePassword(ctx.dataDir, 'viewer', ctx.passwords.viewer);
    await new Promise((r) => setTimeout(r, ROW_FRESH_MS + 50));
  });

  it('uses a password changed by another process (the CLI) once its row is read again, and no longer the old one', async () => {
    const { changePassword } = await import('../../main/services/setup.ts');
    expect((await inject('GET', '/api/v1/health', ctx.auth('viewer'))).statusCode).toBe(200);
    await changePassword(ctx.dataDir, 'viewer', 'Brand-New-Pa55');
    // The server re-reads an account's row at most every ROW_FRESH_MS (accounts.ts).
    await new Promise((r) => setTimeout(r, ROW_FRESH_MS + 50));
    expect((await inject('GET', '/api/v1/health', ctx.auth('viewer'))).statusCode).toBe(401);
    expect((await inject('GET', '/api/v1/health', { authorization: 'Basic ' + Buffer.from('viewer:Brand-New-Pa55').toString('base64') })).statusCode).toBe(200);
    await changePassword(ctx.dataDir, 'viewer', ctx.passwords.viewer);
    // The next tests use the restored password: the row cached with the new one must be read again first.
    await new Promise((r) => setTimeout(r, ROW_FRESH_MS + 50));
  });
});

describe('account scopes over HTTP', () => {
  // What each account gets on one request into each area: 2xx/404 means it was let in.
  const probes = {
    vendor: ['GET', '/api/2.0/virtualization/tenants'],
    svm: ['POST', '/api/agents/v1/svm/report'],
    agent: ['POST', '/api/agents/v1/agent/discover'],
    jsonRead: ['GET', '/api/v1/health'],
    jsonWrite: ['POST', '/api/v1/diagnostics/self-test-task'],
  } as const;
  const allowed: Record<AccountName, Array<keyof typeof probes>> = {
    admin: ['vendor', 'svm', 'agent', 'jsonRead', 'jsonWrite'],
    multitenancy: ['vendor'],
    svm: ['svm'],
    agent: ['agent'],
    viewer: ['jsonRead'],
  };
  const cases = ACCOUNT_NAMES.flatMap((a) => (Object.keys(probes) as Array<keyof typeof probes>).map((p) => [a, p] as const));

  it.each(cases)('%s → %s', async (account, probe) => {
    const [method, url] = probes[probe];
    const r = await inject(method, url, ctx.auth(account), method === 'POST' ? { steps: 1, stepMilliseconds: 0 } : undefined);
    if (allowed[account].includes(probe)) expect(r.statusCode).not.toBe(403);
    else expect(r.statusCode).toBe(403);
    expect(r.statusCode).not.toBe(401);
  });
});

describe('failed-login throttling', () => {
  it('blocks an address after repeated failures for that account, with Retry-After, even for the right password', async () => {
    const bad = { authorization: 'Basic ' + Buffer.from('agent:wrong').toString('base64') };
    for (let i = 0; i < 3; i++) expect((await inject('GET', '/api/v1/health', bad)).statusCode).toBe(401);
    const blocked = await inject('GET', '/api/v1/health', ctx.auth('agent'));
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Other accounts from the same address are not locked out by it.
    expect((await inject('GET', '/api/v1/health', ctx.auth('admin'))).statusCode).toBe(200);
  });
});

describe('the JSON API', () => {
  it('publishes its OpenAPI document with the routes and their schemas', async () => {
    const r = await inject('GET', '/api/v1/openapi.json', ctx.auth('viewer'));
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/health', '/api/v1/tasks', '/api/v1/tasks/{id}', '/api/v1/tasks/{id}/cancel']));
    expect(doc.paths['/api/v1/tasks/{id}/cancel'].post.responses).toHaveProperty('409');
  });

  it('starts a task, shows it, lists it by type and state, and cancels it', async () => {
    const start = await inject('POST', '/api/v1/diagnostics/self-test-task', ctx.auth('admin'), { steps: 50, stepMilliseconds: 1000 });
    expect(start.statusCode).toBe(202);
    const task = start.json();
    expect(start.headers.location).toBe(`/api/v1/tasks/${task.id}`);
    expect((await inject('GET', `/api/v1/tasks/${task.id}`, ctx.auth('viewer'))).json()).toMatchObject({ id: task.id, type: 'SelfTest', createdBy: 'admin' });
    const list = (await inject('GET', '/api/v1/tasks?type=SelfTest', ctx.auth('viewer'))).json();
    expect(list.items.map((t: { id: string }) => t.id)).toContain(task.id);
    const cancel = await inject('POST', `/api/v1/tasks/${task.id}/cancel`, ctx.auth('admin'));
    expect([200, 202]).toContain(cancel.statusCode);
    const done = await ctx.server.services.tasks.waitUntilFinished(task.id);
    expect(done.state).toBe('Canceled');
    expect((await inject('POST', `/api/v1/tasks/${task.id}/cancel`, ctx.auth('admin'))).statusCode).toBe(409);
  });

  it('names the field when input is bad', async () => {
    const r = await inject('POST', '/api/v1/diagnostics/self-test-task', ctx.auth('admin'), { steps: 0 });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/steps/);
    const q = await inject('GET', '/api/v1/tasks?state=Sleeping', ctx.auth('admin'));
    expect(q.statusCode).toBe(400);
    expect(q.json().message).toMatch(/state/);
    expect((await inject('GET', '/api/v1/tasks/not-a-uuid', ctx.auth('admin'))).statusCode).toBe(400);
  });

  it('answers 404 for an unknown task and an unknown route, in the API error shape', async () => {
    const r = await inject('GET', '/api/v1/tasks/6f9619ff-8b86-4011-b42d-00c04fc964ff', ctx.auth('admin'));
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect((await inject('GET', '/api/v1/nothing-here', ctx.auth('admin'))).json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });
});
