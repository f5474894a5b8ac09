import { describe, expect, it } from 'vitest';
import {
  agentFactsFromRequest,
  DEFAULT_SELECTION_SETTINGS,
  discoverAnswer,
  isDocumentationAddress,
  isLocal,
  svmRecordFromReport,
} from '../../main/domain/svm-selection.ts';
import type { DiscoverRequest, SvmReport } from '../../main/contract/agents.ts';
import {
  agent,
  codesFor,
  hypervisor,
  messagesFor,
  MINUTE,
  NOW,
  offered,
  openstack,
  select,
  settings,
  svm,
} from './svm-selection.fixtures.ts';

describe('hard filter: version compatibility', () => {
  it('offers an SVM whose version the table pairs with the agent version', () => {
    const result = select(agent({ agentVersion: '12.1.0.1234' }), [svm({ name: 'a', version: '6.1.0.57' })]);
    expect(offered(result)).toEqual(['a']);
  });

  it('rejects an SVM of an incompatible version, naming both versions', () => {
    const result = select(agent({ agentVersion: '12.1.0.1234' }), [svm({ name: 'old', version: '6.0.0.12' })]);
    expect(offered(result)).toEqual([]);
    expect(codesFor(result, 'old')).toEqual(['VERSION_INCOMPATIBLE']);
    expect(messagesFor(result, 'old')?.[0]).toMatch(/6\.0\.0\.12.*12\.1\.0\.1234.*SVM 6\.1/);
  });

  it('matches whole version parts: agent 12.10 is not agent 12.1', () => {
    const result = select(agent({ agentVersion: '12.10.0.1' }), [svm({ name: 'a', version: '6.1.0.57' })]);
    expect(codesFor(result, 'a')).toEqual(['VERSION_INCOMPATIBLE']);
    expect(messagesFor(result, 'a')?.[0]).toContain('has no row for this agent');
  });

  it('applies a Linux-only row to Linux agents only', () => {
    const result = select(agent({ osFamily: 'windows', agentVersion: '12.1.0.1234' }), [svm({ name: 'a', version: '6.1.0.57' })]);
    expect(codesFor(result, 'a')).toEqual(['VERSION_INCOMPATIBLE']);
  });

  it('lets a 5.2 Light Agent use only 5.2 SVMs, on either platform', () => {
    const svms = [svm({ name: 'v52', version: '5.2.0.99' }), svm({ name: 'v60', version: '6.0.0.1' })];
    for (const osFamily of ['windows', 'linux'] as const) {
      expect(offered(select(agent({ osFamily, agentVersion: '5.2.1.7' }), svms))).toEqual(['v52']);
    }
  });

  it('follows a configured table: a new agent line can be paired with several SVM lines', () => {
    const s = settings({
      versionCompatibility: [{ agent: '12.4', svm: ['6.2', '6.3'], source: 'test' }],
    });
    const svms = [svm({ name: 'v62', version: '6.2.0.5' }), svm({ name: 'v63', version: '6.3.1.0' }), svm({ name: 'v61', version: '6.1.0.57' })];
    const result = select(agent({ agentVersion: '12.4.0.1' }), svms, s);
    expect(offered(result).sort()).toEqual(['v62', 'v63']);
    expect(codesFor(result, 'v61')).toEqual(['VERSION_INCOMPATIBLE']);
  });
});

describe('hard filter: connection protection', () => {
  const cases = [
    { requires: true, encryption: 'on', offered: true },
    { requires: true, encryption: 'on-allow-unsecure', offered: true },
    { requires: true, encryption: 'off', offered: false },
    { requires: false, encryption: 'off', offered: true },
    { requires: false, encryption: 'on-allow-unsecure', offered: true },
    { requires: false, encryption: 'on', offered: false },
  ] as const;
  for (const c of cases) {
    it(`${c.offered ? 'offers' : 'rejects'} an SVM with encryption ${c.encryption} to an agent ${c.requires ? 'with' : 'without'} connection protection`, () => {
      const result = select(agent({ requiresConnectionProtection: c.requires }), [svm({ name: 'a', channelEncryption: c.encryption })]);
      expect(offered(result)).toEqual(c.offered ? ['a'] : []);
      if (!c.offered) expect(codesFor(result, 'a')).toEqual(['PROTECTION_MISMATCH']);
    });
  }
});

