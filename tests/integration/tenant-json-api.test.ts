import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKscSimulator, type KscSimulator } from '../../main/lab/ksc/index.ts';
import { inProcessServer } from './../support/in-process-server.ts';

type Lab = Awaited<ReturnType<typeof inProcessServer>>;
let lab: Lab;
let sim: KscSimulator;

beforeAll(async () => {
  lab = await inProcessServer();
  sim = await startKscSimulator({ port: 0, user: 'operator', password: 'Operator-Pa55!' });
});
afterAll(async () => {
  await lab?.server.app.close();
  await sim?.stop();
});

const inject = (account: 'admin' | 'viewer' | 'multitenancy', method: string, url: string, payload?: unknown) =>
  lab.server.app.inject({ method: method as 'GET', url, headers: lab.auth(account), ...(payload !== undefined ? { payload: payload as object } : {}) });
const finished = (id: string) => lab.server.services.tasks.waitUntilFinished(id);

async function createTenant(body: Record<string, unknown>) {
  const r = await inject('admin', 'POST', '/api/v1/tenants', body);
  expect(r.statusCode, r.body).toBe(202);
  expect(r.headers.location).toBe(`/api/v1/tasks/${r.json().id}`);
  const task = await finished(r.json().id);
  expect(task.state, JSON.stringify(task)).toBe('Completed');
  return (task.result as { id: string }).id;
}

