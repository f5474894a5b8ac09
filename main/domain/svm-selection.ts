// Which SVMs a Light Agent may use, best first, and why every other SVM is not offered
// (domain.md §1, §7, §8; design §5). One pure function serves the discovery endpoint, the Light
// Agent simulator and svm-info diagnostics, so the three can never disagree. Decisions where the
// vendor is silent are in docs/svm-selection.md.
import {
  ASK_AGAIN_SECONDS,
  ASK_AGAIN_WHILE_EMPTY_SECONDS,
  type ChannelEncryption,
  type ConnectionTags,
  type DiscoverAnswer,
  type DiscoveredSvm,
  type DiscoverRequest,
  type ExtendedScope,
  type InfrastructurePath,
  type LicenceEdition,
  type LicenceKeyType,
  type OsFamily,
  type OsKind,
  type SelectionAlgorithm,
  type StandardAlgorithmSvmLocality,
  type SvmRejectionReason,
  type SvmReport,
  type UpdateSource,
} from '../contract/agents.ts';
import {
  compatibleSvmVersions,
  DEFAULT_VERSION_COMPATIBILITY,
  isSvmVersionCompatible,
  type VersionCompatibilityTable,
} from './version-compatibility.ts';

// ---------------------------------------------------------------------------------------------
// Inputs and outputs
// ---------------------------------------------------------------------------------------------

/** What the registry holds for one SVM: its last report, parsed once when it arrived. */
export interface SvmRecord {
  /** The SVM's BIOS UUID in lower case: its identity and the last tie-break. */
  readonly id: string;
  readonly name: string;
  readonly agentAddress: string;
  readonly agentPorts: readonly number[];
  readonly managementAddress: string;
  readonly path: InfrastructurePath | null;
  readonly version: string;
  readonly licence: {
    readonly edition: LicenceEdition | null;
    readonly keyType: LicenceKeyType;
    /** Epoch milliseconds; null when the key does not expire. */
    readonly expiresAt: number | null;
    readonly denylisted: boolean;
    readonly addOns: readonly string[];
  };
  readonly averageLoad: number;
  readonly connectedAgents: number;
  readonly channelEncryption: ChannelEncryption;
  readonly connectionTags: ConnectionTags;
  readonly largeInfrastructureMode: boolean;
  readonly updateSource: UpdateSource;
  /** Epoch milliseconds of the last report. */
  readonly lastReportAt: number;
  /** The interval the server asked for in its answer to that report. */
  readonly reportIntervalMs: number;
}

/** The tenant the VM is registered to, as far as selection cares. */
export interface TenantFacts {
  readonly type: 'Complete' | 'Simple';
  readonly status: 'Active' | 'Inactive';
}

/** What selection knows about the asking Light Agent and its VM. */
export interface AgentFacts {
  readonly osKind: OsKind;
  readonly osFamily: OsFamily;
  readonly agentVersion: string;
  readonly connectionTag: string | null;
  readonly requiresConnectionProtection: boolean;
  readonly algorithm: SelectionAlgorithm;
  /** From the inventory, else from the request; null when neither knows. */
  readonly path: InfrastructurePath | null;
  /** Null when the VM is registered to no tenant. */
  readonly tenant: TenantFacts | null;
}

export interface SelectionSettings {
  readonly versionCompatibility: VersionCompatibilityTable;
  /** An SVM not heard from for more than this many of its report intervals is stale. */
  readonly staleAfterIntervals: number;
  /** Standard-algorithm locality for OpenStack, VK Cloud and TIONIX. */
  readonly standardAlgorithmSvmLocality: StandardAlgorithmSvmLocality;
  /** At most this many SVMs are offered (null: all); the rest are rejected with `LIST_LIMIT`. */
  readonly maxSvmsPerAnswer: number | null;
  /** The one SVM an inactive Complete tenant's VM is given: an address that does not exist. */
  readonly sentinel: DiscoveredSvm;
  readonly askAgainSeconds: number;
  readonly askAgainWhileEmptySeconds: number;
}

