import type { DiscoverRequest, SvmReport } from '../../contract/agents.ts';

export type LabSize = { hypervisors: number; svms: number; tenants: number; agents: number };

/** An SVM of the lab: its report without the parts that change (counts, periods). */
export type LabSvmSpec = Omit<SvmReport, 'connectedAgents' | 'connectionPeriods' | 'averageLoad'> & { hypervisor: string };
export type LabAgentSpec = { request: DiscoverRequest; tenant: string; hypervisor: string };

const uuid = (kind: number, n: number) => `${kind.toString(16).padStart(8, '0')}-1ab0-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * A lab infrastructure: SVMs spread round-robin over the hypervisors of one data centre, agents
 * spread the same way over hypervisors and tenants. Every SVM and agent is compatible (SVM 6.1,
 * KES for Linux 12.1 in Light Agent mode, per-core licence, no tags, no channel encryption), so
 * where an agent lands is decided by locality and load alone: what the lab's spread check measures.
 */
export function labTopology(size: LabSize): { svms: LabSvmSpec[]; agents: LabAgentSpec[]; tenants: string[] } {
  const hv = (i: number) => `lab-hv-${(i % size.hypervisors) + 1}`;
  const tenants = Array.from({ length: Math.max(1, size.tenants) }, (_, i) => `tenant-${i + 1}`);
  const svms = Array.from({ length: size.svms }, (_, i): LabSvmSpec => ({
    biosId: uuid(0x5e, i + 1),
    name: `lab-svm-${String(i + 1).padStart(3, '0')}`,
    // Private addresses that lead nowhere: the lab's "network" maps them to the simulators.
    agentAddress: `10.77.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`,
    agentPorts: [9876, 9877],
    managementAddress: `10.78.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`,
    path: { kind: 'virtualization', hypervisor: hv(i), cluster: 'lab-cluster', datacenter: 'lab-dc' },
    hypervisor: hv(i),
    version: '6.1.0.57',
    licence: { edition: 'Enterprise', keyType: 'cores', expires: null, denylisted: false, addOns: [] },
    channelEncryption: 'off',
    connectionTags: { enabled: false, list: [] },
    largeInfrastructureMode: false,
    updateSource: { platforms: ['windows', 'linux'] },
  }));
  const agents = Array.from({ length: size.agents }, (_, j): LabAgentSpec => ({
    tenant: tenants[j % tenants.length]!,
    hypervisor: hv(j),
    request: {
      vmBiosId: uuid(0xa9, j + 1),
      vmName: `lab-vm-${String(j + 1).padStart(5, '0')}`,
      osKind: j % 4 === 0 ? 'desktop' : 'server',
      osFamily: 'linux',
      agentVersion: '12.1.0.1234',
      connectionTag: null,
      requiresConnectionProtection: false,
      algorithm: { kind: 'standard' },
      // Our inventory does not know lab VMs, so they say where they run.
      path: { kind: 'virtualization', hypervisor: hv(j), cluster: 'lab-cluster', datacenter: 'lab-dc' },
    },
  }));
  return { svms, agents, tenants };
}
