import type { InfrastructurePath } from '../contract/agents.ts';
import type { SvmInfo, SvmSummary } from '../contract/svms.ts';
import { hasValidLicence, isLocal, type AgentFacts, type SelectionSettings, type SvmRecord, type SvmSelection } from '../domain/svm-selection.ts';
import type { AgentEntry } from './agent-directory.ts';
import type { SvmEntry } from './svm-registry.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** An SVM as the JSON API shows it. */
export function svmSummary(entry: SvmEntry, now: number): SvmSummary {
  const r = entry.record;
  const l = entry.report.licence;
  return {
    id: r.id,
    name: r.name,
    agentAddress: r.agentAddress,
    agentPorts: [...r.agentPorts],
    managementAddress: r.managementAddress,
    path: r.path,
    version: r.version,
    licence: { edition: l.edition, keyType: l.keyType, expires: l.expires, denylisted: l.denylisted, addOns: [...l.addOns], valid: hasValidLicence(r, now) },
    averageLoad: r.averageLoad,
    connectedAgents: entry.reported,
    pendingAgents: entry.pending,
    channelEncryption: r.channelEncryption,
    connectionTags: r.connectionTags,
    largeInfrastructureMode: r.largeInfrastructureMode,
    updateSource: r.updateSource,
    lastReportAt: iso(r.lastReportAt),
    reportIntervalSeconds: r.reportIntervalMs / 1000,
    firstSeenAt: iso(entry.firstSeenAt),
    state: entry.stale ? 'stale' : 'fresh',
    identityConflict: entry.conflict && { ...entry.conflict, at: iso(entry.conflict.at) },
  };
}

const ref = (s: SvmRecord) => ({ id: s.id, name: s.name, address: s.agentAddress, ports: [...s.agentPorts] });

export type SvmInfoInputs = {
  agent: AgentEntry;
  facts: AgentFacts;
  pathSource: SvmInfo['pathSource'];
  selection: SvmSelection;
  settings: SelectionSettings;
  isStale: (id: string) => boolean;
  connectedTo: SvmRecord | undefined;
  integrationServer: string;
  now: number;
};

/** svm-info: the SVM the VM should use now, the rest of its list, and why every other SVM is not offered. */
export function svmInfo(i: SvmInfoInputs): SvmInfo {
  const { agent, facts, selection } = i;
  const best = selection.candidates[0];
  const req = agent.request;
  // Sorted for display: the selection lists rejected SVMs in input order, to stay cheap on the hot path.
  const rejected = [...selection.rejected]
    .sort((a, b) => (a.svm.name < b.svm.name ? -1 : a.svm.name > b.svm.name ? 1 : a.svm.id < b.svm.id ? -1 : 1))
    .map((r) => ({ ...ref(r.svm), state: i.isStale(r.svm.id) ? ('stale' as const) : ('fresh' as const), reasons: r.reasons.map((x) => ({ code: x.code, message: x.message })) }));
  return {
    vm: { biosId: agent.vmBiosId, name: agent.vmName },
    lastAskedAt: iso(agent.lastAskedAt),
    integrationServer: i.integrationServer,
    discoveryMethod: 'Integration Server',
    algorithm: req.algorithm,
    connectionTag: req.connectionTag,
    connectionProtection: req.requiresConnectionProtection,
    osKind: req.osKind,
    osFamily: req.osFamily,
    agentVersion: req.agentVersion,
    path: facts.path,
    pathSource: i.pathSource,
    tenant: facts.tenant && { type: facts.tenant.type, status: facts.tenant.status },
    outcome: selection.sentinel ? 'sentinel' : best ? 'svm' : 'none',
    svm: best
      ? {
          ...ref(best),
          version: best.version,
          licence: { edition: best.licence.edition, keyType: best.licence.keyType, valid: hasValidLicence(best, i.now) },
          local: isLocal(facts, best, i.settings),
          path: best.path,
          connectedAgents: best.connectedAgents,
          averageLoad: best.averageLoad,
        }
      : selection.sentinel
        ? { id: selection.sentinel.id, name: selection.sentinel.name, address: selection.sentinel.address, ports: [...selection.sentinel.ports], version: '', licence: { edition: null, keyType: 'none', valid: false }, local: false, path: null, connectedAgents: 0, averageLoad: 0 }
        : null,
    alternatives: selection.candidates.slice(1).map(ref),
    connectedTo: i.connectedTo ? { id: i.connectedTo.id, name: i.connectedTo.name } : null,
    rejected,
  };
}

/** "hypervisor hv-1 / cluster c / data center dc" — for text output. */
export function describePath(path: InfrastructurePath | null): string {
  if (path === null) return 'unknown';
  if (path.kind === 'virtualization') {
    return [`hypervisor ${path.hypervisor}`, path.cluster && `cluster ${path.cluster}`, path.datacenter && `data center ${path.datacenter}`].filter(Boolean).join(' / ');
  }
  return [`project ${path.project}`, path.serverGroup && `server group ${path.serverGroup}`, path.availabilityZone && `availability zone ${path.availabilityZone}`].filter(Boolean).join(' / ');
}