export interface RejectedSvm {
  readonly svm: SvmRecord;
  /** At least one; in the order the rules are applied. */
  readonly reasons: readonly SvmRejectionReason[];
}

export interface SvmSelection {
  /** The SVMs the agent may use, best first. Empty when `sentinel` is set. */
  readonly candidates: readonly SvmRecord[];
  /**
   * Every other SVM of the input, with why: first those a rule excludes, in input order, then
   * eligible SVMs cut by `maxSvmsPerAnswer`. Callers that display the list sort it themselves.
   */
  readonly rejected: readonly RejectedSvm[];
  /** Set, and then the only SVM to hand out, when the VM's Complete tenant is inactive. */
  readonly sentinel?: DiscoveredSvm;
}

/** RFC 5737 TEST-NET-1: reserved for documentation, never routed. */
export const DEFAULT_SENTINEL_ADDRESS = '192.0.2.1';

export const DEFAULT_SELECTION_SETTINGS: SelectionSettings = {
  versionCompatibility: DEFAULT_VERSION_COMPATIBILITY,
  staleAfterIntervals: 3,
  standardAlgorithmSvmLocality: 'ServerGroup',
  maxSvmsPerAnswer: 16,
  sentinel: {
    id: '00000000-0000-0000-0000-000000000000',
    name: 'No SVM available',
    address: DEFAULT_SENTINEL_ADDRESS,
    ports: [80, 9876, 9877, 11111, 11112],
    averageLoad: 0,
    connectedAgents: 0,
  },
  askAgainSeconds: ASK_AGAIN_SECONDS,
  askAgainWhileEmptySeconds: ASK_AGAIN_WHILE_EMPTY_SECONDS,
};

// ---------------------------------------------------------------------------------------------
// Building the inputs
// ---------------------------------------------------------------------------------------------

/** The registry record for a report received at `receivedAt` (epoch ms). */
export function svmRecordFromReport(report: SvmReport, receivedAt: number, reportIntervalSeconds: number): SvmRecord {
  const expiresAt = report.licence.expires === null ? null : Date.parse(report.licence.expires);
  return {
    id: report.biosId.toLowerCase(),
    name: report.name,
    agentAddress: report.agentAddress,
    agentPorts: report.agentPorts,
    managementAddress: report.managementAddress,
    path: report.path,
    version: report.version,
    licence: {
      edition: report.licence.edition,
      keyType: report.licence.keyType,
      // An unparsable expiry counts as already expired rather than as never expiring.
      expiresAt: expiresAt !== null && Number.isNaN(expiresAt) ? 0 : expiresAt,
      denylisted: report.licence.denylisted,
      addOns: report.licence.addOns,
    },
    averageLoad: report.averageLoad,
    connectedAgents: report.connectedAgents,
    channelEncryption: report.channelEncryption,
    connectionTags: report.connectionTags,
    largeInfrastructureMode: report.largeInfrastructureMode,
    updateSource: report.updateSource,
    lastReportAt: receivedAt,
    reportIntervalMs: reportIntervalSeconds * 1000,
  };
}

/** Agent facts from a discovery request; the inventory's path wins over the one the agent sent. */
export function agentFactsFromRequest(
  request: DiscoverRequest,
  inventoryPath: InfrastructurePath | null,
  tenant: TenantFacts | null,
): AgentFacts {
  return {
    osKind: request.osKind,
    osFamily: request.osFamily,
    agentVersion: request.agentVersion,
    connectionTag: request.connectionTag,
    requiresConnectionProtection: request.requiresConnectionProtection,
    algorithm: request.algorithm,
    path: inventoryPath ?? request.path ?? null,
    tenant,
  };
}

// ---------------------------------------------------------------------------------------------
// The rules, one by one (exported for diagnostics)
// ---------------------------------------------------------------------------------------------