describe('hard filter: connection tags', () => {
  const tagsOff = { enabled: false, list: [] };
  const tenantA = { enabled: true, list: ['tenant-a', 'shared'] };

  it('offers an SVM without tags to an agent without a tag', () => {
    expect(offered(select(agent(), [svm({ name: 'a', connectionTags: tagsOff })]))).toEqual(['a']);
  });

  it('rejects an SVM with tags to an agent without a tag', () => {
    const result = select(agent(), [svm({ name: 'a', connectionTags: tenantA })]);
    expect(codesFor(result, 'a')).toEqual(['TAG_MISMATCH']);
    expect(messagesFor(result, 'a')?.[0]).toContain('has no connection tag');
  });

  it('offers an SVM that accepts the agent tag', () => {
    expect(offered(select(agent({ connectionTag: 'shared' }), [svm({ name: 'a', connectionTags: tenantA })]))).toEqual(['a']);
  });

  it('rejects an SVM whose tags do not include the agent tag', () => {
    const result = select(agent({ connectionTag: 'tenant-b' }), [svm({ name: 'a', connectionTags: tenantA })]);
    expect(codesFor(result, 'a')).toEqual(['TAG_MISMATCH']);
    expect(messagesFor(result, 'a')?.[0]).toContain('"tenant-b"');
  });

  it('rejects an SVM without tags to an agent that has a tag', () => {
    const result = select(agent({ connectionTag: 'tenant-a' }), [svm({ name: 'a', connectionTags: tagsOff })]);
    expect(codesFor(result, 'a')).toEqual(['TAG_MISMATCH']);
    expect(messagesFor(result, 'a')?.[0]).toContain('not configured to accept tagged');
  });

  it('ignores a tag list that is switched off, even if it names the agent tag', () => {
    const result = select(agent({ connectionTag: 'tenant-a' }), [svm({ name: 'a', connectionTags: { enabled: false, list: ['tenant-a'] } })]);
    expect(codesFor(result, 'a')).toEqual(['TAG_MISMATCH']);
  });

  it('compares tags exactly, case included', () => {
    const result = select(agent({ connectionTag: 'Tenant-A' }), [svm({ name: 'a', connectionTags: tenantA })]);
    expect(codesFor(result, 'a')).toEqual(['TAG_MISMATCH']);
  });

  it('does not apply tags on a 5.x SVM under a Standard licence, where they do not work', () => {
    const a52 = { agentVersion: '5.2.0.1' };
    const standard52 = svm({ name: 'a', version: '5.2.0.99', licence: { edition: 'Standard' }, connectionTags: tenantA });
    expect(offered(select(agent(a52), [standard52]))).toEqual(['a']);
    expect(offered(select(agent({ ...a52, connectionTag: 'other' }), [standard52]))).toEqual(['a']);
  });

  it('applies tags on a 5.x SVM under an Enterprise licence', () => {
    const enterprise52 = svm({ name: 'a', version: '5.2.0.99', licence: { edition: 'Enterprise' }, connectionTags: tenantA });
    expect(codesFor(select(agent({ agentVersion: '5.2.0.1' }), [enterprise52]), 'a')).toEqual(['TAG_MISMATCH']);
  });

  it('applies tags on a 6.x SVM under a Standard licence', () => {
    const standard61 = svm({ name: 'a', licence: { edition: 'Standard' }, connectionTags: tenantA });
    expect(codesFor(select(agent(), [standard61]), 'a')).toEqual(['TAG_MISMATCH']);
  });
});

describe('hard filter: update source', () => {
  it('offers an SVM that downloads updates for the agent platform', () => {
    expect(offered(select(agent({ osFamily: 'linux' }), [svm({ name: 'a', updateSource: { platforms: ['linux'] } })]))).toEqual(['a']);
  });

  it('rejects an SVM that downloads updates only for the other platform', () => {
    const result = select(agent({ osFamily: 'linux' }), [svm({ name: 'a', updateSource: { platforms: ['windows'] } })]);
    expect(codesFor(result, 'a')).toEqual(['UPDATE_SOURCE']);
    expect(messagesFor(result, 'a')?.[0]).toContain('Light Agents for Linux');
  });

  it('rejects an SVM that downloads updates for no Light Agents', () => {
    expect(codesFor(select(agent(), [svm({ name: 'a', updateSource: { platforms: [] } })]), 'a')).toEqual(['UPDATE_SOURCE']);
  });
});

describe('hard filter: stale SVMs', () => {
  it('still offers an SVM silent for exactly three report intervals', () => {
    expect(offered(select(agent(), [svm({ name: 'a', lastReportAt: NOW - 15 * MINUTE })]))).toEqual(['a']);
  });

  it('rejects an SVM silent for longer than three report intervals', () => {
    const result = select(agent(), [svm({ name: 'a', lastReportAt: NOW - 15 * MINUTE - 1 })]);
    expect(codesFor(result, 'a')).toEqual(['STALE']);
    expect(messagesFor(result, 'a')?.[0]).toBe('The SVM last reported 900 s ago, more than 3 report intervals of 300 s, so it is stale.');
  });

  it('measures staleness in the interval the SVM was told to report at', () => {
    const fast = svm({ name: 'fast', reportIntervalMs: MINUTE, lastReportAt: NOW - 4 * MINUTE });
    expect(codesFor(select(agent(), [fast]), 'fast')).toEqual(['STALE']);
  });

  it('offers a stale SVM again once it reports again', () => {
    const stale = svm({ name: 'a', lastReportAt: NOW - 20 * MINUTE });
    expect(offered(select(agent(), [stale]))).toEqual([]);
    expect(offered(select(agent(), [{ ...stale, lastReportAt: NOW }]))).toEqual(['a']);
  });

  it('follows a configured number of intervals', () => {
    const a = svm({ name: 'a', lastReportAt: NOW - 11 * MINUTE });
    expect(offered(select(agent(), [a], settings({ staleAfterIntervals: 2 })))).toEqual([]);
    expect(offered(select(agent(), [a], settings({ staleAfterIntervals: 3 })))).toEqual(['a']);
  });
});

