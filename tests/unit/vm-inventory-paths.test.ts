import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../main/connectors/hypervisor.ts';
import { vmPathsOf } from '../../main/services/vm-inventory.ts';

describe('placing VMs from an inventory', () => {
  const inventory = (over: Partial<Inventory>): Inventory => ({ platform: 'kvm', datacenters: [], clusters: [], hosts: [], storage: [], networks: [], vms: [], ...over });
  it('names the host, its cluster and its data centre, and skips VMs without a BIOS UUID or a host', () => {
    const paths = vmPathsOf(
      inventory({
        datacenters: [{ id: 'dc', name: 'DC-1' }],
        clusters: [{ id: 'cl', name: 'Cluster-A', datacenterId: 'dc' }],
        hosts: [
          { id: 'h1', name: 'esx-01', datacenterId: 'dc', clusterId: 'cl', cpus: 8, memoryMiB: 1024, hypervisor: 'ESXi' },
          { id: 'h2', name: 'kvm-07', datacenterId: null, clusterId: null, cpus: 8, memoryMiB: 1024, hypervisor: 'KVM' },
        ],
        vms: [
          { id: '1', name: 'a', biosUuid: 'AAAAAAAA-0000-4000-8000-000000000001', hostId: 'h1', state: 'running', vcpus: 1, memoryMiB: 1 },
          { id: '2', name: 'b', biosUuid: 'aaaaaaaa-0000-4000-8000-000000000002', hostId: 'h2', state: 'stopped', vcpus: 1, memoryMiB: 1 },
          { id: '3', name: 'c', biosUuid: null, hostId: 'h1', state: 'running', vcpus: 1, memoryMiB: 1 },
          { id: '4', name: 'd', biosUuid: 'aaaaaaaa-0000-4000-8000-000000000004', hostId: null, state: 'running', vcpus: 1, memoryMiB: 1 },
        ],
      }),
    );
    expect([...paths]).toEqual([
      ['aaaaaaaa-0000-4000-8000-000000000001', { kind: 'virtualization', hypervisor: 'esx-01', cluster: 'Cluster-A', datacenter: 'DC-1' }],
      ['aaaaaaaa-0000-4000-8000-000000000002', { kind: 'virtualization', hypervisor: 'kvm-07', cluster: null, datacenter: null }],
    ]);
  });
});