export function isStale(svm: SvmRecord, now: number, settings: SelectionSettings): boolean {
  return now - svm.lastReportAt > settings.staleAfterIntervals * svm.reportIntervalMs;
}

/** A key is added, it is not denylisted and its licence has not expired (§1.2 rule 2). */
export function hasValidLicence(svm: SvmRecord, now: number): boolean {
  const l = svm.licence;
  return l.keyType !== 'none' && !l.denylisted && (l.expiresAt === null || l.expiresAt > now);
}

/** Server key for a server OS, desktop key for a desktop OS; a per-core key suits both (§1.2 rule 3). */
export function keyTypeMatches(svm: SvmRecord, osKind: OsKind): boolean {
  const k = svm.licence.keyType;
  return k === osKind || k === 'cores';
}

// A plain loop: on the few-element lists of the hot path it is several times faster than includes().
function contains<T>(list: readonly T[], value: T): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === value) return true;
  return false;
}

/** §1.2 rule 4. */
export function protectionMatches(svm: SvmRecord, requiresConnectionProtection: boolean): boolean {
  const e = svm.channelEncryption;
  return e === 'on-allow-unsecure' || (requiresConnectionProtection ? e === 'on' : e === 'off');
}

/** 5.x SVMs honour connection tags only under an Enterprise licence (§1.2 rule 5). */
export function tagsInForce(svm: SvmRecord): boolean {
  return !(svm.version.startsWith('5.') && svm.licence.edition !== 'Enterprise');
}

/** §1.2 rule 5: tagged agents only to SVMs accepting their tag; untagged agents only to SVMs without tags. */
export function tagAccepted(svm: SvmRecord, connectionTag: string | null): boolean {
  if (!tagsInForce(svm)) return true;
  const tags = svm.connectionTags;
  return connectionTag === null ? !tags.enabled : tags.enabled && contains(tags.list, connectionTag);
}

/** §1.2 rule 6. */
export function updateSourceAllows(svm: SvmRecord, osFamily: OsFamily): boolean {
  return contains(svm.updateSource.platforms, osFamily);
}

/**
 * Locality level: 1 = hypervisor (OpenStack: server group), 2 = cluster (project),
 * 3 = data center (availability zone); 0 = locality is not considered.
 */
export type Level = 0 | 1 | 2 | 3;

const EXTENDED_LEVEL = { hypervisor: 1, cluster: 2, datacenter: 3, none: 0 } as const;
const OPENSTACK_STANDARD_LEVEL = { ServerGroup: 1, Project: 2, AvailabilityZone: 3 } as const;

export function localityLevel(agent: AgentFacts, settings: SelectionSettings): Level {
  if (agent.algorithm.kind === 'extended') return EXTENDED_LEVEL[agent.algorithm.scope];
  if (agent.path === null) return 0;
  return agent.path.kind === 'openstack' ? OPENSTACK_STANDARD_LEVEL[settings.standardAlgorithmSvmLocality] : 1;
}

/** Whether an SVM at `svmPath` lies within `level` of the VM at `vmPath`; wider levels contain narrower ones. */
export function withinLevel(vmPath: InfrastructurePath, svmPath: InfrastructurePath, level: 1 | 2 | 3): boolean {
  if (vmPath.kind === 'virtualization') {
    if (svmPath.kind !== 'virtualization') return false;
    if (vmPath.hypervisor === svmPath.hypervisor) return true;
    if (level === 1) return false;
    // Cluster names repeat across data centres, so a cluster is only the same within one.
    if (vmPath.cluster !== null && vmPath.cluster === svmPath.cluster && vmPath.datacenter === svmPath.datacenter) return true;
    if (level === 2) return false;
    return vmPath.datacenter !== null && vmPath.datacenter === svmPath.datacenter;
  }
  if (svmPath.kind !== 'openstack') return false;
  if (level === 1) return vmPath.serverGroup !== null && vmPath.project === svmPath.project && vmPath.serverGroup === svmPath.serverGroup;
  if (level === 2) return vmPath.project === svmPath.project;
  return vmPath.availabilityZone !== null && vmPath.availabilityZone === svmPath.availabilityZone;
}

