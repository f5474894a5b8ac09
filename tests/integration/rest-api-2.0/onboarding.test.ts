import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKscClient } from '../../../main/connectors/ksc/index.ts';
import { completeTenantXml, parseXml, startVendorLab, tenantIdOf, type VendorLab } from './vendor-lab.ts';

let lab: VendorLab;
beforeAll(async () => {
  lab = await startVendorLab({ configureKsc: true });
});
afterAll(async () => {
  await lab?.stop();
});

const statusOf = async (id: string) => (parseXml((await lab.vendor('GET', `/tenants/${id}`)).body).tenant as Array<{ status: string }>)[0]!.status;

/** domain.md §6.2, as a provider's onboarding script drives it, against the Administration Server simulator. */
describe('onboarding a Complete tenant and taking it down again', () => {
  it('create → vAS and administrator exist → register VMs → activate → deactivate → delete with artifacts → nothing left', async () => {
    const initial = lab.sim.snapshot();

    // 2. Create the tenant and its virtual Administration Server.
    const password = 'Initial-Tenant-Pa55!';
    const created = await lab.runTask('POST', '/tenants', completeTenantXml('Northwind', 'northwind-admin', password));
    expect(created.state, JSON.stringify(created)).toBe('Completed');
    const id = tenantIdOf(created);
    const state = lab.sim.snapshot();
    const shared = state.groups.find((g) => g.name === 'Multitenancy KSV LA' && g.parentId === 0)!;
    const folder = state.groups.find((g) => g.name === 'Northwind' && g.parentId === shared.id)!;
    const vAS = state.virtualServers.find((v) => v.displayName === 'Northwind')!;
    expect(vAS.parentGroupId).toBe(folder.id);
    const admin = state.accounts.find((a) => a.name === 'northwind-admin')!;
    expect(vAS.permissions).toEqual([{ accountId: admin.id, allowMask: 0x7f, denyMask: 0 }]);
    expect((parseXml((await lab.vendor('GET', `/tenants/${id}`)).body).tenant as Array<{ vKsc: Record<string, string> }>)[0]!.vKsc['@id']).toBe(String(vAS.id));
    // The tenant administrator really can log in to the virtual server with the password sent in Base64.
    const tenantSession = createKscClient({ address: '127.0.0.1', port: lab.sim.port, user: 'northwind-admin', password, pinnedFingerprint: lab.sim.fingerprint, virtualServer: vAS.uid });
    await expect(tenantSession.login()).resolves.toBeUndefined();
    await tenantSession.close();

    // 6. Register the tenant's VMs by BIOS id.
    const vms = [randomUUID(), randomUUID(), randomUUID()];
    const reg = await lab.vendor('POST', `/tenants/${id}/vms/register`, { body: `<vms>${vms.map((b, i) => `<vm biosId="${b}"><name>nw-${i}</name></vm>`).join('')}</vms>` });
    expect(reg.status).toBe(200);

    // 7. Activate.
    expect((await lab.runTask('POST', `/tenants/${id}/activate`)).result).toBe('true');
    expect(await statusOf(id)).toBe('Active');

    // The protection report step (rest-api.md §4) belongs to the reports feature and is tested there.

    // Deactivate, then delete with everything it made on the Administration Server.
    expect((await lab.runTask('POST', `/tenants/${id}/deactivate`)).result).toBe('true');
    expect(await statusOf(id)).toBe('Inactive');
    const deleted = await lab.runTask('DELETE', `/tenants/${id}?removeTenantArtifacts=true`);
    expect(deleted.state, JSON.stringify(deleted)).toBe('Completed');
    expect(lab.sim.snapshot()).toEqual(initial);
    expect(lab.dbState()).toEqual({ tenants: [], vms: [] });
    expect((await lab.vendor('GET', '/tenants')).body).toMatch(/<tenants><\/tenants>$/);
  });
});
