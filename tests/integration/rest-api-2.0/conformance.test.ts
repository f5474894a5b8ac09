import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdministrationServer, MULTITENANCY_FOLDER_NAME } from '../../../main/connectors/ksc/index.ts';
import { createSealer } from '../../../main/store/sealing.ts';
import { basic } from '../../support/https-client.ts';
import {
  b64,
  completeTenantXml,
  errorCode,
  KSC_PASSWORD,
  KSC_USER,
  parseTask,
  parseXml,
  readDataKey,
  simpleTenantXml,
  startVendorLab,
  tenantIdOf,
  type VendorLab,
} from './vendor-lab.ts';

/**
 * Every row of rest-api.md §6 except the two report methods (10, 11), every documented code, and
 * our answers to the [GAP]s (docs/rest-api-2.0.md), against `lightkeeper serve` over TLS.
 */
let lab: VendorLab;
const VENDOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const BIOS = () => randomUUID().toUpperCase();

beforeAll(async () => {
  lab = await startVendorLab();
});
afterAll(async () => {
  await lab?.stop();
});

async function simpleTenant(name: string): Promise<string> {
  const task = await lab.runTask('POST', '/tenants', simpleTenantXml(name));
  expect(task.state, JSON.stringify(task)).toBe('Completed');
  return tenantIdOf(task);
}