describe('tenants', () => {
  const svms = () => [svm({ name: 'a' }), svm({ name: 'b', connectedAgents: 5 })];

  it('gives a VM of an inactive Complete tenant only the sentinel SVM', () => {
    const result = select(agent({ tenant: { type: 'Complete', status: 'Inactive' } }), svms());
    expect(result.candidates).toEqual([]);
    expect(result.sentinel).toEqual(DEFAULT_SELECTION_SETTINGS.sentinel);
    expect(result.sentinel?.address).toBe('192.0.2.1');
    expect(codesFor(result, 'a')).toEqual(['TENANT_INACTIVE']);
    expect(codesFor(result, 'b')).toEqual(['TENANT_INACTIVE']);
  });

  it('gives the sentinel even when there are no SVMs at all', () => {
    const result = select(agent({ tenant: { type: 'Complete', status: 'Inactive' } }), []);
    expect(discoverAnswer(result, DEFAULT_SELECTION_SETTINGS).svms).toEqual([DEFAULT_SELECTION_SETTINGS.sentinel]);
  });

  it('uses the configured sentinel address', () => {
    const s = settings({ sentinel: { ...DEFAULT_SELECTION_SETTINGS.sentinel, address: '198.51.100.7' } });
    const result = select(agent({ tenant: { type: 'Complete', status: 'Inactive' } }), svms(), s);
    expect(discoverAnswer(result, s).svms.map((x) => x.address)).toEqual(['198.51.100.7']);
  });

  it('still explains every other rule an SVM fails for an inactive tenant, after the tenant', () => {
    const result = select(agent({ tenant: { type: 'Complete', status: 'Inactive' } }), [
      svm({ name: 'old', version: '6.0.0.1', lastReportAt: NOW - 60 * MINUTE }),
    ]);
    expect(codesFor(result, 'old')).toEqual(['TENANT_INACTIVE', 'STALE', 'VERSION_INCOMPATIBLE']);
  });

  it('gives a VM of an active Complete tenant the normal list', () => {
    const result = select(agent({ tenant: { type: 'Complete', status: 'Active' } }), svms());
    expect(offered(result)).toEqual(['a', 'b']);
    expect(result.sentinel).toBeUndefined();
  });

  it("does not let a Simple tenant's status change anything", () => {
    const list = svms();
    const none = select(agent(), list);
    for (const status of ['Active', 'Inactive'] as const) {
      expect(select(agent({ tenant: { type: 'Simple', status } }), list)).toEqual(none);
    }
  });
});

describe('preference: valid licence first', () => {
  it('prefers an SVM with a valid licence over an expired one with fewer agents', () => {
    const result = select(agent(), [
      svm({ name: 'expired', connectedAgents: 0, licence: { expiresAt: NOW - 1 } }),
      svm({ name: 'valid', connectedAgents: 50 }),
    ]);
    expect(offered(result)).toEqual(['valid', 'expired']);
  });

  it('treats a licence expiring at this very moment as expired', () => {
    const result = select(agent(), [svm({ name: 'now', licence: { expiresAt: NOW } }), svm({ name: 'valid', connectedAgents: 9 })]);
    expect(offered(result)).toEqual(['valid', 'now']);
  });

  it('treats a denylisted key as no valid licence', () => {
    const result = select(agent(), [svm({ name: 'denied', licence: { denylisted: true } }), svm({ name: 'valid', connectedAgents: 9 })]);
    expect(offered(result)).toEqual(['valid', 'denied']);
  });

  it('still offers an SVM without a key, as a last resort', () => {
    const result = select(agent(), [svm({ name: 'nokey', licence: { keyType: 'none', edition: null, expiresAt: null } })]);
    expect(offered(result)).toEqual(['nokey']);
  });

  it('counts a key without expiry as valid', () => {
    const result = select(agent(), [svm({ name: 'expired', licence: { expiresAt: NOW - 1 } }), svm({ name: 'forever', connectedAgents: 9, licence: { expiresAt: null } })]);
    expect(offered(result)).toEqual(['forever', 'expired']);
  });
});

