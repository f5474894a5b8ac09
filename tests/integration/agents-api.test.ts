// The agent protocol and the SVM views through inject(): scopes, validation, discovery, svm-info.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoverAnswer } from '../../main/contract/agents.ts';
import type { ServerEvent } from '../../main/contract/events.ts';
import type { SvmInfo, SvmInfoSameName, SvmList } from '../../main/contract/svms.ts';
import { inProcessServer } from '../support/in-process-server.ts';
import { discoverRequest, svmReport, uuid } from '../support/agent-fixtures.ts';

let ctx: Awaited<ReturnType<typeof inProcessServer>>;
const events: ServerEvent[] = [];
beforeAll(async () => {
  ctx = await inProcessServer();
  ctx.server.services.events.subscribe((e) => events.push(e));
});
afterAll(() => ctx.server.stop());

type Account = 'admin' | 'svm' | 'agent' | 'viewer' | 'multitenancy';
const post = (url: string, account: Account | null, payload: unknown) =>
  ctx.server.app.inject({ method: 'POST', url, headers: account ? ctx.auth(account) : {}, ...(typeof payload === 'string' ? { payload, headers: { ...(account ? ctx.auth(account) : {}), 'content-type': 'application/json' } } : { payload: payload as object }) });
const get = (url: string, account: Account = 'viewer', headers: Record<string, string> = {}) => ctx.server.app.inject({ method: 'GET', url, headers: { ...ctx.auth(account), ...headers } });
const report = (body: unknown, account: Account | null = 'svm') => post('/api/agents/v1/svm/report', account, body);
const discover = (body: unknown, account: Account | null = 'agent') => post('/api/agents/v1/agent/discover', account, body);

describe('who may use the agent channels', () => {
  it('lets svm report and agent discover', async () => {
    expect((await report(svmReport(100))).statusCode).toBe(200);
    expect((await discover(discoverRequest(100))).statusCode).toBe(200);
  });

  it.each([
    ['agent', 'report'],
    ['viewer', 'report'],
    ['multitenancy', 'report'],
    ['svm', 'discover'],
    ['viewer', 'discover'],
  ] as const)('answers 403 to %s on %s', async (account, channel) => {
    const r = channel === 'report' ? await report(svmReport(101), account) : await discover(discoverRequest(101), account);
    expect(r.statusCode).toBe(403);
  });

  it('answers 401 without credentials', async () => {
    expect((await report(svmReport(101), null)).statusCode).toBe(401);
    expect((await discover(discoverRequest(101), null)).statusCode).toBe(401);
  });
});

describe('bad input', () => {
  const message = async (r: Awaited<ReturnType<typeof report>>) => {
    expect(r.statusCode).toBe(400);
    return r.json<{ message: string }>().message;
  };

  it('refuses malformed JSON', async () => {
    expect((await report('{"biosId": ')).statusCode).toBe(400);
    expect((await discover('[1,2')).statusCode).toBe(400);
  });

  it('names the field: negative load, a million tags, a bad UUID, a missing OS family', async () => {
    expect(await message(await report(svmReport(102, { averageLoad: -1 })))).toContain('averageLoad');
    const tags = Array.from({ length: 1_000_000 }, () => 'a');
    expect(await message(await report(svmReport(102, { connectionTags: { enabled: true, list: tags } })))).toContain('connectionTags/list');
    expect(await message(await discover({ ...discoverRequest(102), vmBiosId: 'not-a-uuid' }))).toContain('vmBiosId');
    const { osFamily: _o, ...noFamily } = discoverRequest(102);
    expect(await message(await discover(noFamily))).toContain('osFamily');
  });

  it('refuses a period that ends before it starts, naming it', async () => {
    const periods = [{ vmBiosId: uuid(0xa9, 1), start: '2026-01-01T10:00:00Z', end: '2026-01-01T09:00:00Z' }];
    expect(await message(await report(svmReport(103, { connectionPeriods: periods })))).toBe('body/connectionPeriods/0/end is before its start.');
  });

  it('takes a report with 10,000 periods but refuses a body beyond the limit', async () => {
    const periods = Array.from({ length: 10_000 }, (_, i) => ({ vmBiosId: uuid(0xb0, i), start: '2026-01-01T10:00:00.000Z', end: null }));
    expect((await report(svmReport(104, { connectionPeriods: periods }))).statusCode).toBe(200);
    const huge = JSON.stringify({ ...svmReport(104), name: 'x'.repeat(5 * 1024 * 1024) });
    expect((await report(huge)).statusCode).toBe(413);
  });

  it('flags another machine reporting a fresh SVM identity from a different address, and logs it', async () => {
    expect((await report(svmReport(106))).statusCode).toBe(200);
    expect((await report(svmReport(106, { managementAddress: '10.66.6.6' }))).statusCode).toBe(200);
    const svm = (await get(`/api/v1/svms/${svmReport(106).biosId}`)).json();
    expect(svm.identityConflict).toMatchObject({ previousAddress: svmReport(106).managementAddress, address: '10.66.6.6' });
  });

  it('keeps serving after all of that', async () => {
    expect((await discover(discoverRequest(105))).statusCode).toBe(200);
  });
});

