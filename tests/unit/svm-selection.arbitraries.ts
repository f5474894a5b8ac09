// Generators for SVM selection's property tests: small vocabularies, so that SVMs share
// hypervisors, tags, counts and loads often.
import fc from 'fast-check';
import type { InfrastructurePath } from '../../main/contract/agents.ts';
import { DEFAULT_SELECTION_SETTINGS, type AgentFacts, type SelectionSettings, type SvmRecord } from '../../main/domain/svm-selection.ts';
import { NOW } from './svm-selection.fixtures.ts';

export const pathArb: fc.Arbitrary<InfrastructurePath | null> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('virtualization' as const),
      hypervisor: fc.constantFrom('h1', 'h2', 'h3'),
      cluster: fc.constantFrom(null, 'c1', 'c2'),
      datacenter: fc.constantFrom(null, 'd1', 'd2'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('openstack' as const),
      project: fc.constantFrom('p1', 'p2'),
      serverGroup: fc.constantFrom(null, 'g1', 'g2'),
      availabilityZone: fc.constantFrom(null, 'z1', 'z2'),
    }),
  },
);

export const svmArb: fc.Arbitrary<SvmRecord> = fc.record({
  id: fc.uuid(),
  name: fc.constantFrom('svm'),
  agentAddress: fc.constantFrom('10.0.0.1'),
  agentPorts: fc.constant([9876]),
  managementAddress: fc.constantFrom('10.1.0.1'),
  path: pathArb,
  version: fc.constantFrom('6.1.0.57', '6.1.0.57', '6.1.2.3', '6.0.0.1', '5.2.0.9', '5.1.0.1', '6.2.0.1', '6.10.0.1'),
  licence: fc.record({
    edition: fc.constantFrom(null, 'Standard' as const, 'Enterprise' as const),
    keyType: fc.constantFrom('server' as const, 'desktop' as const, 'cores' as const, 'none' as const),
    expiresAt: fc.constantFrom(null, NOW - 1000, NOW, NOW + 1000),
    denylisted: fc.boolean(),
    addOns: fc.constant([]),
  }),
  averageLoad: fc.oneof(fc.constantFrom(0, 10, 10.5), fc.double({ min: 0, max: 100, noNaN: true })),
  connectedAgents: fc.oneof(fc.nat(4), fc.nat(1_000_000)),
  channelEncryption: fc.constantFrom('off' as const, 'on' as const, 'on-allow-unsecure' as const),
  connectionTags: fc.record({ enabled: fc.boolean(), list: fc.subarray(['a', 'b', 'c']) }),
  largeInfrastructureMode: fc.boolean(),
  updateSource: fc.record({ platforms: fc.subarray(['windows' as const, 'linux' as const]) }),
  lastReportAt: fc.integer({ min: NOW - 30 * 60_000, max: NOW }),
  reportIntervalMs: fc.constantFrom(60_000, 300_000),
});

export const svmsArb = fc.uniqueArray(svmArb, { selector: (s) => s.id, maxLength: 40 });

export const agentArb: fc.Arbitrary<AgentFacts> = fc.record({
  osKind: fc.constantFrom('server' as const, 'desktop' as const),
  osFamily: fc.constantFrom('windows' as const, 'linux' as const),
  agentVersion: fc.constantFrom('12.1.0.1', '12.1.0.1', '12.0.0.1', '5.2.0.1', '5.1.0.1', '12.4.0.1'),
  connectionTag: fc.constantFrom(null, null, 'a', 'b', 'd'),
  requiresConnectionProtection: fc.boolean(),
  algorithm: fc.oneof(
    fc.constant({ kind: 'standard' as const }),
    fc.record({ kind: fc.constant('extended' as const), scope: fc.constantFrom('hypervisor' as const, 'cluster' as const, 'datacenter' as const, 'none' as const) }),
  ),
  path: pathArb,
  tenant: fc.oneof(
    fc.constant(null),
    fc.record({ type: fc.constantFrom('Complete' as const, 'Simple' as const), status: fc.constantFrom('Active' as const, 'Inactive' as const) }),
  ),
});

export const settingsArb: fc.Arbitrary<SelectionSettings> = fc.record({
  staleAfterIntervals: fc.constantFrom(1, 3, 10),
  standardAlgorithmSvmLocality: fc.constantFrom('ServerGroup' as const, 'Project' as const, 'AvailabilityZone' as const),
  maxSvmsPerAnswer: fc.oneof(fc.constant(null), fc.nat(8)),
}).map((s) => ({ ...DEFAULT_SELECTION_SETTINGS, ...s }));

export const nowArb = fc.integer({ min: NOW - 60_000, max: NOW + 60 * 60_000 });