describe('row 4: POST /tenants', () => {
  it('202 with the full <task> and a Location header; the task builds a Simple tenant, Inactive', async () => {
    const r = await lab.vendor('POST', '/tenants', { body: '<tenant><name>Row4 Simple</name><description>d</description><userData><![CDATA[<free & text>]]></userData><preferredViisAddress>10.1.2.3</preferredViisAddress><type>Simple</type></tenant>' });
    expect(r.status).toBe(202);
    expect(r.headers['content-type']).toMatch(/^application\/xml/);
    const task = parseTask(r.body);
    expect(r.headers.location).toBe(`/api/2.0/virtualization/tasks/${task.id}`);
    expect(task.type).toBe('CreateTenant');
    expect(['Queued', 'Starting', 'Running', 'Completed']).toContain(task.state);
    for (const t of [task.created, task.stateChanged, task.changed]) expect(t).toMatch(VENDOR_TIME);
    const done = await lab.waitTask(task.id);
    expect(done.state).toBe('Completed');
    expect(done.progress).toBe('100');
    const tenant = (done.result as { tenant: Array<Record<string, unknown>> }).tenant[0]!;
    expect(tenant).toMatchObject({ name: 'Row4 Simple', description: 'd', userData: '<free & text>', status: 'Inactive', type: 'Simple' });
    expect(tenant).not.toHaveProperty('vKsc');
    expect(tenant).not.toHaveProperty('preferredViisAddress');
    expect(String(tenant['@created'])).toMatch(VENDOR_TIME);
  });

  it('accepts text/xml and an omitted type (Simple without <vKsc>)', async () => {
    const r = await lab.vendor('POST', '/tenants', { body: '<tenant><name>Row4 NoType</name></tenant>', contentType: 'text/xml; charset=utf-8' });
    expect(r.status).toBe(202);
    const done = await lab.waitTask(parseTask(r.body).id);
    expect((done.result as { tenant: Array<{ type: string }> }).tenant[0]!.type).toBe('Simple');
  });

  it.each([
    ['<tenant><description>no name</description><type>Simple</type></tenant>', 'VIRMT_MandatoryParameterIsNotSpecified', 'name'],
    ['<tenant><name>x</name><type>Medium</type></tenant>', 'VIRMT_InvalidTenantType', 'type'],
    ['<tenant><name>x</name><type>Complete</type></tenant>', 'VIRMT_VKscCredentialsNotSpecified', 'vKsc/user'],
    [`<tenant><name>x</name><type>Complete</type><vKsc><user><name>a</name></user></vKsc></tenant>`, 'VIRMT_VKscCredentialsNotSpecified', 'vKsc/user'],
    [`<tenant><name>x</name><type>Simple</type><preferredViisAddress>10.0.0.256</preferredViisAddress></tenant>`, 'VIRMT_InvalidViisAddressFormat', 'preferredViisAddress'],
    [`<tenant><name>x</name><type>Simple</type><preferredViisAddress>not-an-ip</preferredViisAddress></tenant>`, 'VIRMT_InvalidViisAddressFormat', 'preferredViisAddress'],
    [`<tenant><name>${'n'.repeat(200)}</name><type>Simple</type></tenant>`, 'LK_InvalidParameterValue', 'name'],
    [`<tenant><name><b>x</b></name><type>Simple</type></tenant>`, 'LK_InvalidParameterValue', 'name'],
    [`<tenant><name>x</name><type>Complete</type><vKsc><user><name>a</name><password>%%%</password></user></vKsc></tenant>`, 'LK_InvalidParameterValue', 'vKsc/user/password'],
  ])('400 %#: %s → %s', async (body, code, field) => {
    const before = lab.dbState();
    const r = await lab.vendor('POST', '/tenants', { body });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe(code);
    expect(String((parseXml(r.body).error as { message: string }).message)).toContain(field);
    expect(lab.dbState()).toEqual(before);
  });

  it('refuses a body that is not XML, not UTF-8, or too large, naming the problem', async () => {
    expect(errorCode(await lab.vendor('POST', '/tenants', { body: '{"name":"x"}', contentType: 'application/json' }))).toBe('LK_UnsupportedMediaType');
    expect((await lab.vendor('POST', '/tenants', { body: '<tenant/>', contentType: 'application/xml; charset=iso-8859-1' })).status).toBe(415);
    expect(await lab.oversized('/tenants', `<tenant><name>x</name><userData>${'x'.repeat(1024 * 1024 + 10)}</userData></tenant>`)).toBe(413);
    const malformed = await lab.vendor('POST', '/tenants', { body: '<tenant><name>x</tenant>' });
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe('LK_MalformedXml');
    expect(errorCode(await lab.vendor('POST', '/tenants', { body: '<vm biosId="x"/>' }))).toBe('LK_InvalidParameterValue');
  });

  it('refuses DTDs: XXE and entity expansion never reach the parser', async () => {
    const xxe = await lab.vendor('POST', '/tenants', { body: '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><tenant><name>&x;</name></tenant>' });
    expect(xxe.status).toBe(400);
    expect(errorCode(xxe)).toBe('LK_XmlDtdNotAllowed');
    expect(xxe.body).not.toContain('root:');
    const laughs = `<!DOCTYPE l [<!ENTITY a "ha">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><tenant><name>&j;</name></tenant>`;
    expect(errorCode(await lab.vendor('POST', '/tenants', { body: laughs }))).toBe('LK_XmlDtdNotAllowed');
    expect(errorCode(await lab.vendor('POST', '/tenants', { body: '<tenant><name>&nbsp;</name></tenant>' }))).toBe('LK_MalformedXml');
  });

  it('task error VIRMT_TenantWithSpecifiedNameAlreadyExists for a taken name (any case)', async () => {
    await simpleTenant('Row4 Taken');
    const task = await lab.runTask('POST', '/tenants', simpleTenantXml('ROW4 TAKEN'));
    expect(task.state).toBe('Failed');
    expect(task.error?.code).toBe('VIRMT_TenantWithSpecifiedNameAlreadyExists');
    expect(task).not.toHaveProperty('result');
  });

  it('task error KSC_ServiceNotConfigured for a Complete tenant without connection settings; Simple still works', async () => {
    await lab.clearKsc();
    const task = await lab.runTask('POST', '/tenants', completeTenantXml('Row4 NoKsc'));
    expect(task.state).toBe('Failed');
    expect(task.error?.code).toBe('KSC_ServiceNotConfigured');
    expect(lab.dbState().tenants.some((t) => (t as { name: string }).name === 'Row4 NoKsc')).toBe(false);
    expect((await lab.runTask('POST', '/tenants', simpleTenantXml('Row4 Simple NoKsc'))).state).toBe('Completed');
  });

  it('task error VIRMT_TenantGroupAlreadyExists when the tenant folder exists on the Administration Server', async () => {
    await lab.configureKsc();
    const ksc = createAdministrationServer({ address: '127.0.0.1', port: lab.sim.port, user: KSC_USER, password: KSC_PASSWORD, pinnedFingerprint: lab.sim.fingerprint });
    const shared = await ksc.ensureMultitenancyFolder();
    const taken = await ksc.createTenantFolder('Row4 Folder Taken', shared.id);
    const before = lab.sim.snapshot();
    const task = await lab.runTask('POST', '/tenants', completeTenantXml('Row4 Folder Taken'));
    expect(task.state).toBe('Failed');
    expect(task.error?.code).toBe('VIRMT_TenantGroupAlreadyExists');
    expect(lab.sim.snapshot()).toEqual(before);
    await ksc.deleteFolder(taken.id);
    if (shared.created) await ksc.deleteFolder(shared.id);
    await ksc.close();
  });
});

