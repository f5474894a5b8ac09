// Builders for selection tests: a healthy SVM and a plain agent, changed only where a test cares.
import type { InfrastructurePath, SvmRejectionCode } from '../../main/contract/agents.ts';
import {
  DEFAULT_SELECTION_SETTINGS,
  selectSvms,
  type AgentFacts,
  type SelectionSettings,
  type SvmRecord,
  type SvmSelection,
} from '../../main/domain/svm-selection.ts';

export const NOW = Date.parse('2025-06-01T12:00:00Z');
export const MINUTE = 60_000;

export function hypervisor(name: string, cluster: string | null = null, datacenter: string | null = null): InfrastructurePath {
  return { kind: 'virtualization', hypervisor: name, cluster, datacenter };
}

export function openstack(project: string, serverGroup: string | null, availabilityZone: string | null): InfrastructurePath {
  return { kind: 'openstack', project, serverGroup, availabilityZone };
}

let counter = 0;

/** A fresh, licensed, unencrypted, untagged 6.1 SVM on hypervisor `hv-1` with no agents. */
export function svm(overrides: Partial<Omit<SvmRecord, 'licence'>> & { licence?: Partial<SvmRecord['licence']> } = {}): SvmRecord {
  counter++;
  const { licence, ...rest } = overrides;
  return {
    id: `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`,
    name: `svm-${counter}`,
    agentAddress: `10.0.0.${counter % 250}`,
    agentPorts: [9876, 9877],
    managementAddress: `172.16.0.${counter % 250}`,
    path: hypervisor('hv-1', 'cluster-a', 'dc-1'),
    version: '6.1.0.57',
    licence: {
      edition: 'Enterprise',
      keyType: 'server',
      expiresAt: NOW + 365 * 24 * 60 * MINUTE,
      denylisted: false,
      addOns: [],
      ...licence,
    },
    averageLoad: 10,
    connectedAgents: 0,
    channelEncryption: 'off',
    connectionTags: { enabled: false, list: [] },
    largeInfrastructureMode: false,
    updateSource: { platforms: ['windows', 'linux'] },
    lastReportAt: NOW - MINUTE,
    reportIntervalMs: 5 * MINUTE,
    ...rest,
  };
}

/** A Linux server VM on `hv-1` with KES for Linux 12.1, standard algorithm, no tag, no tenant. */
export function agent(overrides: Partial<AgentFacts> = {}): AgentFacts {
  return {
    osKind: 'server',
    osFamily: 'linux',
    agentVersion: '12.1.0.1234',
    connectionTag: null,
    requiresConnectionProtection: false,
    algorithm: { kind: 'standard' },
    path: hypervisor('hv-1', 'cluster-a', 'dc-1'),
    tenant: null,
    ...overrides,
  };
}

export function settings(overrides: Partial<SelectionSettings> = {}): SelectionSettings {
  return { ...DEFAULT_SELECTION_SETTINGS, ...overrides };
}

export function select(a: AgentFacts, svms: readonly SvmRecord[], s: SelectionSettings = settings(), now = NOW): SvmSelection {
  return selectSvms(a, svms, s, now);
}

/** Names of the candidates, best first. */
export function offered(selection: SvmSelection): string[] {
  return selection.candidates.map((c) => c.name);
}

/** The codes why the SVM called `name` was rejected; undefined when it was not rejected. */
export function codesFor(selection: SvmSelection, name: string): SvmRejectionCode[] | undefined {
  return selection.rejected.find((r) => r.svm.name === name)?.reasons.map((r) => r.code);
}

export function messagesFor(selection: SvmSelection, name: string): string[] | undefined {
  return selection.rejected.find((r) => r.svm.name === name)?.reasons.map((r) => r.message);
}