describe('discovery', () => {
  it('spreads a burst of agents over equal local SVMs: each pointing counts until the next report', async () => {
    const ids = [110, 111, 112].map((n) => svmReport(n, { path: { kind: 'virtualization', hypervisor: 'burst-hv', cluster: null, datacenter: null } }));
    for (const r of ids) expect((await report(r)).statusCode).toBe(200);
    const firsts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const r = await discover(discoverRequest(1000 + i, { path: { kind: 'virtualization', hypervisor: 'burst-hv', cluster: null, datacenter: null } }));
      const first = r.json<DiscoverAnswer>().svms[0]!.name;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    expect(Object.fromEntries(firsts)).toEqual({ 'svm-0110': 10, 'svm-0111': 10, 'svm-0112': 10 });
  });

  it('gives the same answer to an agent asking again: its own pointing does not count against it', async () => {
    const req = discoverRequest(2000, { path: { kind: 'virtualization', hypervisor: 'burst-hv', cluster: null, datacenter: null } });
    const a = (await discover(req)).json<DiscoverAnswer>();
    const b = (await discover(req)).json<DiscoverAnswer>();
    expect(b.svms.map((s) => s.id)).toEqual(a.svms.map((s) => s.id));
  });

  it('takes every algorithm and path shape a Light Agent sends, whole, whatever unknown fields come with them', async () => {
    const algorithms = [{ kind: 'standard' }, ...(['hypervisor', 'cluster', 'datacenter', 'none'] as const).map((scope) => ({ kind: 'extended' as const, scope }))] as const;
    const paths = [
      { kind: 'virtualization', hypervisor: 'shape-hv', cluster: 'shape-cluster', datacenter: null },
      { kind: 'openstack', project: 'shape-project', serverGroup: null, availabilityZone: 'shape-az' },
    ] as const;
    let n = 2100;
    for (const algorithm of algorithms) {
      for (const path of paths) {
        const req = discoverRequest(n++, { algorithm, path });
        // Unknown fields are dropped, at every level, and take nothing of the known ones with them.
        const sent = { ...req, future: 1, algorithm: { ...algorithm, future: 1 }, path: { ...path, future: 1 } };
        const r = await discover(sent);
        expect(r.statusCode, r.body).toBe(200);
        const info = (await get(`/api/v1/diagnostics/svm-info?vm=${req.vmBiosId}`)).json<SvmInfo>();
        expect(info).toMatchObject({ algorithm, path, pathSource: 'agent' });
      }
    }
    const openstackSvm = svmReport(2100, { path: { kind: 'openstack', project: 'shape-project', serverGroup: 'g', availabilityZone: null } });
    expect((await report(openstackSvm)).statusCode).toBe(200);
    expect((await get(`/api/v1/svms/${openstackSvm.biosId}`)).json()).toMatchObject({ path: openstackSvm.path });
  });

  it('names the algorithm\'s missing scope and an unknown kind', async () => {
    const noScope = await discover(discoverRequest(2120, { algorithm: { kind: 'extended' } as never }));
    expect(noScope.statusCode).toBe(400);
    expect(noScope.json<{ message: string }>().message).toMatch(/body\/algorithm must have required property 'scope'/);
    const unknown = await discover(discoverRequest(2121, { algorithm: { kind: 'fastest' } as never }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ message: string }>().message).toMatch(/body\/algorithm.*kind/);
  });

  it('answers an empty list with a 30 s retry when nothing is eligible', async () => {
    const r = (await discover(discoverRequest(2001, { agentVersion: '1.0' }))).json<DiscoverAnswer>();
    expect(r).toEqual({ svms: [], askAgainSeconds: 30 });
  });

  it('gives an inactive Complete tenant only the sentinel; a Simple tenant changes nothing', async () => {
    const { svms } = ctx.server.services;
    const complete = discoverRequest(2002);
    const simple = discoverRequest(2003);
    const tenants = new Map([
      [complete.vmBiosId, { type: 'Complete' as const, status: 'Inactive' as const }],
      [simple.vmBiosId, { type: 'Simple' as const, status: 'Inactive' as const }],
    ]);
    svms.useTenantLookup({ tenantOfStoredVm: (b) => tenants.get(b) });
    try {
      const c = (await discover(complete)).json<DiscoverAnswer>();
      expect(c).toEqual({ svms: [svms.selectionSettings.sentinel], askAgainSeconds: 300 });
      expect(c.svms[0]!.address).toBe('192.0.2.1');
      const s = (await discover(simple)).json<DiscoverAnswer>();
      expect(s.svms.length).toBeGreaterThan(1);
    } finally {
      svms.useTenantLookup(ctx.server.services.tenants);
    }
  });
});

