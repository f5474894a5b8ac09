// Properties of SVM selection over generated infrastructures, checked against a reference written
// separately from the implementation: plain filters and a tuple sort, no bit packing, no top-k.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SVM_REJECTION_CODES,
  type InfrastructurePath,
  type SvmRejectionCode,
} from '../../main/contract/agents.ts';
import {
  discoverAnswer,
  selectSvms,
  type AgentFacts,
  type SelectionSettings,
  type SvmRecord,
  type SvmSelection,
} from '../../main/domain/svm-selection.ts';
import { agentArb, nowArb, settingsArb, svmsArb } from './svm-selection.arbitraries.ts';

// ---------------------------------------------------------------------------------------------
// The reference: the documented rules written as directly as possible.
// ---------------------------------------------------------------------------------------------

function startsWithParts(version: string, prefix: string): boolean {
  const v = version.split('.');
  const p = prefix.split('.');
  return p.every((part, i) => v[i] === part);
}

/** The "places" a path occupies at a level; two paths are local to each other when they share one. */
function places(path: InfrastructurePath, level: 1 | 2 | 3): string[] {
  if (path.kind === 'virtualization') {
    const out = [`hypervisor ${path.hypervisor}`];
    if (level >= 2 && path.cluster !== null) out.push(`cluster ${path.datacenter}/${path.cluster}`);
    if (level >= 3 && path.datacenter !== null) out.push(`datacenter ${path.datacenter}`);
    return out;
  }
  if (level === 1) return path.serverGroup === null ? [] : [`group ${path.project}/${path.serverGroup}`];
  if (level === 2) return [`project ${path.project}`];
  return path.availabilityZone === null ? [] : [`zone ${path.availabilityZone}`];
}

interface Expected {
  offered: string[];
  rejected: Map<string, SvmRejectionCode[]>;
  sentinel: boolean;
}

function reference(agent: AgentFacts, svms: readonly SvmRecord[], settings: SelectionSettings, now: number): Expected {
  const inactive = agent.tenant?.type === 'Complete' && agent.tenant.status === 'Inactive';
  const rows = settings.versionCompatibility.filter(
    (r) => (r.platform === undefined || r.platform === agent.osFamily) && startsWithParts(agent.agentVersion, r.agent),
  );
  const levels = { hypervisor: 1, cluster: 2, datacenter: 3, none: 0 } as const;
  const openStackLevels = { ServerGroup: 1, Project: 2, AvailabilityZone: 3 } as const;
  const extended = agent.algorithm.kind === 'extended';
  let level: 0 | 1 | 2 | 3;
  if (agent.algorithm.kind === 'extended') level = levels[agent.algorithm.scope];
  else if (agent.path?.kind === 'openstack') level = openStackLevels[settings.standardAlgorithmSvmLocality];
  else level = 1;

  const local = (s: SvmRecord): boolean => {
    if (level === 0 || agent.path === null || s.path === null) return false;
    if (!extended && s.largeInfrastructureMode) return false;
    if (agent.path.kind !== s.path.kind) return false;
    const mine = places(agent.path, level);
    return places(s.path, level).some((p) => mine.includes(p));
  };

  const rejected = new Map<string, SvmRejectionCode[]>();
  const eligible: SvmRecord[] = [];
  for (const s of svms) {
    const codes: SvmRejectionCode[] = [];
    if (inactive) codes.push('TENANT_INACTIVE');
    if (now - s.lastReportAt > settings.staleAfterIntervals * s.reportIntervalMs) codes.push('STALE');
    if (!rows.some((r) => r.svm.some((p) => startsWithParts(s.version, p)))) codes.push('VERSION_INCOMPATIBLE');
    const protectionOk = agent.requiresConnectionProtection
      ? ['on', 'on-allow-unsecure'].includes(s.channelEncryption)
      : ['off', 'on-allow-unsecure'].includes(s.channelEncryption);
    if (!protectionOk) codes.push('PROTECTION_MISMATCH');
    const tagsIgnored = s.version.split('.')[0] === '5' && s.licence.edition !== 'Enterprise';
    const tagOk =
      tagsIgnored ||
      (agent.connectionTag === null ? !s.connectionTags.enabled : s.connectionTags.enabled && s.connectionTags.list.includes(agent.connectionTag));
    if (!tagOk) codes.push('TAG_MISMATCH');
    if (!s.updateSource.platforms.includes(agent.osFamily)) codes.push('UPDATE_SOURCE');
    if (extended && level !== 0 && !local(s)) codes.push('OUT_OF_SCOPE');
    if (codes.length > 0) rejected.set(s.id, codes);
    else eligible.push(s);
  }

  const key = (s: SvmRecord): [number, number, number, number, number, string] => {
    const l = s.licence;
    const valid = l.keyType !== 'none' && !l.denylisted && (l.expiresAt === null || l.expiresAt > now);
    const match = l.keyType === agent.osKind || l.keyType === 'cores';
    return [valid ? 0 : 1, match ? 0 : 1, local(s) ? 0 : 1, s.connectedAgents, s.averageLoad, s.id];
  };
  const sorted = eligible
    .map((s) => ({ s, k: key(s) }))
    .sort((a, b) => {
      for (let i = 0; i < a.k.length; i++) {
        if (a.k[i]! < b.k[i]!) return -1;
        if (a.k[i]! > b.k[i]!) return 1;
      }
      return 0;
    })
    .map((x) => x.s);

  if (inactive) return { offered: [], rejected, sentinel: true };
  const limit = settings.maxSvmsPerAnswer ?? sorted.length;
  for (const s of sorted.slice(limit)) rejected.set(s.id, ['LIST_LIMIT']);
  return { offered: sorted.slice(0, limit).map((s) => s.id), rejected, sentinel: false };
}