describe('the tenant JSON API', () => {
  it('creates Simple and Complete tenants through tasks, with the vendor rules and codes', async () => {
    const bad = await inject('admin', 'POST', '/api/v1/tenants', { name: 'x', type: 'Complete' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ statusCode: 400, code: 'VIRMT_VKscCredentialsNotSpecified' });
    expect((await inject('admin', 'POST', '/api/v1/tenants', { name: 'x', type: 'Simple', preferredViisAddress: 'nope' })).json().code).toBe('VIRMT_InvalidViisAddressFormat');
    expect((await inject('admin', 'POST', '/api/v1/tenants', { name: 'x', type: 'Other' })).statusCode).toBe(400);

    await inject('admin', 'PUT', '/api/v1/ksc', { address: '127.0.0.1', port: sim.port, user: 'operator', password: 'Operator-Pa55!', pinnedFingerprint: sim.fingerprint });
    for (const [name, type] of [['Alpha', 'Simple'], ['bravo', 'Simple'], ['Charlie', 'Simple']] as const) await createTenant({ name, type });
    const delta = await createTenant({ name: 'Delta', type: 'Complete', admin: { name: 'delta-admin', password: 'Delta-Pa55word!' } });
    const got = await inject('viewer', 'GET', `/api/v1/tenants/${delta}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ name: 'Delta', type: 'Complete', status: 'Inactive', vKsc: { adminName: 'delta-admin' }, vmCount: 0 });
    expect(got.body).not.toContain('Delta-Pa55word!');
    expect((await inject('admin', 'GET', `/api/v1/tenants/${randomUUID()}`)).json().code).toBe('VIRMT_TenantWithSpecifiedIdNotFound');
  });

  it('lists paged, sorted and filtered', async () => {
    const page = (q: string) => inject('viewer', 'GET', `/api/v1/tenants?${q}`).then((r) => r.json() as { items: Array<{ name: string; type: string }>; total: number });
    expect((await page('sort=name')).items.map((t) => t.name)).toEqual(['Alpha', 'bravo', 'Charlie', 'Delta']);
    expect((await page('sort=name&order=desc&limit=2')).items.map((t) => t.name)).toEqual(['Delta', 'Charlie']);
    const second = await page('sort=name&limit=2&offset=2');
    expect(second).toMatchObject({ total: 4 });
    expect(second.items.map((t) => t.name)).toEqual(['Charlie', 'Delta']);
    expect((await page('name=RAV')).items.map((t) => t.name)).toEqual(['bravo']);
    expect((await page('type=Complete')).items.map((t) => t.name)).toEqual(['Delta']);
    expect((await page('status=Active')).total).toBe(0);
    expect((await inject('viewer', 'GET', '/api/v1/tenants?sort=password')).statusCode).toBe(400);
  });

  it('activates, registers VMs, and keeps the discovery lookup (tenantOfVm) current', async () => {
    const { tenants } = lab.server.services;
    const delta = (await inject('admin', 'GET', '/api/v1/tenants?name=Delta').then((r) => r.json())).items[0].id as string;
    const bios = randomUUID().toUpperCase();
    expect(tenants.tenantOfVm(bios)).toBeUndefined();
    const reg = await inject('admin', 'POST', `/api/v1/tenants/${delta}/vms`, [{ biosId: bios, name: 'delta-vm' }]);
    expect(reg.statusCode, reg.body).toBe(201);
    expect(tenants.tenantOfVm(bios)).toEqual({ type: 'Complete', status: 'Inactive' });
    const dup = await inject('admin', 'POST', `/api/v1/tenants/${delta}/vms`, [{ biosId: bios.toLowerCase() }]);
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('VIRMT_VmWithSpecifiedBiosIdAlreadyExists');

    const on = await inject('admin', 'POST', `/api/v1/tenants/${delta}/activate`);
    expect(on.statusCode).toBe(202);
    expect((await finished(on.json().id)).result).toBe(true);
    expect(tenants.tenantOfVm(bios.toLowerCase())).toEqual({ type: 'Complete', status: 'Active' });
    await finished((await inject('admin', 'POST', `/api/v1/tenants/${delta}/deactivate`)).json().id);
    expect(tenants.tenantOfVm(bios)?.status).toBe('Inactive');

    const vms = await inject('viewer', 'GET', `/api/v1/tenants/${delta}/vms`);
    expect(vms.json()).toMatchObject({ total: 1, items: [{ biosId: bios.toLowerCase(), name: 'delta-vm' }] });
    const vmId = vms.json().items[0].id;
    expect((await inject('admin', 'DELETE', `/api/v1/tenants/${delta}/vms/${vmId}`)).statusCode).toBe(200);
    expect(tenants.tenantOfVm(bios)).toBeUndefined();
    expect((await inject('admin', 'DELETE', `/api/v1/tenants/${delta}/vms/${vmId}`)).json().code).toBe('VIRMT_VmWithSpecifiedIdNotFound');

    await inject('admin', 'POST', `/api/v1/tenants/${delta}/vms`, [{ biosId: bios }]);
    const del = await inject('admin', 'DELETE', `/api/v1/tenants/${delta}?removeTenantArtifacts=true`);
    expect(del.statusCode).toBe(202);
    expect((await finished(del.json().id)).state).toBe('Completed');
    expect(tenants.tenantOfVm(bios)).toBeUndefined();
    expect(sim.snapshot().virtualServers).toEqual([]);
  });

  it('keeps viewer read-only', async () => {
    expect((await inject('viewer', 'POST', '/api/v1/tenants', { name: 'v', type: 'Simple' })).statusCode).toBe(403);
    expect((await inject('viewer', 'GET', '/api/v1/ksc')).json()).toMatchObject({ configured: true, passwordSet: true });
    expect((await inject('viewer', 'GET', '/api/v1/ksc')).body).not.toContain('Operator-Pa55!');
  });

  it('records every change, through either API, in the audit log: who, what, when, from where', async () => {
    const r = await lab.server.app.inject({
      method: 'POST',
      url: '/api/2.0/virtualization/tenants',
      headers: { ...lab.auth('multitenancy'), 'content-type': 'application/xml' },
      payload: '<tenant><name>Echo</name><type>Simple</type></tenant>',
      remoteAddress: '192.0.2.7',
    });
    expect(r.statusCode).toBe(202);
    const audit = (await inject('viewer', 'GET', '/api/v1/audit?limit=1000')).json() as { items: Array<Record<string, unknown>>; total: number };
    const actions = audit.items.map((e) => `${e.channel} ${e.account} ${e.action}`);
    expect(actions).toEqual(expect.arrayContaining(['vendor-api multitenancy tenant.create', 'json-api admin tenant.create', 'json-api admin ksc.set', 'json-api admin tenant.activate', 'json-api admin tenant.deactivate', 'json-api admin tenant.vm.register', 'json-api admin tenant.vm.unregister', 'json-api admin tenant.delete']));
    const echo = audit.items.find((e) => e.channel === 'vendor-api')!;
    expect(echo).toMatchObject({ address: '192.0.2.7', details: { name: 'Echo', type: 'Simple' } });
    expect(Date.parse(String(echo.at))).toBeGreaterThan(Date.now() - 60_000);
    expect(echo.taskId).toBe(r.body.match(/task id="([^"]+)"/)![1]);
    expect(JSON.stringify(audit)).not.toMatch(/Pa55/);
    expect((await inject('viewer', 'GET', '/api/v1/audit?action=tenant.delete')).json().total).toBe(1);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await inject('admin', 'GET', '/api/v1/openapi.json')).json() as { paths: Record<string, unknown> };
    for (const p of ['/api/v1/tenants', '/api/v1/tenants/{id}', '/api/v1/tenants/{id}/vms', '/api/v1/tenants/{id}/activate', '/api/v1/audit', '/api/v1/ksc', '/api/v1/ksc/probe']) expect(Object.keys(doc.paths)).toContain(p);
  });
});