describe('rows 1–3: reading tenants', () => {
  it('row 1 lists every tenant in <tenants>; row 2 shows one <tenant> with the vendor element names', async () => {
    const created = await lab.runTask('POST', '/tenants', completeTenantXml('Rows123 Complete', 'rows123-admin'));
    expect(created.state, JSON.stringify(created)).toBe('Completed');
    const id = tenantIdOf(created);
    const list = await lab.vendor('GET', '/tenants');
    expect(list.status).toBe(200);
    expect(list.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><tenants>/);
    const all = parseXml(list.body).tenants as { tenant: Array<Record<string, unknown>> };
    expect(all.tenant.map((t) => t['@id'])).toContain(id);
    const one = await lab.vendor('GET', `/tenants/${id}`);
    expect(one.status).toBe(200);
    const t = (parseXml(one.body).tenant as Array<Record<string, unknown>>)[0]!;
    expect(Object.keys(t).sort()).toEqual(['@created', '@id', '@updated', 'description', 'name', 'status', 'type', 'userData', 'vKsc'].sort());
    expect(t).toMatchObject({ name: 'Rows123 Complete', status: 'Inactive', type: 'Complete', vKsc: { user: { name: 'rows123-admin' } } });
    const vKscId = Number((t.vKsc as Record<string, string>)['@id']);
    expect(lab.sim.snapshot().virtualServers.map((v) => v.id)).toContain(vKscId);
    expect(one.body).toContain('<userData><![CDATA[billing-id=Rows123 Complete]]></userData>');
    expect(one.body).not.toContain(b64('Tenant-Rows123 Complete-Pa55!'));
    expect(one.body).not.toContain('password');
  });

  it('row 2 and row 3 answer 404 VIRMT_TenantWithSpecifiedIdNotFound for an unknown id', async () => {
    for (const path of [`/tenants/${randomUUID()}`, `/tenants/${randomUUID()}/vms`, '/tenants/not-a-uuid']) {
      const r = await lab.vendor('GET', path);
      expect(r.status).toBe(404);
      expect(errorCode(r)).toBe('VIRMT_TenantWithSpecifiedIdNotFound');
    }
  });
});

