import type { TenantOfVm } from '../contract/tenants.ts';
import { normalizeBiosId } from '../domain/tenant-rules.ts';

/**
 * The in-memory answer to "which tenant is this VM in, and is it active?", asked on every Light
 * Agent discovery (design §5): a map lookup, no I/O. The tenant service updates it after every
 * change it commits, and loads it whole at start.
 */
export function createTenantDirectory() {
  const tenants = new Map<string, TenantOfVm>();
  const tenantOfBios = new Map<string, string>();
  const biosOfTenant = new Map<string, Set<string>>();

  const addVm = (biosId: string, tenantId: string): void => {
    tenantOfBios.set(biosId, tenantId);
    let set = biosOfTenant.get(tenantId);
    if (!set) biosOfTenant.set(tenantId, (set = new Set()));
    set.add(biosId);
  };

  /**
   * `tenantOfVm` for an id in its stored form (`normalizeBiosId`'s), as discovery has it: found as
   * it is, without the normalisation's regular expression on every request, most of which miss.
   */
  const tenantOfStoredVm = (bios: string): TenantOfVm | undefined => {
    const tenantId = tenantOfBios.get(bios);
    const facts = tenantId === undefined ? undefined : tenants.get(tenantId);
    return facts && { type: facts.type, status: facts.status };
  };

  return {
    load(allTenants: Iterable<{ id: string } & TenantOfVm>, vms: Iterable<{ biosId: string; tenantId: string }>): void {
      tenants.clear();
      tenantOfBios.clear();
      biosOfTenant.clear();
      for (const t of allTenants) tenants.set(t.id, { type: t.type, status: t.status });
      for (const vm of vms) addVm(vm.biosId, vm.tenantId);
    },
    setTenant(id: string, facts: TenantOfVm): void {
      tenants.set(id, { type: facts.type, status: facts.status });
    },
    removeTenant(id: string): void {
      tenants.delete(id);
      for (const bios of biosOfTenant.get(id) ?? []) tenantOfBios.delete(bios);
      biosOfTenant.delete(id);
    },
    addVm,
    removeVm(biosId: string): void {
      const tenantId = tenantOfBios.get(biosId);
      tenantOfBios.delete(biosId);
      if (tenantId) biosOfTenant.get(tenantId)?.delete(biosId);
    },
    /** The VM's tenant type and status, or undefined when the VM is registered to no tenant. */
    tenantOfVm(biosUuid: string): TenantOfVm | undefined {
      const found = tenantOfStoredVm(biosUuid);
      if (found !== undefined) return found;
      const bios = normalizeBiosId(biosUuid);
      return bios === undefined || bios === biosUuid ? undefined : tenantOfStoredVm(bios);
    },
    tenantOfStoredVm,
  };
}
export type TenantDirectory = ReturnType<typeof createTenantDirectory>;
