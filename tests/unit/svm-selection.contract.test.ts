// The agent-protocol schemas refuse absurd bodies before they reach selection.
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import {
  DiscoverAnswerSchema,
  DiscoverRequestSchema,
  SvmReportAnswerSchema,
  SvmReportSchema,
  type DiscoverRequest,
  type SvmReport,
} from '../../main/contract/agents.ts';
import { DEFAULT_SELECTION_SETTINGS, discoverAnswer, selectSvms, svmRecordFromReport } from '../../main/domain/svm-selection.ts';
import {
  compatibleSvmVersions,
  DEFAULT_VERSION_COMPATIBILITY,
  isSvmVersionCompatible,
  versionHasPrefix,
} from '../../main/domain/version-compatibility.ts';
import { agent, NOW } from './svm-selection.fixtures.ts';

const report: SvmReport = {
  biosId: '4C4C4544-0042-3510-8051-B4C04F4A4E32',
  name: 'svm-hv1-01',
  agentAddress: '203.0.113.21',
  agentPorts: [9876, 9877, 11111, 11112, 80],
  managementAddress: '10.20.0.21',
  path: { kind: 'virtualization', hypervisor: 'esxi-01.example.net', cluster: 'Cluster-A', datacenter: 'DC-1' },
  version: '6.1.0.57',
  licence: { edition: 'Enterprise', keyType: 'server', expires: '2026-12-31T23:59:59Z', denylisted: false, addOns: ['EDR Optimum'] },
  averageLoad: 0.42,
  connectedAgents: 118,
  channelEncryption: 'on-allow-unsecure',
  connectionTags: { enabled: true, list: ['tenant-a'] },
  largeInfrastructureMode: false,
  updateSource: { platforms: ['windows', 'linux'] },
  connectionPeriods: [
    { vmBiosId: '11111111-2222-4333-8444-555555555555', start: '2025-06-01T11:55:00Z', end: null },
    { vmBiosId: '11111111-2222-4333-8444-666666666666', start: '2025-06-01T11:50:00Z', end: '2025-06-01T11:52:10Z' },
  ],
};

const request: DiscoverRequest = {
  vmBiosId: '11111111-2222-4333-8444-555555555555',
  vmName: 'web-01',
  osKind: 'server',
  osFamily: 'linux',
  agentVersion: '12.1.0.1234',
  connectionTag: 'tenant-a',
  requiresConnectionProtection: true,
  algorithm: { kind: 'extended', scope: 'cluster' },
};

describe('the SVM report schema', () => {
  it('accepts a complete report', () => {
    expect(Value.Check(SvmReportSchema, report)).toBe(true);
  });

  it('accepts an SVM that cannot resolve its path yet, has no key and no agents', () => {
    const bare = { ...report, path: null, licence: { edition: null, keyType: 'none', expires: null, denylisted: false, addOns: [] }, connectedAgents: 0, connectionPeriods: [] };
    expect(Value.Check(SvmReportSchema, bare)).toBe(true);
  });

  it('accepts an OpenStack path', () => {
    const os = { ...report, path: { kind: 'openstack', project: '9f1c0c6e5d3b4e0f', serverGroup: null, availabilityZone: 'nova' } };
    expect(Value.Check(SvmReportSchema, os)).toBe(true);
  });

  const absurd: Array<[string, unknown]> = [
    ['a negative load', { ...report, averageLoad: -1 }],
    ['a load beyond any scale', { ...report, averageLoad: 1e9 }],
    ['a negative agent count', { ...report, connectedAgents: -3 }],
    ['a fractional agent count', { ...report, connectedAgents: 1.5 }],
    ['65 connection tags', { ...report, connectionTags: { enabled: true, list: Array.from({ length: 65 }, (_, i) => `t${i}`) } }],
    ['a thousand connection tags', { ...report, connectionTags: { enabled: true, list: Array.from({ length: 1000 }, () => 't') } }],
    ['a 257-character tag', { ...report, connectionTags: { enabled: true, list: ['x'.repeat(257)] } }],
    ['10,001 connection periods', { ...report, connectionPeriods: Array.from({ length: 10_001 }, () => report.connectionPeriods[0]) }],
    ['a key type the vendor does not have', { ...report, licence: { ...report.licence, keyType: 'gold' } }],
    ['an edition the vendor does not have', { ...report, licence: { ...report.licence, edition: 'Ultimate' } }],
    ['an unknown encryption mode', { ...report, channelEncryption: 'required' }],
    ['a BIOS id that is not a UUID', { ...report, biosId: 'not-a-uuid' }],
    ['a port out of range', { ...report, agentPorts: [70000] }],
    ['no port at all', { ...report, agentPorts: [] }],
    ['an address with spaces', { ...report, agentAddress: '10.0.0.1; rm -rf /' }],
    ['a version that is not a version', { ...report, version: 'latest' }],
    ['an expiry that is not a date', { ...report, licence: { ...report.licence, expires: 'soon' } }],
    ['a period with an unparsable start', { ...report, connectionPeriods: [{ vmBiosId: request.vmBiosId, start: 'yesterday', end: null }] }],
    ['a field nobody defined', { ...report, colour: 'blue' }],
    ['a missing licence', (({ licence: _l, ...rest }) => rest)(report)],
    ['a 10,000-character name', { ...report, name: 'n'.repeat(10_000) }],
  ];
  for (const [what, body] of absurd) {
    it(`refuses ${what}`, () => {
      expect(Value.Check(SvmReportSchema, body)).toBe(false);
    });
  }

  it('answers with the next report in 300 s by default', () => {
    expect(Value.Default(SvmReportAnswerSchema, {})).toEqual({ nextReportSeconds: 300 });
    expect(Value.Check(SvmReportAnswerSchema, { nextReportSeconds: 0 })).toBe(false);
  });
});