/**
 * Whether the SVM counts as local for this agent's algorithm. Standard: same hypervisor (OpenStack:
 * per `StandardAlgorithmSvmLocality`), and never for an SVM in large-infrastructure mode. Extended:
 * within the scope; with scope `none` nothing is local.
 */
export function isLocal(agent: AgentFacts, svm: SvmRecord, settings: SelectionSettings): boolean {
  return localAt(localityLevel(agent, settings), agent.algorithm.kind === 'standard', agent.path, svm);
}

export function localAt(level: Level, standard: boolean, vmPath: InfrastructurePath | null, svm: SvmRecord): boolean {
  if (level === 0 || vmPath === null || svm.path === null) return false;
  // Large-infrastructure mode switches off locality detection, which only the standard algorithm uses;
  // the vendor recommends the extended algorithm with Integration Server discovery for that mode.
  if (standard && svm.largeInfrastructureMode) return false;
  return withinLevel(vmPath, svm.path, level);
}

export function isTenantInactiveComplete(tenant: TenantFacts | null): boolean {
  return tenant !== null && tenant.type === 'Complete' && tenant.status === 'Inactive';
}

/** True for the IPv4 and IPv6 ranges reserved for documentation (RFC 5737, RFC 3849). */
export function isDocumentationAddress(address: string): boolean {
  const v4 = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.(\d{1,3})$/.exec(address);
  if (v4) return Number(v4[2]) <= 255;
  return /^2001:0?db8(:|$)/i.test(address);
}

// ---------------------------------------------------------------------------------------------
// Reasons: one plain sentence each
// ---------------------------------------------------------------------------------------------

/**
 * A reason is kept as the frozen one-element list that carries it: most rejected SVMs fail one rule,
 * and they all share that list. Only an SVM failing several rules gets a list of its own.
 */
type One = readonly [SvmRejectionReason];

const reason = (code: SvmRejectionReason['code'], message: string): One => Object.freeze([Object.freeze({ code, message })] as const);

const TENANT_INACTIVE_REASON = reason(
  'TENANT_INACTIVE',
  "The VM's Complete tenant is inactive, so it is given only an SVM address that does not exist.",
);
const PROTECTION_REQUIRED_REASON = reason(
  'PROTECTION_MISMATCH',
  'The Light Agent requires connection protection, but channel encryption is off on the SVM.',
);
const PROTECTION_REFUSED_REASON = reason(
  'PROTECTION_MISMATCH',
  'The Light Agent does not use connection protection, but the SVM requires channel encryption and does not allow unsecure connections.',
);
const UNTAGGED_REASON = reason(
  'TAG_MISMATCH',
  'The Light Agent has no connection tag, but the SVM accepts only Light Agents with specified tags.',
);
const UPDATE_SOURCE_REASONS: Readonly<Record<OsFamily, One>> = {
  windows: reason('UPDATE_SOURCE', 'The SVM does not download database updates for Light Agents for Windows, so they may not connect to it.'),
  linux: reason('UPDATE_SOURCE', 'The SVM does not download database updates for Light Agents for Linux, so they may not connect to it.'),
};

function scopeWord(path: InfrastructurePath, scope: ExtendedScope): string {
  if (path.kind === 'virtualization') return scope === 'datacenter' ? 'data center' : scope;
  return scope === 'hypervisor' ? 'server group' : scope === 'cluster' ? 'project' : 'availability zone';
}

/**
 * The sentences of one selection call. Most depend only on the agent, so each is written once per
 * call, when first needed, and shared by every SVM it applies to.
 */