describe('preference: key type matching the guest OS', () => {
  const svms = () => [
    svm({ name: 'server-key', licence: { keyType: 'server' }, connectedAgents: 10 }),
    svm({ name: 'desktop-key', licence: { keyType: 'desktop' }, connectedAgents: 20 }),
  ];

  it('sends a server OS to a server key first', () => {
    expect(offered(select(agent({ osKind: 'server' }), svms()))).toEqual(['server-key', 'desktop-key']);
  });

  it('sends a desktop OS to a desktop key first, even with more agents there', () => {
    expect(offered(select(agent({ osKind: 'desktop' }), svms()))).toEqual(['desktop-key', 'server-key']);
  });

  it('counts a per-core key as matching every OS', () => {
    const result = select(agent({ osKind: 'desktop' }), [
      svm({ name: 'server-key', licence: { keyType: 'server' }, connectedAgents: 0 }),
      svm({ name: 'cores', licence: { keyType: 'cores' }, connectedAgents: 30 }),
    ]);
    expect(offered(result)).toEqual(['cores', 'server-key']);
  });

  it('ranks a valid licence above a matching key type', () => {
    const result = select(agent({ osKind: 'desktop' }), [
      svm({ name: 'expired-desktop', licence: { keyType: 'desktop', expiresAt: NOW - 1 } }),
      svm({ name: 'valid-server', licence: { keyType: 'server' }, connectedAgents: 40 }),
    ]);
    expect(offered(result)).toEqual(['valid-server', 'expired-desktop']);
  });
});

describe('preference: locality under the standard algorithm', () => {
  it('prefers the SVM on the same hypervisor, even with more agents', () => {
    const result = select(agent({ path: hypervisor('hv-1') }), [
      svm({ name: 'remote', path: hypervisor('hv-2'), connectedAgents: 0 }),
      svm({ name: 'local', path: hypervisor('hv-1'), connectedAgents: 80 }),
    ]);
    expect(offered(result)).toEqual(['local', 'remote']);
  });

  it('among several local SVMs, prefers the one with fewer agents', () => {
    const result = select(agent({ path: hypervisor('hv-1') }), [
      svm({ name: 'busy', path: hypervisor('hv-1'), connectedAgents: 30 }),
      svm({ name: 'quiet', path: hypervisor('hv-1'), connectedAgents: 3 }),
      svm({ name: 'remote', path: hypervisor('hv-2'), connectedAgents: 0 }),
    ]);
    expect(offered(result)).toEqual(['quiet', 'busy', 'remote']);
  });

  it('without a local SVM, takes the fewest agents anywhere, ignoring cluster and data centre', () => {
    const result = select(agent({ path: hypervisor('hv-1', 'cluster-a', 'dc-1') }), [
      svm({ name: 'same-cluster', path: hypervisor('hv-2', 'cluster-a', 'dc-1'), connectedAgents: 9 }),
      svm({ name: 'far', path: hypervisor('hv-9', 'cluster-z', 'dc-2'), connectedAgents: 1 }),
    ]);
    expect(offered(result)).toEqual(['far', 'same-cluster']);
  });

  it('ranks locality below licence and key type', () => {
    const result = select(agent({ osKind: 'server', path: hypervisor('hv-1') }), [
      svm({ name: 'local-desktop-key', path: hypervisor('hv-1'), licence: { keyType: 'desktop' } }),
      svm({ name: 'local-expired', path: hypervisor('hv-1'), licence: { expiresAt: NOW - 1 } }),
      svm({ name: 'remote-server-key', path: hypervisor('hv-2'), connectedAgents: 99 }),
    ]);
    expect(offered(result)).toEqual(['remote-server-key', 'local-desktop-key', 'local-expired']);
  });

  it('does not count an SVM in large-infrastructure mode as local', () => {
    const result = select(agent({ path: hypervisor('hv-1') }), [
      svm({ name: 'local-large', path: hypervisor('hv-1'), largeInfrastructureMode: true, connectedAgents: 5 }),
      svm({ name: 'remote', path: hypervisor('hv-2'), connectedAgents: 1 }),
    ]);
    expect(offered(result)).toEqual(['remote', 'local-large']);
  });

  it('has no locality for a VM whose path is unknown: fewest agents anywhere', () => {
    const result = select(agent({ path: null }), [
      svm({ name: 'hv-1', path: hypervisor('hv-1'), connectedAgents: 5 }),
      svm({ name: 'hv-2', path: hypervisor('hv-2'), connectedAgents: 1 }),
    ]);
    expect(offered(result)).toEqual(['hv-2', 'hv-1']);
  });

  it('never counts an OpenStack SVM as local to a hypervisor VM', () => {
    const a = agent({ path: hypervisor('p1') });
    expect(isLocal(a, svm({ path: openstack('p1', 'p1', 'p1') }), DEFAULT_SELECTION_SETTINGS)).toBe(false);
  });

  describe('OpenStack, per StandardAlgorithmSvmLocality', () => {
    const vm = agent({ path: openstack('proj-1', 'sg-1', 'az-1') });
    const svms = () => [
      svm({ name: 'same-group', path: openstack('proj-1', 'sg-1', 'az-2'), connectedAgents: 30 }),
      svm({ name: 'same-project', path: openstack('proj-1', 'sg-2', 'az-2'), connectedAgents: 20 }),
      svm({ name: 'same-zone', path: openstack('proj-2', 'sg-3', 'az-1'), connectedAgents: 10 }),
      svm({ name: 'elsewhere', path: openstack('proj-3', null, 'az-3'), connectedAgents: 0 }),
    ];

    it('ServerGroup (the default): the same server group first', () => {
      expect(offered(select(vm, svms()))).toEqual(['same-group', 'elsewhere', 'same-zone', 'same-project']);
    });

    it('Project: the same project first', () => {
      const s = settings({ standardAlgorithmSvmLocality: 'Project' });
      expect(offered(select(vm, svms(), s))).toEqual(['same-project', 'same-group', 'elsewhere', 'same-zone']);
    });

    it('AvailabilityZone: the same availability zone first', () => {
      const s = settings({ standardAlgorithmSvmLocality: 'AvailabilityZone' });
      expect(offered(select(vm, svms(), s))).toEqual(['same-zone', 'elsewhere', 'same-project', 'same-group']);
    });

    it('a VM in no server group has no local SVM by server group', () => {
      const noGroup = agent({ path: openstack('proj-1', null, 'az-1') });
      expect(offered(select(noGroup, svms()))).toEqual(['elsewhere', 'same-zone', 'same-project', 'same-group']);
    });
  });
});

