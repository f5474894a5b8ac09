import type { Tenant } from '../../../../main/contract/tenants.ts';

/**
 * What happens to a tenant's VMs when its protection is switched, in the words of the discovery
 * rules (design §5): said before the administrator confirms, not discovered afterwards.
 */
export function activationConsequence(tenant: Tenant, change: 'activate' | 'deactivate'): string {
  const vms = `${tenant.vmCount} registered VM${tenant.vmCount === 1 ? '' : 's'}`;
  if (tenant.type === 'Simple') {
    return `${tenant.name} is a Simple tenant: its status is a label for billing and scripts, and its ${vms} keep the SVMs they have either way.`;
  }
  return change === 'deactivate'
    ? `The ${vms} of ${tenant.name} lose protection: at their next discovery (within 5 minutes) their Light Agents get an address that cannot be reached instead of an SVM. Protected time stops counting for its reports.`
    : `The ${vms} of ${tenant.name} get SVMs again at their next discovery (within 30 seconds to 5 minutes), and protected time counts again.`;
}

export function deletionConsequence(tenant: Tenant, removeArtifacts: boolean): string {
  const base = `${tenant.name} and its ${tenant.vmCount} VM registration${tenant.vmCount === 1 ? '' : 's'} are removed; its VMs are no longer protected through this server.`;
  if (tenant.type === 'Simple') return base;
  return removeArtifacts
    ? `${base} Its virtual Administration Server and everything in it are deleted too. This cannot be undone.`
    : `${base} Its virtual Administration Server is kept, so it can be reattached or cleaned up later.`;
}