class ReasonBook {
  readonly #agent: AgentFacts;
  readonly #versionPrefixes: readonly string[];
  #byVersion: Map<string, One> | undefined;
  #tagNotAccepted: One | undefined;
  #tagsOff: One | undefined;
  #outOfScope: One | undefined;
  #vmPathUnknown: One | undefined;
  #svmPathUnknown: One | undefined;
  #listLimit: One | undefined;

  constructor(agent: AgentFacts, versionPrefixes: readonly string[]) {
    this.#agent = agent;
    this.#versionPrefixes = versionPrefixes;
  }

  stale(svm: SvmRecord, now: number, staleAfterIntervals: number): One {
    const silent = Math.floor((now - svm.lastReportAt) / 1000);
    const interval = Math.round(svm.reportIntervalMs / 1000);
    return reason(
      'STALE',
      `The SVM last reported ${silent} s ago, more than ${staleAfterIntervals} report intervals of ${interval} s, so it is stale.`,
    );
  }

  version(svm: SvmRecord): One {
    this.#byVersion ??= new Map();
    let r = this.#byVersion.get(svm.version);
    if (r === undefined) {
      const a = this.#agent;
      const p = this.#versionPrefixes;
      const needs = p.length === 0 ? 'the version-compatibility table has no row for this agent' : `it needs SVM ${p.join(' or ')}`;
      r = reason('VERSION_INCOMPATIBLE', `SVM version ${svm.version} is not compatible with ${a.osFamily} Light Agent ${a.agentVersion}: ${needs}.`);
      this.#byVersion.set(svm.version, r);
    }
    return r;
  }

  protection(): One {
    return this.#agent.requiresConnectionProtection ? PROTECTION_REQUIRED_REASON : PROTECTION_REFUSED_REASON;
  }

  tag(svm: SvmRecord): One {
    const tag = this.#agent.connectionTag;
    if (tag === null) return UNTAGGED_REASON;
    if (svm.connectionTags.enabled) {
      return (this.#tagNotAccepted ??= reason('TAG_MISMATCH', `The SVM does not accept the Light Agent's connection tag "${tag}".`));
    }
    return (this.#tagsOff ??= reason(
      'TAG_MISMATCH',
      `The Light Agent has connection tag "${tag}", but the SVM is not configured to accept tagged Light Agents.`,
    ));
  }

  updateSource(): One {
    return UPDATE_SOURCE_REASONS[this.#agent.osFamily];
  }

  outOfScope(svm: SvmRecord, scope: ExtendedScope): One {
    const vmPath = this.#agent.path;
    if (vmPath === null) {
      return (this.#vmPathUnknown ??= reason(
        'OUT_OF_SCOPE',
        `The VM's place in the infrastructure is unknown, so no SVM can be within the extended algorithm's scope (${scope}).`,
      ));
    }
    if (svm.path === null) {
      return (this.#svmPathUnknown ??= reason(
        'OUT_OF_SCOPE',
        `The SVM has not reported its place in the infrastructure, so it cannot be within the extended algorithm's scope (${scope}).`,
      ));
    }
    return (this.#outOfScope ??= reason(
      'OUT_OF_SCOPE',
      `The SVM is not in the same ${scopeWord(vmPath, scope)} as the VM, and the extended algorithm's scope is ${scope}.`,
    ));
  }

  listLimit(limit: number): One {
    return (this.#listLimit ??= reason(
      'LIST_LIMIT',
      `The SVM is eligible, but only the best ${limit} SVMs are sent and it ranks below them.`,
    ));
  }
}

// ---------------------------------------------------------------------------------------------
// Selection
// ---------------------------------------------------------------------------------------------

export interface SelectOptions {
  /**
   * False on the discovery hot path: `rejected` is then left empty. Among 2,000 SVMs nearly all
   * are rejected, and one entry each is most of what a call allocates; only diagnostics read them.
   */
  readonly explain: boolean;
}
const EXPLAIN: SelectOptions = { explain: true };