describe('the SVM list and svm-info', () => {
  it('pages SVMs by name and shows one by id', async () => {
    const page = (await get('/api/v1/svms?limit=2&offset=1')).json<SvmList>();
    expect(page.items).toHaveLength(2);
    expect(page.total).toBe(page.fresh + page.stale);
    // The counts as they are now, so a console that just connected need not wait for a change.
    expect(page.agents).toMatchObject({ svmsFresh: page.fresh, svmsStale: page.stale, vmsKnown: expect.any(Number), vmsWithSentinel: expect.any(Number) });
    expect(page.agents.vmsKnown).toBeGreaterThan(0);
    const all = (await get('/api/v1/svms?limit=1000')).json<SvmList>();
    const names = all.items.map((s) => s.name);
    expect(names).toEqual([...names].sort());
    expect(page.items.map((s) => s.name)).toEqual(names.slice(1, 3));
    const one = await get(`/api/v1/svms/${svmReport(110).biosId.toUpperCase()}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ name: 'svm-0110', state: 'fresh', licence: { valid: true }, managementAddress: svmReport(110).managementAddress });
    expect((await get(`/api/v1/svms/${uuid(1, 1)}`)).statusCode).toBe(404);
  });

  it('explains the choice for a VM by name or BIOS UUID, as JSON and as Name: value text', async () => {
    await report(svmReport(120, { version: '5.2.0.1', path: { kind: 'virtualization', hypervisor: 'burst-hv', cluster: null, datacenter: null } }));
    const byName = await get('/api/v1/diagnostics/svm-info?vm=VM-002000');
    expect(byName.statusCode).toBe(200);
    const info = byName.json<SvmInfo>();
    expect(info).toMatchObject({ vm: { name: 'vm-002000' }, discoveryMethod: 'Integration Server', outcome: 'svm', pathSource: 'agent', svm: { local: true } });
    expect(info.rejected.find((r) => r.name === 'svm-0120')!.reasons[0]!.code).toBe('VERSION_INCOMPATIBLE');
    const text = (await get(`/api/v1/diagnostics/svm-info?vm=${discoverRequest(2000).vmBiosId}`, 'viewer', { accept: 'text/plain' })).body;
    expect(text).toMatch(/^SVM discovery method: Integration Server$/m);
    expect(text).toMatch(/^Locality: Local /m);
    expect(text).toMatch(/svm-0120.*VERSION_INCOMPATIBLE/s);
  });

  it('says what to check for a VM no agent has asked about', async () => {
    const r = await get('/api/v1/diagnostics/svm-info?vm=nobody');
    expect(r.statusCode).toBe(404);
    expect(r.json<{ message: string }>().message).toMatch(/No Light Agent .* 'nobody'.*Check that/);
  });

  it('asks for the BIOS UUID when several VMs that asked share the name (clones), and answers by it', async () => {
    const clones = [3001, 3002].map((n) => discoverRequest(n, { vmName: 'Gold-Image' }));
    for (const c of clones) {
      expect((await discover(c)).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 5));
    }
    const byName = await get('/api/v1/diagnostics/svm-info?vm=gold-image');
    expect(byName.statusCode).toBe(409);
    const refusal = byName.json<SvmInfoSameName>();
    expect(refusal.code).toBe('VM_NAME_AMBIGUOUS');
    // The later to ask first, each with its own id, for a client to ask again by.
    expect(refusal.vms.map((v) => v.biosId)).toEqual([clones[1]!.vmBiosId, clones[0]!.vmBiosId]);
    expect(refusal.vms.every((v) => v.name === 'Gold-Image' && !Number.isNaN(Date.parse(v.lastAskedAt)))).toBe(true);
    expect(refusal.message).toMatch(/^2 VMs named 'gold-image' have asked/);
    for (const c of clones) expect(refusal.message).toContain(c.vmBiosId);
    expect(refusal.message).toMatch(/Ask again with the BIOS UUID/);
    const one = await get(`/api/v1/diagnostics/svm-info?vm=${clones[1]!.vmBiosId}`);
    expect(one.statusCode).toBe(200);
    expect(one.json<SvmInfo>().vm).toEqual({ biosId: clones[1]!.vmBiosId, name: 'Gold-Image' });
  });

  it('names the latest five of many clones in the message, and all of them in the body', async () => {
    const clones = Array.from({ length: 7 }, (_, i) => discoverRequest(3100 + i, { vmName: 'pool-desktop' }));
    for (const c of clones) {
      expect((await discover(c)).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 2));
    }
    const refusal = (await get('/api/v1/diagnostics/svm-info?vm=pool-desktop')).json<SvmInfoSameName>();
    expect(refusal.vms.map((v) => v.biosId)).toEqual(clones.map((c) => c.vmBiosId).reverse());
    expect(refusal.message).toMatch(/^7 VMs named 'pool-desktop' have asked .* and 2 more\. Ask again with the BIOS UUID/);
    for (const c of clones.slice(2)) expect(refusal.message).toContain(c.vmBiosId);
    for (const c of clones.slice(0, 2)) expect(refusal.message).not.toContain(c.vmBiosId);
  });

  it('published the SVMs coming up on the live channel', () => {
    const ups = events.filter((e) => e.name === 'svm.state' && e.data.state === 'up').map((e) => (e.data as { name: string }).name);
    expect(ups).toEqual(expect.arrayContaining(['svm-0100', 'svm-0110', 'svm-0120']));
  });
});

describe('DELETE /api/v1/svms/{id}', () => {
  const del = (id: string, account: Account) => ctx.server.app.inject({ method: 'DELETE', url: `/api/v1/svms/${id}`, headers: ctx.auth(account) });

  it('is for the administrator only', async () => {
    expect((await del(uuid(0x5e, 100), 'viewer')).statusCode).toBe(403);
  });

  it('answers 404 for an SVM that never reported, and 409 naming an SVM that still reports, which stays', async () => {
    const unknown = await del(uuid(0x5e, 0xdead), 'admin');
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'SVM_NOT_FOUND']);
    const fresh = await del(uuid(0x5e, 100), 'admin');
    expect(fresh.statusCode).toBe(409);
    expect(fresh.json()).toMatchObject({ code: 'SVM_STILL_REPORTING', message: expect.stringContaining('svm-0100') });
    expect((await get(`/api/v1/svms/${uuid(0x5e, 100)}`)).statusCode).toBe(200);
  });
});
