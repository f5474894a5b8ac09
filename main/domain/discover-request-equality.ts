import type { DiscoverRequest, InfrastructurePath, SelectionAlgorithm } from '../contract/agents.ts';

/**
 * Whether two discovery requests say the same, field by field as `DiscoverRequestSchema` declares
 * them. A fleet asks the same thing every few minutes, and the agent directory keeps the request
 * it holds while the new one says the same; a generic deep comparison cost about 7,000 machine
 * instructions per ask (property lookups by name, own-key checks), these comparisons about a
 * hundred. The tests change every field the schema declares, so a field added there and not here
 * fails them. An absent `connectedSvmId` (unknown) differs from null (connected to none).
 */
export function sameDiscoverRequest(a: DiscoverRequest, b: DiscoverRequest): boolean {
  return (
    a.vmBiosId === b.vmBiosId &&
    a.vmName === b.vmName &&
    a.osKind === b.osKind &&
    a.osFamily === b.osFamily &&
    a.agentVersion === b.agentVersion &&
    a.connectionTag === b.connectionTag &&
    a.requiresConnectionProtection === b.requiresConnectionProtection &&
    a.connectedSvmId === b.connectedSvmId &&
    sameAlgorithm(a.algorithm, b.algorithm) &&
    samePath(a.path, b.path)
  );
}

function sameAlgorithm(a: SelectionAlgorithm, b: SelectionAlgorithm): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'standard' || a.scope === (b as typeof a).scope;
}

function samePath(a: InfrastructurePath | undefined, b: InfrastructurePath | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'virtualization') {
    const v = b as typeof a;
    return a.hypervisor === v.hypervisor && a.cluster === v.cluster && a.datacenter === v.datacenter;
  }
  const o = b as typeof a;
  return a.project === o.project && a.serverGroup === o.serverGroup && a.availabilityZone === o.availabilityZone;
}