/** What the order among equally ranked SVMs reads: an SVM record, or the discovery index's entry for one. */
export interface LoadOrdered {
  readonly averageLoad: number;
  readonly id: string;
}

export interface Ranked<T extends LoadOrdered = SvmRecord> {
  readonly svm: T;
  /** Preference bits (no valid licence, key type mismatch, not local) above the connected-agent count. */
  readonly rank: number;
}

// 2^32: connected-agent counts below it never spill into the preference bits, and 8·2^32 stays far
// below 2^53, so the whole rank is one exact double and one subtraction compares three preferences
// and the count at once.
const PREFERENCE_UNIT = 4_294_967_296;

/** An eligible SVM's rank: its preferences (valid licence, matching key type, locality), then its connected agents. */
export function rankOf(svm: SvmRecord, local: boolean, osKind: OsKind, now: number): number {
  return rankFrom(hasValidLicence(svm, now), keyTypeMatches(svm, osKind), local, svm.connectedAgents);
}

/** `rankOf` from its parts, for callers that know them without reading the record. */
export function rankFrom(validLicence: boolean, keyTypeMatch: boolean, local: boolean, connectedAgents: number): number {
  const preference = (validLicence ? 0 : 4) + (keyTypeMatch ? 0 : 2) + (local ? 0 : 1);
  return preference * PREFERENCE_UNIT + connectedAgents;
}

/** Total order on eligible SVMs: rank, then lower average load, then id (ids are unique). */
export function compareRanked<T extends LoadOrdered>(a: Ranked<T>, b: Ranked<T>): number {
  return compareRank(a, b.rank, b.svm);
}

function compareRank<T extends LoadOrdered>(a: Ranked<T>, rank: number, svm: T): number {
  const d = a.rank - rank || a.svm.averageLoad - svm.averageLoad;
  if (d !== 0) return d;
  return a.svm.id < svm.id ? -1 : a.svm.id > svm.id ? 1 : 0;
}

/**
 * Keeps `best` the sorted best `limit` SVMs seen so far, by insertion into a short array: most SVMs
 * are turned away by one comparison with the worst kept. What falls out goes to `overflow`, if given.
 * Answers whether `svm` was kept (it may still fall out later).
 */
export function keepBest<T extends LoadOrdered>(best: Ranked<T>[], overflow: T[] | null, svm: T, rank: number, limit: number): boolean {
  const worst = best[limit - 1];
  if (limit <= 0 || (worst !== undefined && compareRank(worst, rank, svm) <= 0)) {
    overflow?.push(svm);
    return false;
  }
  const entry: Ranked<T> = { svm, rank };
  let i = best.length;
  best.push(entry);
  while (i > 0 && compareRanked(best[i - 1] as Ranked<T>, entry) > 0) {
    best[i] = best[i - 1] as Ranked<T>;
    i--;
  }
  best[i] = entry;
  if (best.length > limit) {
    const out = (best.pop() as Ranked<T>).svm;
    overflow?.push(out);
  }
  return true;
}

/** The reasons found for one SVM so far: none, one shared list, or a list of its own. */
type Found = One | SvmRejectionReason[] | null;

// A list of its own starts with two reasons, so length tells the two kinds apart.
const isOne = (found: One | SvmRejectionReason[]): found is One => found.length === 1;

function add(found: Found, r: One): One | SvmRejectionReason[] {
  if (found === null) return r;
  if (isOne(found)) return [found[0], r[0]];
  found.push(r[0]);
  return found;
}

/**
 * Applies the hard filters (tenant, stale, version, connection protection, tags, update source,
 * extended scope) and orders what is left by valid licence, matching key type, locality, fewest
 * connected agents, lower average load and id. `now` is epoch milliseconds.
 *
 * Candidates depend only on the set of SVMs, never on their order in `svms`. `rejected` lists
 * first the SVMs a rule excludes, in input order, then eligible SVMs beyond `maxSvmsPerAnswer`.
 * Reason objects are frozen and may be shared between SVMs of one answer.
 */
