import type { InfrastructurePath, OsFamily } from '../contract/agents.ts';
import {
  isTenantInactiveComplete,
  keepBest,
  keyTypeMatches,
  localityLevel,
  protectionMatches,
  rankFrom,
  selectSvms,
  tagAccepted,
  updateSourceAllows,
  type AgentFacts,
  type Level,
  type Ranked,
  type SelectionSettings,
  type SvmRecord,
  type SvmSelection,
} from './svm-selection.ts';
import { compatibleSvmVersions, isSvmVersionCompatible, type VersionCompatibilityTable } from './version-compatibility.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * SVMs whose hard-filter facts and static licence facts are equal: one check of the filters
 * answers for all of them. Members are kept sorted by connected agents, load and id, the order
 * selection uses within one preference class.
 */
interface Partition {
  readonly key: string;
  /** Any record with this partition's facts; only those facts are read from it. */
  readonly sample: SvmRecord;
  /** A key that is added and not denylisted; expiry is then the only per-SVM licence question. */
  readonly licensable: boolean;
  readonly members: Entry[];
  /** The `select` call that last checked the hard filters for this partition, and their answer then. */
  checkedIn: number;
  passed: boolean;
  /** In that call: whether the partition's key type matches the asking agent's OS kind. */
  keyTypeMatch: boolean;
}

/** What `put` hands back for an SVM: opaque outside the index. */
export interface IndexedSvm {
  readonly record: SvmRecord;
}

/**
 * An indexed SVM. Discovery reads a few dozen of these per call, among memory that serving TLS
 * keeps cold: everything a call reads of an SVM it does not answer with is here, in one object,
 * copied from the record when it is put (a report puts a new one), so the record itself, its
 * licence and its path are read only for the SVMs in the answer.
 */
interface Entry {
  readonly record: Mutable<SvmRecord>;
  readonly partition: Partition;
  readonly id: string;
  /** The record's count, changed with it (`setConnectedAgentsOf`). */
  connectedAgents: number;
  readonly averageLoad: number;
  readonly lastReportAt: number;
  readonly reportIntervalMs: number;
  readonly largeInfrastructureMode: boolean;
  readonly expiresAt: number | null;
  /** The `select` call that last found this SVM in a place bucket it looked in. */
  seenIn: number;
  /** Where in its partition it was last put: right unless others moved past it since. */
  position: number;
  /** Out of the index (removed, or replaced by a newer record): its handle changes nothing. */
  removed: boolean;
}

const WITHOUT_REASONS = { explain: false } as const;

/** How many agent versions per platform `select` remembers the compatible SVM versions of. */
const REMEMBERED_AGENT_VERSIONS = 256;

/** The facts of an SVM that the hard filters and the static preferences read. */
const partitionKey = (svm: SvmRecord): string =>
  JSON.stringify([
    svm.version,
    svm.licence.edition,
    svm.licence.keyType,
    svm.licence.denylisted,
    svm.channelEncryption,
    svm.connectionTags.enabled,
    svm.connectionTags.list,
    svm.updateSource.platforms,
  ]);

/** What the order within a partition reads: an entry, or the record about to become one. */
type Loaded = Pick<SvmRecord, 'connectedAgents' | 'averageLoad' | 'id'>;