describe('rows 3, 7, 8: VMs', () => {
  it('registers by BIOS id (unique across the server), lists in <vms>, unregisters by biosId or vmId', async () => {
    const a = await simpleTenant('VMs A');
    const b = await simpleTenant('VMs B');
    const bios1 = BIOS();
    const reg = await lab.vendor('POST', `/tenants/${a}/vms/register`, { body: `<vm biosId="${bios1}"><name>web-01</name><userData><![CDATA[rack 4]]></userData></vm>` });
    expect(reg.status).toBe(200);
    const vm = (parseXml(reg.body).vm as Array<Record<string, string>>)[0]!;
    expect(vm['@biosId']).toBe(bios1.toLowerCase());
    expect(vm['@id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(vm['@created']).toMatch(VENDOR_TIME);
    expect(vm.name).toBe('web-01');

    const dup = await lab.vendor('POST', `/tenants/${b}/vms/register`, { body: `<vm biosId="${bios1.toLowerCase()}"/>` });
    expect(dup.status).toBe(409);
    expect(errorCode(dup)).toBe('VIRMT_VmWithSpecifiedBiosIdAlreadyExists');

    const [bios2, bios3] = [BIOS(), BIOS()];
    const many = await lab.vendor('POST', `/tenants/${a}/vms/register`, { body: `<vms><vm biosId="${bios2}"><name>db-01</name></vm><vm biosId="${bios3}"/></vms>` });
    expect(many.status).toBe(200);
    expect((parseXml(many.body).vms as { vm: unknown[] }).vm).toHaveLength(2);
    const halfDup = await lab.vendor('POST', `/tenants/${b}/vms/register`, { body: `<vms><vm biosId="${BIOS()}"/><vm biosId="${bios3}"/></vms>` });
    expect(halfDup.status).toBe(409);
    expect(((parseXml((await lab.vendor('GET', `/tenants/${b}/vms`)).body).vms as { vm?: unknown[] }).vm ?? []).length).toBe(0);

    const list = await lab.vendor('GET', `/tenants/${a}/vms`);
    expect(list.status).toBe(200);
    const vms = (parseXml(list.body).vms as { vm: Array<Record<string, string>> }).vm;
    expect(vms.map((v) => v['@biosId']).sort()).toEqual([bios1, bios2, bios3].map((x) => x.toLowerCase()).sort());

    const byBios = await lab.vendor('POST', `/tenants/${a}/vms/unregister?biosId=${bios1}`);
    expect(byBios.status).toBe(200);
    const vm2 = vms.find((v) => v['@biosId'] === bios2.toLowerCase())!;
    expect((await lab.vendor('POST', `/tenants/${a}/vms/unregister?vmId=${vm2['@id']}`)).status).toBe(200);
    const again = await lab.vendor('POST', `/tenants/${a}/vms/unregister?biosId=${bios1}`);
    expect(again.status).toBe(404);
    expect(errorCode(again)).toBe('VIRMT_VmWithSpecifiedIdNotFound');
    const otherTenant = await lab.vendor('POST', `/tenants/${b}/vms/unregister?biosId=${bios3}`);
    expect(errorCode(otherTenant)).toBe('VIRMT_VmWithSpecifiedIdNotFound');
    expect((await lab.vendor('POST', `/tenants/${a}/vms/register`, { body: `<vm biosId="${bios1}"/>` })).status).toBe(200);
  });

  it('answers 404 VIRMT_TenantWithSpecifiedIdNotFound for an unknown tenant, 400 for bad input', async () => {
    const unknown = randomUUID();
    expect(errorCode(await lab.vendor('POST', `/tenants/${unknown}/vms/register`, { body: `<vm biosId="${BIOS()}"/>` }))).toBe('VIRMT_TenantWithSpecifiedIdNotFound');
    expect(errorCode(await lab.vendor('POST', `/tenants/${unknown}/vms/unregister?biosId=${BIOS()}`))).toBe('VIRMT_TenantWithSpecifiedIdNotFound');
    const t = await simpleTenant('VMs Bad Input');
    for (const [body, code] of [
      ['<vm><name>x</name></vm>', 'VIRMT_MandatoryParameterIsNotSpecified'],
      ['<vm biosId="12345"/>', 'LK_InvalidParameterValue'],
      [`<vm biosId="${BIOS()}"><name><x/></name></vm>`, 'LK_InvalidParameterValue'],
      ['<tenant/>', 'LK_InvalidParameterValue'],
    ] as const) {
      const r = await lab.vendor('POST', `/tenants/${t}/vms/register`, { body });
      expect(r.status, body).toBe(400);
      expect(errorCode(r), body).toBe(code);
    }
    expect(errorCode(await lab.vendor('POST', `/tenants/${t}/vms/unregister`))).toBe('VIRMT_MandatoryParameterIsNotSpecified');
    expect(errorCode(await lab.vendor('POST', `/tenants/${t}/vms/unregister?biosId=zzz`))).toBe('LK_InvalidParameterValue');
  });
});

describe('rows 5, 6: activate and deactivate', () => {
  it('202 → ChangeTenantActivation task with <result>true</result>; the status follows', async () => {
    const id = await simpleTenant('Activation');
    const on = await lab.runTask('POST', `/tenants/${id}/activate`);
    expect(on).toMatchObject({ type: 'ChangeTenantActivation', state: 'Completed', result: 'true' });
    expect((parseXml((await lab.vendor('GET', `/tenants/${id}`)).body).tenant as Array<{ status: string }>)[0]!.status).toBe('Active');
    const off = await lab.runTask('POST', `/tenants/${id}/deactivate`);
    expect(off).toMatchObject({ state: 'Completed', result: 'true' });
    expect((parseXml((await lab.vendor('GET', `/tenants/${id}`)).body).tenant as Array<{ status: string }>)[0]!.status).toBe('Inactive');
  });

  it('an unknown tenant is a task error, not a 404', async () => {
    for (const change of ['activate', 'deactivate']) {
      const task = await lab.runTask('POST', `/tenants/${randomUUID()}/${change}`);
      expect(task.state).toBe('Failed');
      expect(task.error?.code).toBe('VIRMT_TenantWithSpecifiedIdNotFound');
    }
  });

  it('a Complete tenant needs the Administration Server settings (KSC_ServiceNotConfigured)', async () => {
    const created = await lab.runTask('POST', '/tenants', completeTenantXml('Activation Complete'));
    expect(created.state).toBe('Completed');
    await lab.clearKsc();
    try {
      const task = await lab.runTask('POST', `/tenants/${tenantIdOf(created)}/activate`);
      expect(task.error?.code).toBe('KSC_ServiceNotConfigured');
    } finally {
      await lab.configureKsc();
    }
  });
});

describe('row 9: DELETE /tenants/{id}', () => {
  it('removes only our record by default; with removeTenantArtifacts=true also the vAS, account and folders', async () => {
    const a = tenantIdOf(await lab.runTask('POST', '/tenants', completeTenantXml('Delete Keep', 'delete-keep-admin')));
    const kept = await lab.runTask('DELETE', `/tenants/${a}`);
    expect(kept).toMatchObject({ type: 'DeleteTenant', state: 'Completed' });
    expect((kept.result as { tenant: Array<{ name: string }> }).tenant[0]!.name).toBe('Delete Keep');
    expect((await lab.vendor('GET', `/tenants/${a}`)).status).toBe(404);
    expect(lab.sim.snapshot().accounts.some((x) => x.name === 'delete-keep-admin')).toBe(true);

    const b = tenantIdOf(await lab.runTask('POST', '/tenants', completeTenantXml('Delete Artifacts', 'delete-artifacts-admin')));
    const vAS = lab.sim.snapshot().virtualServers.find((v) => v.displayName === 'Delete Artifacts')!;
    const removed = await lab.runTask('DELETE', `/tenants/${b}?removeTenantArtifacts=true`);
    expect(removed.state, JSON.stringify(removed)).toBe('Completed');
    const after = lab.sim.snapshot();
    expect(after.virtualServers.some((v) => v.id === vAS.id)).toBe(false);
    expect(after.accounts.some((x) => x.name === 'delete-artifacts-admin')).toBe(false);
    expect(after.groups.some((g) => g.name === 'Delete Artifacts')).toBe(false);
  });

  it('task error VIRMT_TenantWithSpecifiedIdNotFound; KSC_ServiceNotConfigured only when artifacts go; 400 for a bad flag', async () => {
    expect((await lab.runTask('DELETE', `/tenants/${randomUUID()}`)).error?.code).toBe('VIRMT_TenantWithSpecifiedIdNotFound');
    const c = tenantIdOf(await lab.runTask('POST', '/tenants', completeTenantXml('Delete NoKsc')));
    await lab.clearKsc();
    try {
      const task = await lab.runTask('DELETE', `/tenants/${c}?removeTenantArtifacts=true`);
      expect(task.error?.code).toBe('KSC_ServiceNotConfigured');
      expect((await lab.vendor('GET', `/tenants/${c}`)).status).toBe(200);
    } finally {
      await lab.configureKsc();
    }
    expect(errorCode(await lab.vendor('DELETE', `/tenants/${c}?removeTenantArtifacts=maybe`))).toBe('LK_InvalidParameterValue');
    expect((await lab.runTask('DELETE', `/tenants/${c}?removeTenantArtifacts=TRUE`)).state).toBe('Completed');
  });
});

describe('rows 12–14: tasks', () => {
  it('row 12: one <task>; 404 for an unknown id', async () => {
    const r = await lab.vendor('POST', '/tenants', { body: simpleTenantXml('Tasks Row12') });
    const id = parseTask(r.body).id;
    const got = await lab.vendor('GET', `/tasks/${id}`);
    expect(got.status).toBe(200);
    expect(Object.keys((parseXml(got.body).task as Array<Record<string, unknown>>)[0]!).sort()).toEqual(
      expect.arrayContaining(['@id', '@created', '@stateChanged', '@changed', 'state', 'type', 'stage', 'progress']),
    );
    const missing = await lab.vendor('GET', `/tasks/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('LK_TaskWithSpecifiedIdNotFound');
  });

  it('row 13: <tasks> filtered by createdFrom, state and type', async () => {
    const all = parseXml((await lab.vendor('GET', '/tasks')).body).tasks as { task: Array<Record<string, string>> };
    expect(all.task.length).toBeGreaterThan(5);
    const failed = parseXml((await lab.vendor('GET', '/tasks?state=Failed&type=CreateTenant')).body).tasks as { task: Array<Record<string, string>> };
    expect(failed.task.length).toBeGreaterThan(0);
    expect(failed.task.every((t) => t.state === 'Failed' && t.type === 'CreateTenant')).toBe(true);
    const future = await lab.vendor('GET', '/tasks?createdFrom=2999-01-01T00:00:00');
    expect(future.body).toMatch(/<tasks><\/tasks>$/);
    const latest = all.task.map((t) => t['@created']!).sort().at(-1)!;
    const since = parseXml((await lab.vendor('GET', `/tasks?createdFrom=${latest}`)).body).tasks as { task: Array<Record<string, string>> };
    expect(since.task.every((t) => t['@created']! >= latest)).toBe(true);
    for (const bad of ['createdFrom=yesterday', 'createdFrom=2026-02-31T00:00:00', 'state=Done', 'state=Failed&state=Completed']) {
      const r = await lab.vendor('GET', `/tasks?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(errorCode(r)).toBe('LK_InvalidParameterValue');
    }
  });

  it('row 14: cancel answers 200 (queued), 202 → Stopping (running), 404, 405 (child task), 409 (finished)', async () => {
    const selfTest = async () => JSON.parse((await lab.json('POST', '/diagnostics/self-test-task', { steps: 20, stepMilliseconds: 500 })).body).id as string;
    // The default four runners busy, so the fifth waits in the queue.
    const running = [await selfTest(), await selfTest(), await selfTest(), await selfTest()];
    const queued = await selfTest();
    const c200 = await lab.vendor('POST', `/tasks/${queued}/cancel`);
    expect(c200.status).toBe(200);
    expect(parseTask(c200.body).state).toBe('Canceled');
    for (let i = 0; i < 100 && parseTask((await lab.vendor('GET', `/tasks/${running[0]}`)).body).state !== 'Running'; i++) await sleep(20);
    const c202 = await lab.vendor('POST', `/tasks/${running[0]}/cancel`);
    expect(c202.status).toBe(202);
    expect(parseTask(c202.body).state).toBe('Stopping');
    for (const id of running.slice(1)) await lab.vendor('POST', `/tasks/${id}/cancel`);
    expect((await lab.waitTask(running[0]!)).state).toBe('Canceled');
    const c409 = await lab.vendor('POST', `/tasks/${running[0]}/cancel`);
    expect(c409.status).toBe(409);
    expect(errorCode(c409)).toBe('LK_TaskAlreadyFinished');
    const c404 = await lab.vendor('POST', `/tasks/${randomUUID()}/cancel`);
    expect(c404.status).toBe(404);

    // No tenant task has children; a child row written as the engine writes one proves the 405 path.
    const sealer = createSealer(readDataKey(lab.dataDir));
    const db = new DatabaseSync(join(lab.dataDir, 'lightkeeper.sqlite'));
    const child = randomUUID();
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO tasks (id, type, state, stage, progress, parent_id, created_by, params_sealed, memo_sealed, created, state_changed, changed)
       VALUES (?, 'SelfTest', 'Running', 'Running', 0, ?, 'admin', ?, ?, ?, ?, ?)`,
    ).run(child, queued, sealer.seal('{}'), sealer.seal('{}'), now, now, now);
    db.close();
    const c405 = await lab.vendor('POST', `/tasks/${child}/cancel`);
    expect(c405.status).toBe(405);
    expect(errorCode(c405)).toBe('LK_ChildTaskCannotBeCanceled');
    expect((parseXml((await lab.vendor('GET', `/tasks/${child}`)).body).task as Array<Record<string, string>>)[0]!['@parentId']).toBe(queued);
  });
});

describe('the Multitenancy folder', () => {
  it('is created with the first Complete tenant and shared by the next', async () => {
    const names = lab.sim.snapshot().groups.filter((g) => g.name === MULTITENANCY_FOLDER_NAME);
    expect(names).toHaveLength(1);
  });
});

// Last: wrong passwords get this address throttled, as they should.
describe('access (rest-api.md §1)', () => {
  const rows: Array<[string, string]> = [
    ['GET', '/tenants'],
    ['GET', '/tenants/x'],
    ['GET', '/tenants/x/vms'],
    ['POST', '/tenants'],
    ['POST', '/tenants/x/activate'],
    ['POST', '/tenants/x/deactivate'],
    ['POST', '/tenants/x/vms/register'],
    ['POST', '/tenants/x/vms/unregister?biosId=x'],
    ['DELETE', '/tenants/x'],
    ['GET', '/tasks/x'],
    ['GET', '/tasks'],
    ['POST', '/tasks/x/cancel'],
  ];

  it('lets admin in as well as multitenancy', async () => {
    expect((await lab.vendor('GET', '/tenants', { account: 'admin' })).status).toBe(200);
    expect((await lab.vendor('GET', '/tenants', { account: 'multitenancy' })).status).toBe(200);
  });
  it('answers 403 with the XML error to no, wrong, or out-of-scope credentials on every row', async () => {
    for (const [method, path] of rows) {
      for (const auth of ['', basic('multitenancy', 'Wrong-Pa55word!'), lab.as('svm'), lab.as('agent'), lab.as('viewer')]) {
        const r = await lab.vendor(method, path, { auth, ...(method === 'POST' ? { body: '<tenant/>' } : {}) });
        expect(r.status, `${method} ${path}`).toBe(403);
        expect(r.headers['content-type']).toMatch(/^application\/xml/);
        expect(errorCode(r)).toBe('AccessDenied');
        expect(r.headers['www-authenticate']).toBeUndefined();
      }
    }
  });

});