function summary(selection: SvmSelection): Expected {
  return {
    offered: selection.candidates.map((s) => s.id),
    rejected: new Map(selection.rejected.map((r) => [r.svm.id, r.reasons.map((x) => x.code)])),
    sentinel: selection.sentinel !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const runs = { numRuns: 400 };

describe('SVM selection, for any infrastructure', () => {
  it('puts every SVM exactly once into either the candidates or the rejected', () => {
    fc.assert(
      fc.property(agentArb, svmsArb, settingsArb, nowArb, (agent, svms, settings, now) => {
        const result = selectSvms(agent, svms, settings, now);
        const seen = [...result.candidates, ...result.rejected.map((r) => r.svm)];
        expect(seen).toHaveLength(svms.length);
        expect(new Set(seen)).toEqual(new Set(svms));
      }),
      runs,
    );
  });

  it('never offers a rejected SVM', () => {
    fc.assert(
      fc.property(agentArb, svmsArb, settingsArb, nowArb, (agent, svms, settings, now) => {
        const result = selectSvms(agent, svms, settings, now);
        const offeredIds = new Set(discoverAnswer(result, settings).svms.map((s) => s.id));
        for (const r of result.rejected) expect(offeredIds.has(r.svm.id)).toBe(false);
      }),
      runs,
    );
  });

  it('gives every rejected SVM at least one reason: a known code and a plain sentence', () => {
    fc.assert(
      fc.property(agentArb, svmsArb, settingsArb, nowArb, (agent, svms, settings, now) => {
        for (const r of selectSvms(agent, svms, settings, now).rejected) {
          expect(r.reasons.length).toBeGreaterThan(0);
          for (const reason of r.reasons) {
            expect(SVM_REJECTION_CODES).toContain(reason.code);
            expect(reason.message).toMatch(/^[A-Z][^\n]*\.$/);
          }
        }
      }),
      runs,
    );
  });

  it('gives a VM of an inactive Complete tenant only the sentinel, whatever the SVMs', () => {
    const inactiveAgent = agentArb.map((a) => ({ ...a, tenant: { type: 'Complete' as const, status: 'Inactive' as const } }));
    fc.assert(
      fc.property(inactiveAgent, svmsArb, settingsArb, nowArb, (agent, svms, settings, now) => {
        const result = selectSvms(agent, svms, settings, now);
        expect(result.candidates).toEqual([]);
        expect(discoverAnswer(result, settings).svms).toEqual([settings.sentinel]);
        for (const r of result.rejected) expect(r.reasons[0]?.code).toBe('TENANT_INACTIVE');
      }),
      runs,
    );
  });

  it('gives no sentinel to any other VM', () => {
    fc.assert(
      fc.property(agentArb, svmsArb, settingsArb, nowArb, (agent, svms, settings, now) => {
        fc.pre(!(agent.tenant?.type === 'Complete' && agent.tenant.status === 'Inactive'));
        expect(selectSvms(agent, svms, settings, now).sentinel).toBeUndefined();
      }),
      runs,
    );
  });

  it('gives the same answer, in the same order, whatever the order of the input', () => {
    const shuffled = svmsArb.chain((svms) =>
      fc.tuple(fc.constant(svms), fc.shuffledSubarray(svms, { minLength: svms.length, maxLength: svms.length })),
    );
    fc.assert(
      fc.property(agentArb, shuffled, settingsArb, nowArb, (agent, [svms, permuted], settings, now) => {
        expect(summary(selectSvms(agent, permuted, settings, now))).toEqual(summary(selectSvms(agent, svms, settings, now)));
      }),
      runs,
    );
  });

  it("does not let a Simple tenant's status change anything", () => {
    fc.assert(
      fc.property(agentArb, svmsArb, settingsArb, nowArb, (agent, svms, settings, now) => {
        const none = summary(selectSvms({ ...agent, tenant: null }, svms, settings, now));
        for (const status of ['Active', 'Inactive'] as const) {
          expect(summary(selectSvms({ ...agent, tenant: { type: 'Simple', status } }, svms, settings, now))).toEqual(none);
        }
      }),
      runs,
    );
  });

  it('offers with a limit exactly the head of the unlimited list', () => {
    fc.assert(
      fc.property(agentArb, svmsArb, settingsArb, nowArb, fc.nat(10), (agent, svms, settings, now, limit) => {
        const all = selectSvms(agent, svms, { ...settings, maxSvmsPerAnswer: null }, now).candidates;
        const head = selectSvms(agent, svms, { ...settings, maxSvmsPerAnswer: limit }, now).candidates;
        expect(head).toEqual(all.slice(0, limit));
      }),
      runs,
    );
  });

  it('agrees with the reference reading of the rules, candidates and reasons alike', () => {
    fc.assert(
      fc.property(agentArb, svmsArb, settingsArb, nowArb, (agent, svms, settings, now) => {
        expect(summary(selectSvms(agent, svms, settings, now))).toEqual(reference(agent, svms, settings, now));
      }),
      { numRuns: 1000 },
    );
  });
});