/** Within a preference class: fewer connected agents, then lower load, then id (unique). */
function byLoad(a: Loaded, b: Loaded): number {
  return a.connectedAgents - b.connectedAgents || a.averageLoad - b.averageLoad || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Where `svm` is, or belongs, in a list sorted by `byLoad`. */
function positionOf(list: readonly Entry[], svm: Loaded): number {
  return positionWithin(list, svm, 0, list.length);
}

/** The same within `list[lo, hi)`, which must be sorted. */
function positionWithin(list: readonly Entry[], svm: Loaded, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byLoad(list[mid] as Entry, svm) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where `entry` is in `list`: at the position it was last put, or else found by its load order. */
function locate(list: readonly Entry[], entry: Entry): number {
  return list[entry.position] === entry ? entry.position : positionOf(list, entry);
}

/**
 * `positionWithin(list, svm, lo, hi)`, searched outward from `lo` in growing steps: a count moves
 * by one, so an SVM mostly moves past a few others, and a binary search from the middle of a long
 * partition would read many more.
 */
function positionAfter(list: readonly Entry[], svm: Loaded, lo: number, hi: number): number {
  let probe = lo;
  for (let step = 1; probe < hi && byLoad(list[probe] as Entry, svm) < 0; step *= 2) {
    lo = probe + 1;
    probe = lo + step;
  }
  return positionWithin(list, svm, lo, Math.min(probe, hi));
}

/** `positionWithin(list, svm, 0, hi)`, searched outward from `hi` in growing steps. */
function positionBefore(list: readonly Entry[], svm: Loaded, hi: number): number {
  let probe = hi - 1;
  for (let step = 1; probe >= 0 && byLoad(list[probe] as Entry, svm) > 0; step *= 2) {
    hi = probe;
    probe = hi - step;
  }
  return positionWithin(list, svm, Math.max(probe + 1, 0), hi);
}

// Bucket keys: one name after a fixed prefix, or a JSON array where a key needs two names. Most
// discoveries look in one hypervisor's bucket, and building its key is then no JSON.stringify.
const hypervisorKey = (hypervisor: string) => `hv:${hypervisor}`;
const clusterKey = (cluster: string, datacenter: string | null) => JSON.stringify(['cl', cluster, datacenter]);
const datacenterKey = (datacenter: string) => `dc:${datacenter}`;
const projectKey = (project: string) => `pj:${project}`;
const serverGroupKey = (project: string, serverGroup: string) => JSON.stringify(['sg', project, serverGroup]);
const zoneKey = (zone: string) => `az:${zone}`;

/**
 * Buckets that together hold every SVM that may be local at some level: SVMs sharing a hypervisor,
 * a cluster within a data centre, a data centre (OpenStack: server group, project, zone).
 */
function placeKeys(path: InfrastructurePath): string[] {
  if (path.kind === 'virtualization') {
    const keys = [hypervisorKey(path.hypervisor)];
    if (path.cluster !== null) keys.push(clusterKey(path.cluster, path.datacenter));
    if (path.datacenter !== null) keys.push(datacenterKey(path.datacenter));
    return keys;
  }
  const keys = [projectKey(path.project)];
  if (path.serverGroup !== null) keys.push(serverGroupKey(path.project, path.serverGroup));
  if (path.availabilityZone !== null) keys.push(zoneKey(path.availabilityZone));
  return keys;
}

/** The buckets to look in for SVMs local to a VM at `level`: only those `withinLevel` can match. */
function placeKeysWithin(path: InfrastructurePath, level: 1 | 2 | 3): string[] {
  if (path.kind === 'virtualization') {
    const keys = [hypervisorKey(path.hypervisor)];
    if (level >= 2 && path.cluster !== null) keys.push(clusterKey(path.cluster, path.datacenter));
    if (level === 3 && path.datacenter !== null) keys.push(datacenterKey(path.datacenter));
    return keys;
  }
  if (level === 1) return path.serverGroup === null ? [] : [serverGroupKey(path.project, path.serverGroup)];
  if (level === 2) return [projectKey(path.project)];
  return path.availabilityZone === null ? [] : [zoneKey(path.availabilityZone)];
}

/**
 * What one `select` call checks SVMs against. The checks below are functions of it, not closures
 * made on each call: those would be new functions every time, which the JIT keeps deoptimizing on.
 */
interface Ask {
  /** The call's number, for the stamps on partitions and entries. */
  readonly call: number;
  readonly agent: AgentFacts;
  /** The SVM version prefixes the agent may use (`compatibleSvmVersions`). */
  readonly prefixes: readonly string[];
  readonly now: number;
  readonly staleAfter: number;
  /** The SVM that counts one agent fewer for this call (`select`'s `discounted`). */
  readonly minus: Entry | undefined;
  readonly standard: boolean;
}

/** The hard filters and the key type read only a partition's facts: checked once per partition and call. */
function passes(ask: Ask, partition: Partition): boolean {
  if (partition.checkedIn !== ask.call) {
    const svm = partition.sample;
    const { agent } = ask;
    partition.checkedIn = ask.call;
    partition.passed =
      isSvmVersionCompatible(ask.prefixes, svm.version) &&
      protectionMatches(svm, agent.requiresConnectionProtection) &&
      tagAccepted(svm, agent.connectionTag) &&
      updateSourceAllows(svm, agent.osFamily);
    partition.keyTypeMatch = keyTypeMatches(svm, agent.osKind);
  }
  return partition.passed;
}

const fresh = (ask: Ask, e: Entry): boolean => !(ask.now - e.lastReportAt > ask.staleAfter * e.reportIntervalMs);

/** `hasValidLicence`: the key's kind and denylisting are the partition's; only expiry is the SVM's. */
const validLicence = (ask: Ask, e: Entry): boolean => e.partition.licensable && (e.expiresAt === null || e.expiresAt > ask.now);

/** `rankOf`, read from the entry, where `passes` has just set the partition's key-type match. */
const rank = (ask: Ask, e: Entry, local: boolean): number => rankFrom(validLicence(ask, e), e.partition.keyTypeMatch, local, e.connectedAgents) - (e === ask.minus ? 1 : 0);

/**
 * A bucket looked in holds exactly the SVMs `withinLevel` finds at this level (placeKeysWithin), so
 * an SVM met there is local unless large-infrastructure mode turns locality off for it.
 */
const localHere = (ask: Ask, e: Entry): boolean => !(ask.standard && e.largeInfrastructureMode);

/**
 * The SVM registry's index for discovery: the same answer as `selectSvms` without reasons, without
 * looking at every SVM. Local SVMs come from buckets by place; the others from partitions that pass
 * or fail the hard filters as a whole, each walked in load order only until it can add nothing to
 * the best `maxSvmsPerAnswer`. Among 2,000 SVMs on 200 hypervisors a call reads a few dozen.
 *
 * Records are owned by the index while they are in it: their connected-agent count is changed
 * through `setConnectedAgents` (or `setConnectedAgentsOf` with the handle `put` gave) only, because
 * it is part of the partitions' sort order.
 */
export class SvmCandidateIndex {
  readonly #byId = new Map<string, Entry>();
  readonly #partitions = new Map<string, Partition>();
  readonly #places = new Map<string, Set<Entry>>();
  /** Numbers the `select` calls, for the stamps on partitions and entries. */
  #calls = 0;
  /**
   * `compatibleSvmVersions` per platform and agent version, for the table they were worked out
   * from: a fleet runs a few agent versions, and every discovery would walk the table again.
   */
  #versionsTable: VersionCompatibilityTable | undefined;
  readonly #versionsByAgent = new Map<OsFamily, Map<string, readonly string[]>>();

  get size(): number {
    return this.#byId.size;
  }

  /** Every record, in no particular order (for `selectSvms` with reasons). */
  records(): SvmRecord[] {
    return Array.from(this.#byId.values(), (e) => e.record);
  }

  get(id: string): SvmRecord | undefined {
    return this.#byId.get(id)?.record;
  }

  /**
   * Adds an SVM, or replaces the record of one with the same id. The handle it returns changes the
   * SVM's count without looking it up, until the SVM is put again or removed.
   */
  put(record: Mutable<SvmRecord>): IndexedSvm {
    this.remove(record.id);
    const key = partitionKey(record);
    let partition = this.#partitions.get(key);
    if (!partition) {
      partition = { key, sample: record, licensable: record.licence.keyType !== 'none' && !record.licence.denylisted, members: [], checkedIn: 0, passed: false, keyTypeMatch: false };
      this.#partitions.set(key, partition);
    }
    const position = positionOf(partition.members, record);
    const entry: Entry = {
      record,
      partition,
      id: record.id,
      connectedAgents: record.connectedAgents,
      averageLoad: record.averageLoad,
      lastReportAt: record.lastReportAt,
      reportIntervalMs: record.reportIntervalMs,
      largeInfrastructureMode: record.largeInfrastructureMode,
      expiresAt: record.licence.expiresAt,
      seenIn: 0,
      position,
      removed: false,
    };
    partition.members.splice(position, 0, entry);
    if (record.path) {
      for (const place of placeKeys(record.path)) {
        let bucket = this.#places.get(place);
        if (!bucket) this.#places.set(place, (bucket = new Set()));
        bucket.add(entry);
      }
    }
    this.#byId.set(record.id, entry);
    return entry;
  }

  remove(id: string): void {
    const entry = this.#byId.get(id);
    if (!entry) return;
    entry.removed = true;
    const { record, partition } = entry;
    partition.members.splice(locate(partition.members, entry), 1);
    if (partition.members.length === 0) this.#partitions.delete(partition.key);
    if (record.path) {
      for (const place of placeKeys(record.path)) {
        const bucket = this.#places.get(place);
        bucket?.delete(entry);
        if (bucket?.size === 0) this.#places.delete(place);
      }
    }
    this.#byId.delete(id);
  }

  setConnectedAgents(id: string, count: number): void {
    const entry = this.#byId.get(id);
    if (entry) this.setConnectedAgentsOf(entry, count);
  }

  /** `setConnectedAgents` for the SVM `put` returned `handle` for. */
  setConnectedAgentsOf(handle: IndexedSvm, count: number): void {
    const entry = handle as Entry;
    if (entry.removed || entry.connectedAgents === count) return;
    const members = entry.partition.members;
    // Every agent pointed at an SVM changes its count: one shift of the members between its old and
    // new place, not a removal and an insertion (two shifts and an array) on each discovery.
    const from = locate(members, entry);
    entry.record.connectedAgents = count;
    entry.connectedAgents = count;
    entry.position = from;
    if (from + 1 < members.length && byLoad(members[from + 1] as Entry, entry) < 0) {
      const to = positionAfter(members, entry, from + 1, members.length) - 1;
      members.copyWithin(from, from + 1, to + 1);
      members[to] = entry;
      entry.position = to;
    } else if (from > 0 && byLoad(members[from - 1] as Entry, entry) > 0) {
      const to = positionBefore(members, entry, from);
      members.copyWithin(to + 1, to, from);
      members[to] = entry;
      entry.position = to;
    }
  }

  /**
   * `selectSvms(agent, all records, settings, now, { explain: false })`, from the index.
   *
   * `discounted`: an SVM that counts one agent fewer for this call only (the asking agent's own
   * earlier pointing). It stays where it is and is ranked on its own: an agent asking again mostly
   * gets the same SVM back, and then its count need not move down and up again.
   */
  select(agent: AgentFacts, settings: SelectionSettings, now: number, discounted?: IndexedSvm): SvmSelection {
    const limit = settings.maxSvmsPerAnswer;
    const minus = discounted !== undefined && !(discounted as Entry).removed ? (discounted as Entry) : undefined;
    if (limit === null) return this.#selectAll(agent, settings, now, minus);
    if (isTenantInactiveComplete(agent.tenant)) return { candidates: [], rejected: [], sentinel: settings.sentinel };

    const ask: Ask = {
      call: ++this.#calls,
      agent,
      prefixes: this.#compatibleVersions(settings.versionCompatibility, agent.agentVersion, agent.osFamily),
      now,
      staleAfter: settings.staleAfterIntervals,
      minus,
      standard: agent.algorithm.kind === 'standard',
    };
    const { call } = ask;
    const level: Level = localityLevel(agent, settings);
    const vmPath = agent.path;
    const scoped = agent.algorithm.kind === 'extended' && agent.algorithm.scope !== 'none';
    // The best `limit` so far, in order: most SVMs met are turned away by one comparison.
    const best: Ranked<Entry>[] = [];

    if (level !== 0 && vmPath !== null) {
      for (const place of placeKeysWithin(vmPath, level)) {
        for (const entry of this.#places.get(place) ?? []) {
          if (entry.seenIn === call) continue;
          entry.seenIn = call;
          if (localHere(ask, entry) && fresh(ask, entry) && passes(ask, entry.partition)) keepBest(best, null, entry, rank(ask, entry, true), limit);
        }
      }
    }

    // Within the extended algorithm's scope only local SVMs are eligible.
    if (!scoped) {
      for (const partition of this.#partitions.values()) {
        if (!passes(ask, partition)) continue;
        // The members that share the partition's best class come in rank order: once `limit` of
        // them are taken, or one is turned away, no later member can rank among the best `limit`.
        // Expired ones rank lower, among them in the same order.
        let inBest = 0;
        let expired = 0;
        for (const entry of partition.members) {
          // Out of its place in this order for this call: ranked on its own below.
          if (entry === minus || !fresh(ask, entry) || (entry.seenIn === call && localHere(ask, entry))) continue;
          const inBestClass = !partition.licensable || validLicence(ask, entry);
          if (inBestClass) inBest++;
          else if (expired < limit) expired++;
          else continue;
          if (!keepBest(best, null, entry, rank(ask, entry, false), limit) && inBestClass) break;
          if (inBest >= limit) break;
        }
      }
      if (minus !== undefined && fresh(ask, minus) && !(minus.seenIn === call && localHere(ask, minus)) && passes(ask, minus.partition)) keepBest(best, null, minus, rank(ask, minus, false), limit);
    }

    const candidates = new Array<SvmRecord>(best.length);
    for (let i = 0; i < candidates.length; i++) candidates[i] = (best[i] as Ranked<Entry>).svm.record;
    return { candidates, rejected: [] };
  }

  #compatibleVersions(table: VersionCompatibilityTable, agentVersion: string, platform: OsFamily): readonly string[] {
    if (table !== this.#versionsTable) {
      this.#versionsTable = table;
      this.#versionsByAgent.clear();
    }
    // One map per platform: a key joined from both would be a new string to flatten and hash each time.
    let byVersion = this.#versionsByAgent.get(platform);
    if (byVersion === undefined) this.#versionsByAgent.set(platform, (byVersion = new Map()));
    let prefixes = byVersion.get(agentVersion);
    if (prefixes === undefined) {
      // Bounded: agents choose what they send.
      if (byVersion.size >= REMEMBERED_AGENT_VERSIONS) byVersion.clear();
      byVersion.set(agentVersion, (prefixes = compatibleSvmVersions(table, agentVersion, platform)));
    }
    return prefixes;
  }

  /** Without a limit: `selectSvms` over every record, the discounted one as a copy counting one fewer. */
  #selectAll(agent: AgentFacts, settings: SelectionSettings, now: number, minus: Entry | undefined): SvmSelection {
    const records = this.records();
    if (minus === undefined) return selectSvms(agent, records, settings, now, WITHOUT_REASONS);
    const at = records.indexOf(minus.record);
    const copy = { ...minus.record, connectedAgents: minus.record.connectedAgents - 1 };
    records[at] = copy;
    const selection = selectSvms(agent, records, settings, now, WITHOUT_REASONS);
    return { ...selection, candidates: selection.candidates.map((c) => (c === copy ? minus.record : c)) };
  }
}