describe('hard filter: the extended algorithm scope', () => {
  const vm = (scope: 'hypervisor' | 'cluster' | 'datacenter' | 'none') =>
    agent({ algorithm: { kind: 'extended', scope }, path: hypervisor('hv-1', 'cluster-a', 'dc-1') });
  const svms = () => [
    svm({ name: 'same-host', path: hypervisor('hv-1', 'cluster-a', 'dc-1'), connectedAgents: 40 }),
    svm({ name: 'same-cluster', path: hypervisor('hv-2', 'cluster-a', 'dc-1'), connectedAgents: 30 }),
    svm({ name: 'same-dc', path: hypervisor('hv-3', 'cluster-b', 'dc-1'), connectedAgents: 20 }),
    svm({ name: 'namesake-cluster', path: hypervisor('hv-4', 'cluster-a', 'dc-2'), connectedAgents: 10 }),
    svm({ name: 'far', path: hypervisor('hv-5', 'cluster-z', 'dc-2'), connectedAgents: 0 }),
  ];

  it('scope hypervisor: only SVMs on the same hypervisor', () => {
    const result = select(vm('hypervisor'), svms());
    expect(offered(result)).toEqual(['same-host']);
    expect(codesFor(result, 'same-cluster')).toEqual(['OUT_OF_SCOPE']);
    expect(messagesFor(result, 'same-cluster')?.[0]).toContain('not in the same hypervisor');
  });

  it('scope cluster: the same cluster of the same data centre, fewest agents first', () => {
    const result = select(vm('cluster'), svms());
    expect(offered(result)).toEqual(['same-cluster', 'same-host']);
    expect(codesFor(result, 'namesake-cluster')).toEqual(['OUT_OF_SCOPE']);
  });

  it('scope datacenter: the whole data centre', () => {
    expect(offered(select(vm('datacenter'), svms()))).toEqual(['same-dc', 'same-cluster', 'same-host']);
  });

  it('scope none: fewest agents in the whole infrastructure', () => {
    expect(offered(select(vm('none'), svms()))).toEqual(['far', 'namesake-cluster', 'same-dc', 'same-cluster', 'same-host']);
  });

  it('offers nothing when no SVM is within the scope', () => {
    const result = select(vm('hypervisor'), [svm({ name: 'elsewhere', path: hypervisor('hv-9') })]);
    expect(offered(result)).toEqual([]);
    expect(discoverAnswer(result, DEFAULT_SELECTION_SETTINGS).askAgainSeconds).toBe(30);
  });

  it('a standalone host has no cluster, yet the cluster scope still holds its own hypervisor', () => {
    const standalone = agent({ algorithm: { kind: 'extended', scope: 'cluster' }, path: hypervisor('kvm-1') });
    const result = select(standalone, [svm({ name: 'local', path: hypervisor('kvm-1') }), svm({ name: 'other', path: hypervisor('kvm-2') })]);
    expect(offered(result)).toEqual(['local']);
  });

  it('rejects every SVM when the VM path is unknown, and says so', () => {
    const result = select(agent({ algorithm: { kind: 'extended', scope: 'datacenter' }, path: null }), svms());
    expect(offered(result)).toEqual([]);
    expect(messagesFor(result, 'same-host')?.[0]).toContain("VM's place in the infrastructure is unknown");
  });

  it('rejects an SVM that has not reported its path', () => {
    const result = select(vm('datacenter'), [svm({ name: 'lost', path: null })]);
    expect(codesFor(result, 'lost')).toEqual(['OUT_OF_SCOPE']);
    expect(messagesFor(result, 'lost')?.[0]).toContain('SVM has not reported its place');
  });

  it('keeps the scope for SVMs in large-infrastructure mode (the mode the extended algorithm is recommended for)', () => {
    const result = select(vm('hypervisor'), [
      svm({ name: 'local-large', path: hypervisor('hv-1'), largeInfrastructureMode: true }),
      svm({ name: 'remote-large', path: hypervisor('hv-2'), largeInfrastructureMode: true }),
    ]);
    expect(offered(result)).toEqual(['local-large']);
  });

  it('maps the levels to OpenStack: server group, project, availability zone', () => {
    const os = (scope: 'hypervisor' | 'cluster' | 'datacenter') =>
      agent({ algorithm: { kind: 'extended', scope }, path: openstack('proj-1', 'sg-1', 'az-1') });
    const list = [
      svm({ name: 'group', path: openstack('proj-1', 'sg-1', 'az-2') }),
      svm({ name: 'project', path: openstack('proj-1', 'sg-2', 'az-2') }),
      svm({ name: 'zone', path: openstack('proj-2', null, 'az-1') }),
    ];
    expect(offered(select(os('hypervisor'), list))).toEqual(['group']);
    expect(offered(select(os('cluster'), list)).sort()).toEqual(['group', 'project']);
    expect(offered(select(os('datacenter'), list))).toEqual(['zone']);
    expect(messagesFor(select(os('hypervisor'), list), 'zone')?.[0]).toContain('same server group');
  });

  it('still puts a valid licence and matching key first within the scope', () => {
    const result = select(vm('cluster'), [
      svm({ name: 'expired', path: hypervisor('hv-1', 'cluster-a', 'dc-1'), licence: { expiresAt: NOW - 1 } }),
      svm({ name: 'desktop-key', path: hypervisor('hv-2', 'cluster-a', 'dc-1'), licence: { keyType: 'desktop' } }),
      svm({ name: 'good', path: hypervisor('hv-2', 'cluster-a', 'dc-1'), connectedAgents: 70 }),
    ]);
    expect(offered(result)).toEqual(['good', 'desktop-key', 'expired']);
  });
});

