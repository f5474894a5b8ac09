import type { Tenant, TenantVm } from '../contract/tenants.ts';
import type { TenantRecord, VmRecord } from '../store/repositories.ts';

/** The tenant as both APIs show it: never the administrator's password, never our KSC bookkeeping. */
export function tenantView(t: TenantRecord, vmCount: number): Tenant {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    userData: t.userData,
    preferredViisAddress: t.preferredViisAddress,
    type: t.type,
    status: t.status,
    vKsc: t.type === 'Complete' ? { id: t.vKscId, adminName: t.adminName ?? '' } : null,
    vmCount,
    created: t.created,
    updated: t.updated,
  };
}

export const vmView = (v: VmRecord): TenantVm => ({ ...v });
