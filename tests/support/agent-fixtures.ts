// Wire-shaped SVM reports and discovery requests for tests and benchmarks, changed only where a test cares.
import type { DiscoverRequest, SvmReport } from '../../main/contract/agents.ts';

export const uuid = (prefix: number, n: number) => `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export function svmReport(n: number, overrides: Partial<SvmReport> = {}): SvmReport {
  return {
    biosId: uuid(0x5e, n),
    name: `svm-${String(n).padStart(4, '0')}`,
    agentAddress: `10.1.${Math.floor(n / 250)}.${(n % 250) + 1}`,
    agentPorts: [9876, 9877],
    managementAddress: `172.16.${Math.floor(n / 250)}.${(n % 250) + 1}`,
    path: { kind: 'virtualization', hypervisor: `hv-${n % 3}`, cluster: 'cluster-a', datacenter: 'dc-1' },
    version: '6.1.0.57',
    licence: { edition: 'Enterprise', keyType: 'server', expires: '2099-01-01T00:00:00Z', denylisted: false, addOns: [] },
    averageLoad: 1,
    connectedAgents: 0,
    channelEncryption: 'off',
    connectionTags: { enabled: false, list: [] },
    largeInfrastructureMode: false,
    updateSource: { platforms: ['windows', 'linux'] },
    connectionPeriods: [],
    ...overrides,
  };
}

export function discoverRequest(n: number, overrides: Partial<DiscoverRequest> = {}): DiscoverRequest {
  return {
    vmBiosId: uuid(0xa9, n),
    vmName: `vm-${String(n).padStart(6, '0')}`,
    osKind: 'server',
    osFamily: 'linux',
    agentVersion: '12.1.0.1234',
    connectionTag: null,
    requiresConnectionProtection: false,
    algorithm: { kind: 'standard' },
    path: { kind: 'virtualization', hypervisor: `hv-${n % 3}`, cluster: 'cluster-a', datacenter: 'dc-1' },
    ...overrides,
  };
}