describe('tie-breaks', () => {
  it('with equal agent counts, prefers the lower average load', () => {
    const result = select(agent(), [svm({ name: 'loaded', averageLoad: 70 }), svm({ name: 'idle', averageLoad: 5 })]);
    expect(offered(result)).toEqual(['idle', 'loaded']);
  });

  it('puts fewer connected agents before lower load', () => {
    const result = select(agent(), [svm({ name: 'idle-busy', averageLoad: 1, connectedAgents: 9 }), svm({ name: 'loaded-quiet', averageLoad: 90, connectedAgents: 2 })]);
    expect(offered(result)).toEqual(['loaded-quiet', 'idle-busy']);
  });

  it('with everything equal, orders by id, whatever the input order', () => {
    const b = svm({ name: 'b', id: 'bbbbbbbb-0000-4000-8000-000000000000' });
    const a = svm({ name: 'a', id: 'aaaaaaaa-0000-4000-8000-000000000000' });
    const c = svm({ name: 'c', id: 'cccccccc-0000-4000-8000-000000000000' });
    expect(offered(select(agent(), [b, c, a]))).toEqual(['a', 'b', 'c']);
    expect(offered(select(agent(), [c, a, b]))).toEqual(['a', 'b', 'c']);
  });
});

describe('the list limit', () => {
  const svms = () => Array.from({ length: 6 }, (_, i) => svm({ name: `s${i}`, connectedAgents: 10 - i }));

  it('offers only the best SVMs up to the limit and rejects the rest with LIST_LIMIT', () => {
    const result = select(agent(), svms(), settings({ maxSvmsPerAnswer: 2 }));
    expect(offered(result)).toEqual(['s5', 's4']);
    for (const name of ['s0', 's1', 's2', 's3']) expect(codesFor(result, name)).toEqual(['LIST_LIMIT']);
    expect(messagesFor(result, 's0')?.[0]).toBe('The SVM is eligible, but only the best 2 SVMs are sent and it ranks below them.');
  });

  it('offers everything eligible when there is no limit', () => {
    expect(offered(select(agent(), svms(), settings({ maxSvmsPerAnswer: null })))).toEqual(['s5', 's4', 's3', 's2', 's1', 's0']);
  });

  it('gives the same best SVMs with a limit as the head of the unlimited list', () => {
    const list = Array.from({ length: 40 }, (_, i) => svm({ name: `n${i}`, connectedAgents: (i * 17) % 7, averageLoad: (i * 13) % 5 }));
    const all = offered(select(agent(), list, settings({ maxSvmsPerAnswer: null })));
    expect(offered(select(agent(), list, settings({ maxSvmsPerAnswer: 5 })))).toEqual(all.slice(0, 5));
  });

  it('offers nothing with a limit of 0', () => {
    const result = select(agent(), svms(), settings({ maxSvmsPerAnswer: 0 }));
    expect(offered(result)).toEqual([]);
    expect(result.rejected).toHaveLength(6);
  });

  it('does not count rejected SVMs against the limit', () => {
    const list = [svm({ name: 'stale', lastReportAt: 0 }), svm({ name: 'good' })];
    expect(offered(select(agent(), list, settings({ maxSvmsPerAnswer: 1 })))).toEqual(['good']);
  });
});