export function selectSvms(
  agent: AgentFacts,
  svms: readonly SvmRecord[],
  settings: SelectionSettings,
  now: number,
  options: SelectOptions = EXPLAIN,
): SvmSelection {
  const explain = options.explain;
  const inactiveTenant = isTenantInactiveComplete(agent.tenant);
  const versionPrefixes = compatibleSvmVersions(settings.versionCompatibility, agent.agentVersion, agent.osFamily);
  const book = new ReasonBook(agent, versionPrefixes);
  const level = localityLevel(agent, settings);
  const algorithm = agent.algorithm;
  const scope = algorithm.kind === 'extended' && algorithm.scope !== 'none' ? algorithm.scope : null;
  const standard = algorithm.kind === 'standard';
  const { path: vmPath, connectionTag: tag, requiresConnectionProtection: protection, osKind, osFamily } = agent;
  const staleAfterIntervals = settings.staleAfterIntervals;
  const limit = settings.maxSvmsPerAnswer;

  // With a limit, only the best `limit` are kept in order; the others are merely set aside.
  // Without one, everything eligible is sorted once at the end.
  const best: Ranked[] = [];
  const overflow: SvmRecord[] = [];
  const rejected: RejectedSvm[] = [];

  for (const svm of svms) {
    let found: Found = inactiveTenant ? TENANT_INACTIVE_REASON : null;
    if (now - svm.lastReportAt > staleAfterIntervals * svm.reportIntervalMs) found = add(found, book.stale(svm, now, staleAfterIntervals));
    if (!isSvmVersionCompatible(versionPrefixes, svm.version)) found = add(found, book.version(svm));
    if (!protectionMatches(svm, protection)) found = add(found, book.protection());
    if (!tagAccepted(svm, tag)) found = add(found, book.tag(svm));
    if (!updateSourceAllows(svm, osFamily)) found = add(found, book.updateSource());
    const local = localAt(level, standard, vmPath, svm);
    if (scope !== null && !local) found = add(found, book.outOfScope(svm, scope));

    if (found !== null) {
      if (explain) rejected.push({ svm, reasons: found });
      continue;
    }

    const rank = rankOf(svm, local, osKind, now);
    if (limit === null) best.push({ svm, rank });
    else keepBest(best, overflow, svm, rank, limit);
  }

  if (inactiveTenant) return { candidates: [], rejected, sentinel: settings.sentinel };
  if (limit === null) best.sort(compareRanked);

  const candidates = new Array<SvmRecord>(best.length);
  for (let i = 0; i < best.length; i++) candidates[i] = (best[i] as Ranked).svm;
  if (explain && overflow.length > 0) {
    const reasons = book.listLimit(limit ?? 0);
    for (const svm of overflow) rejected.push({ svm, reasons });
  }
  return { candidates, rejected };
}

// ---------------------------------------------------------------------------------------------
// The answer to the Light Agent
// ---------------------------------------------------------------------------------------------

export function toDiscoveredSvm(svm: SvmRecord): DiscoveredSvm {
  return {
    id: svm.id,
    name: svm.name,
    address: svm.agentAddress,
    ports: svm.agentPorts.slice(),
    averageLoad: svm.averageLoad,
    connectedAgents: svm.connectedAgents,
  };
}

/** The discovery answer: the sentinel alone, or the candidates; ask again sooner while it is empty. */
export function discoverAnswer(selection: SvmSelection, settings: SelectionSettings): DiscoverAnswer {
  const svms = selection.sentinel ? [selection.sentinel] : selection.candidates.map(toDiscoveredSvm);
  return {
    svms,
    askAgainSeconds: svms.length === 0 ? settings.askAgainWhileEmptySeconds : settings.askAgainSeconds,
  };
}