describe('the discovery request schema', () => {
  it('accepts a request with and without a path', () => {
    expect(Value.Check(DiscoverRequestSchema, request)).toBe(true);
    expect(Value.Check(DiscoverRequestSchema, { ...request, path: { kind: 'virtualization', hypervisor: 'h', cluster: null, datacenter: null } })).toBe(true);
  });

  it('accepts the standard algorithm and every extended scope', () => {
    expect(Value.Check(DiscoverRequestSchema, { ...request, algorithm: { kind: 'standard' } })).toBe(true);
    for (const scope of ['hypervisor', 'cluster', 'datacenter', 'none']) {
      expect(Value.Check(DiscoverRequestSchema, { ...request, algorithm: { kind: 'extended', scope } })).toBe(true);
    }
  });

  const bad: Array<[string, unknown]> = [
    ['an extended algorithm without scope', { ...request, algorithm: { kind: 'extended' } }],
    ['an unknown scope', { ...request, algorithm: { kind: 'extended', scope: 'planet' } }],
    ['an OS kind the vendor does not have', { ...request, osKind: 'laptop' }],
    ['a missing OS family', (({ osFamily: _f, ...rest }) => rest)(request)],
    ['an empty tag (no tag is null)', { ...request, connectionTag: '' }],
    ['a path of an unknown kind', { ...request, path: { kind: 'mainframe', hypervisor: 'h' } }],
  ];
  for (const [what, body] of bad) {
    it(`refuses ${what}`, () => {
      expect(Value.Check(DiscoverRequestSchema, body)).toBe(false);
    });
  }
});

describe('the discovery answer', () => {
  it('matches its schema, sentinel included', () => {
    const svms = [svmRecordFromReport({ ...report, connectionTags: { enabled: false, list: [] }, channelEncryption: 'off' }, NOW, 300)];
    const normal = discoverAnswer(selectSvms(agent(), svms, DEFAULT_SELECTION_SETTINGS, NOW), DEFAULT_SELECTION_SETTINGS);
    expect(normal.svms).toHaveLength(1);
    expect(Value.Check(DiscoverAnswerSchema, normal)).toBe(true);
    const inactive = agent({ tenant: { type: 'Complete', status: 'Inactive' } });
    expect(Value.Check(DiscoverAnswerSchema, discoverAnswer(selectSvms(inactive, svms, DEFAULT_SELECTION_SETTINGS, NOW), DEFAULT_SELECTION_SETTINGS))).toBe(true);
  });
});

describe('the version-compatibility table', () => {
  it('matches whole dot-separated parts', () => {
    expect(versionHasPrefix('12.1.0.1234', '12.1')).toBe(true);
    expect(versionHasPrefix('12.1', '12.1')).toBe(true);
    expect(versionHasPrefix('12.10.0', '12.1')).toBe(false);
    expect(versionHasPrefix('12', '12.1')).toBe(false);
    expect(versionHasPrefix('112.1.0', '12.1')).toBe(false);
  });

  it('holds only what the vendor documents', () => {
    expect(compatibleSvmVersions(DEFAULT_VERSION_COMPATIBILITY, '12.0.0.1', 'linux')).toEqual(['6.0']);
    expect(compatibleSvmVersions(DEFAULT_VERSION_COMPATIBILITY, '12.1.0.1', 'linux')).toEqual(['6.1']);
    expect(compatibleSvmVersions(DEFAULT_VERSION_COMPATIBILITY, '5.1.0.1', 'windows')).toEqual(['5.1']);
    expect(compatibleSvmVersions(DEFAULT_VERSION_COMPATIBILITY, '5.2.0.1', 'linux')).toEqual(['5.2']);
    expect(compatibleSvmVersions(DEFAULT_VERSION_COMPATIBILITY, '12.1.0.1', 'windows')).toEqual([]);
  });

  it('adds up the rows that match an agent, without repeating an SVM line', () => {
    const table = [
      { agent: '12', svm: ['6.1'], source: 'a' },
      { agent: '12.4', platform: 'windows' as const, svm: ['6.2', '6.1'], source: 'b' },
    ];
    expect(compatibleSvmVersions(table, '12.4.0.1', 'windows')).toEqual(['6.1', '6.2']);
    expect(compatibleSvmVersions(table, '12.4.0.1', 'linux')).toEqual(['6.1']);
    expect(isSvmVersionCompatible(['6.1', '6.2'], '6.2.0.5')).toBe(true);
    expect(isSvmVersionCompatible(['6.1', '6.2'], '6.20.0.5')).toBe(false);
  });
});