describe('several rules at once', () => {
  it('lists every rule an SVM fails, in the order the rules apply', () => {
    const bad = svm({
      name: 'bad',
      lastReportAt: NOW - 60 * MINUTE,
      version: '6.0.0.1',
      channelEncryption: 'on',
      connectionTags: { enabled: true, list: ['x'] },
      updateSource: { platforms: ['windows'] },
      path: hypervisor('hv-2'),
    });
    const result = select(agent({ algorithm: { kind: 'extended', scope: 'hypervisor' } }), [bad]);
    expect(codesFor(result, 'bad')).toEqual(['STALE', 'VERSION_INCOMPATIBLE', 'PROTECTION_MISMATCH', 'TAG_MISMATCH', 'UPDATE_SOURCE', 'OUT_OF_SCOPE']);
    for (const message of messagesFor(result, 'bad') ?? []) expect(message).toMatch(/^[A-Z].*\.$/);
  });

  it('moves the agent off its stale local SVM to the least busy SVM elsewhere', () => {
    const result = select(agent({ path: hypervisor('hv-1') }), [
      svm({ name: 'local-stale', path: hypervisor('hv-1'), lastReportAt: NOW - 30 * MINUTE }),
      svm({ name: 'remote-busy', path: hypervisor('hv-2'), connectedAgents: 40 }),
      svm({ name: 'remote-quiet', path: hypervisor('hv-3'), connectedAgents: 4 }),
    ]);
    expect(offered(result)).toEqual(['remote-quiet', 'remote-busy']);
    expect(codesFor(result, 'local-stale')).toEqual(['STALE']);
  });

  it('serves two tenants from their own tagged SVMs, each with its own local SVM first', () => {
    const tagged = (tag: string) => ({ enabled: true, list: [tag] });
    const list = [
      svm({ name: 'a-hv1', connectionTags: tagged('a'), path: hypervisor('hv-1'), connectedAgents: 50 }),
      svm({ name: 'a-hv2', connectionTags: tagged('a'), path: hypervisor('hv-2') }),
      svm({ name: 'b-hv1', connectionTags: tagged('b'), path: hypervisor('hv-1') }),
      svm({ name: 'b-hv2', connectionTags: tagged('b'), path: hypervisor('hv-2'), connectedAgents: 1 }),
    ];
    expect(offered(select(agent({ connectionTag: 'a', path: hypervisor('hv-1') }), list))).toEqual(['a-hv1', 'a-hv2']);
    expect(offered(select(agent({ connectionTag: 'b', path: hypervisor('hv-2') }), list))).toEqual(['b-hv2', 'b-hv1']);
  });

  it('sends a protected Windows desktop to the encrypted desktop-key SVM on its host', () => {
    const a = agent({ osKind: 'desktop', osFamily: 'windows', agentVersion: '5.2.0.1', requiresConnectionProtection: true, path: hypervisor('hv-1') });
    const list = [
      svm({ name: 'plain', version: '5.2.0.9', licence: { keyType: 'desktop' } }),
      svm({ name: 'server-key', version: '5.2.0.9', channelEncryption: 'on', path: hypervisor('hv-1') }),
      svm({ name: 'remote-desktop-key', version: '5.2.0.9', channelEncryption: 'on-allow-unsecure', licence: { keyType: 'desktop' }, path: hypervisor('hv-2'), connectedAgents: 9 }),
      svm({ name: 'desktop-key', version: '5.2.0.9', channelEncryption: 'on', licence: { keyType: 'desktop' }, path: hypervisor('hv-1'), connectedAgents: 30 }),
    ];
    const result = select(a, list);
    expect(offered(result)).toEqual(['desktop-key', 'remote-desktop-key', 'server-key']);
    expect(codesFor(result, 'plain')).toEqual(['PROTECTION_MISMATCH']);
  });
});

describe('the discovery answer', () => {
  it('asks again in 30 s while the list is empty', () => {
    const answer = discoverAnswer(select(agent(), []), DEFAULT_SELECTION_SETTINGS);
    expect(answer).toEqual({ svms: [], askAgainSeconds: 30 });
  });

  it('asks again in 300 s once there are SVMs, and gives their agent-facing address, not the management one', () => {
    const s = svm({ id: 'abcdef00-0000-4000-8000-000000000001', name: 'a', agentAddress: '203.0.113.10', managementAddress: '10.9.9.9', agentPorts: [9876], connectedAgents: 3, averageLoad: 12.5 });
    const answer = discoverAnswer(select(agent(), [s]), DEFAULT_SELECTION_SETTINGS);
    expect(answer).toEqual({
      svms: [{ id: 'abcdef00-0000-4000-8000-000000000001', name: 'a', address: '203.0.113.10', ports: [9876], connectedAgents: 3, averageLoad: 12.5 }],
      askAgainSeconds: 300,
    });
  });

  it('asks an inactive tenant agent again in 300 s: it has been given an SVM, as the vendor does', () => {
    const answer = discoverAnswer(select(agent({ tenant: { type: 'Complete', status: 'Inactive' } }), [svm()]), DEFAULT_SELECTION_SETTINGS);
    expect(answer.askAgainSeconds).toBe(300);
    expect(answer.svms).toHaveLength(1);
  });
});

describe('building the inputs', () => {
  const report: SvmReport = {
    biosId: 'ABCDEF00-1111-4222-8333-444455556666',
    name: 'svm-x',
    agentAddress: '203.0.113.5',
    agentPorts: [9876, 9877],
    managementAddress: '10.0.0.5',
    path: hypervisor('hv-1'),
    version: '6.1.0.57',
    licence: { edition: 'Standard', keyType: 'cores', expires: '2026-01-01T00:00:00Z', denylisted: false, addOns: ['EDR Optimum'] },
    averageLoad: 3.5,
    connectedAgents: 12,
    channelEncryption: 'on-allow-unsecure',
    connectionTags: { enabled: true, list: ['t'] },
    largeInfrastructureMode: false,
    updateSource: { platforms: ['linux'] },
    connectionPeriods: [],
  };

  it('keys the record by the lower-case BIOS UUID and remembers when and how often it reports', () => {
    const record = svmRecordFromReport(report, NOW, 300);
    expect(record.id).toBe('abcdef00-1111-4222-8333-444455556666');
    expect(record.lastReportAt).toBe(NOW);
    expect(record.reportIntervalMs).toBe(300_000);
    expect(record.licence.expiresAt).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });

  it('keeps a key without expiry as never expiring', () => {
    expect(svmRecordFromReport({ ...report, licence: { ...report.licence, expires: null } }, NOW, 300).licence.expiresAt).toBeNull();
  });

  it('counts an unreadable expiry as expired', () => {
    expect(svmRecordFromReport({ ...report, licence: { ...report.licence, expires: 'soon' } }, NOW, 300).licence.expiresAt).toBe(0);
  });

  const request: DiscoverRequest = {
    vmBiosId: '11111111-2222-4333-8444-555555555555',
    vmName: 'vm-1',
    osKind: 'desktop',
    osFamily: 'windows',
    agentVersion: '5.2.0.1',
    connectionTag: null,
    requiresConnectionProtection: false,
    algorithm: { kind: 'standard' },
    path: hypervisor('agent-says'),
  };

  it("prefers the inventory's path to the one the agent sent", () => {
    expect(agentFactsFromRequest(request, hypervisor('inventory-says'), null).path).toEqual(hypervisor('inventory-says'));
  });

  it('uses the path the agent sent when the inventory does not know the VM', () => {
    expect(agentFactsFromRequest(request, null, null).path).toEqual(hypervisor('agent-says'));
    const { path: _path, ...withoutPath } = request;
    expect(agentFactsFromRequest(withoutPath, null, null).path).toBeNull();
  });
});

describe('the sentinel address', () => {
  it('is by default in a range reserved for documentation', () => {
    expect(isDocumentationAddress(DEFAULT_SELECTION_SETTINGS.sentinel.address)).toBe(true);
  });

  it('recognises the three IPv4 documentation ranges and 2001:db8::/32, and nothing else', () => {
    for (const a of ['192.0.2.1', '198.51.100.250', '203.0.113.0', '2001:db8::1', '2001:DB8:1::5']) expect(isDocumentationAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '192.0.3.1', '192.0.2.256', '2001:db9::1', 'svm.example.com', '1192.0.2.1']) expect(isDocumentationAddress(a)).toBe(false);
  });
});
