import type { InfrastructurePath } from '../contract/agents.ts';
import {
  hasValidLicence,
  isTenantInactiveComplete,
  keepBest,
  localityLevel,
  protectionMatches,
  rankOf,
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
import { compatibleSvmVersions, isSvmVersionCompatible } from './version-compatibility.ts';

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
}

/** What `put` hands back for an SVM: opaque outside the index. */
export interface IndexedSvm {
  readonly record: SvmRecord;
}

/**
 * An indexed SVM. Discovery reads a few dozen of these per call, among memory that serving TLS
 * keeps cold: what a call needs to know of an SVM's partition, and whether it already met the SVM
 * in a place, is one step from here (no lookup, no per-call set).
 */
interface Entry {
  readonly record: Mutable<SvmRecord>;
  readonly partition: Partition;
  /** The `select` call that last found this SVM in a place bucket it looked in. */
  seenIn: number;
  /** Where in its partition it was last put: right unless others moved past it since. */
  position: number;
  /** Out of the index (removed, or replaced by a newer record): its handle changes nothing. */
  removed: boolean;
}

const WITHOUT_REASONS = { explain: false } as const;

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

/** Within a preference class: fewer connected agents, then lower load, then id (unique). */
function byLoad(a: SvmRecord, b: SvmRecord): number {
  return a.connectedAgents - b.connectedAgents || a.averageLoad - b.averageLoad || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Where `svm` is, or belongs, in a list sorted by `byLoad`. */
function positionOf(list: readonly Entry[], svm: SvmRecord): number {
  return positionWithin(list, svm, 0, list.length);
}

/** The same within `list[lo, hi)`, which must be sorted. */
function positionWithin(list: readonly Entry[], svm: SvmRecord, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byLoad((list[mid] as Entry).record, svm) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where `entry` is in `list`: at the position it was last put, or else found by its load order. */
function locate(list: readonly Entry[], entry: Entry): number {
  return list[entry.position] === entry ? entry.position : positionOf(list, entry.record);
}

/**
 * `positionWithin(list, svm, lo, hi)`, searched outward from `lo` in growing steps: a count moves
 * by one, so an SVM mostly moves past a few others, and a binary search from the middle of a long
 * partition would read many more.
 */
function positionAfter(list: readonly Entry[], svm: SvmRecord, lo: number, hi: number): number {
  let probe = lo;
  for (let step = 1; probe < hi && byLoad((list[probe] as Entry).record, svm) < 0; step *= 2) {
    lo = probe + 1;
    probe = lo + step;
  }
  return positionWithin(list, svm, lo, Math.min(probe, hi));
}

/** `positionWithin(list, svm, 0, hi)`, searched outward from `hi` in growing steps. */
function positionBefore(list: readonly Entry[], svm: SvmRecord, hi: number): number {
  let probe = hi - 1;
  for (let step = 1; probe >= 0 && byLoad((list[probe] as Entry).record, svm) > 0; step *= 2) {
    hi = probe;
    probe = hi - step;
  }
  return positionWithin(list, svm, Math.max(probe + 1, 0), hi);
}

/**
 * Buckets that together hold every SVM that may be local at some level: SVMs sharing a hypervisor,
 * a cluster within a data centre, a data centre (OpenStack: server group, project, zone).
 */
function placeKeys(path: InfrastructurePath): string[] {
  if (path.kind === 'virtualization') {
    const keys = [JSON.stringify(['hv', path.hypervisor])];
    if (path.cluster !== null) keys.push(JSON.stringify(['cl', path.cluster, path.datacenter]));
    if (path.datacenter !== null) keys.push(JSON.stringify(['dc', path.datacenter]));
    return keys;
  }
  const keys = [JSON.stringify(['pj', path.project])];
  if (path.serverGroup !== null) keys.push(JSON.stringify(['sg', path.project, path.serverGroup]));
  if (path.availabilityZone !== null) keys.push(JSON.stringify(['az', path.availabilityZone]));
  return keys;
}

/** The buckets to look in for SVMs local to a VM at `level`: only those `withinLevel` can match. */
function placeKeysWithin(path: InfrastructurePath, level: 1 | 2 | 3): string[] {
  if (path.kind === 'virtualization') {
    const keys = [JSON.stringify(['hv', path.hypervisor])];
    if (level >= 2 && path.cluster !== null) keys.push(JSON.stringify(['cl', path.cluster, path.datacenter]));
    if (level === 3 && path.datacenter !== null) keys.push(JSON.stringify(['dc', path.datacenter]));
    return keys;
  }
  if (level === 1) return path.serverGroup === null ? [] : [JSON.stringify(['sg', path.project, path.serverGroup])];
  if (level === 2) return [JSON.stringify(['pj', path.project])];
  return path.availabilityZone === null ? [] : [JSON.stringify(['az', path.availabilityZone])];
}

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
      partition = { key, sample: record, licensable: record.licence.keyType !== 'none' && !record.licence.denylisted, members: [], checkedIn: 0, passed: false };
      this.#partitions.set(key, partition);
    }
    const position = positionOf(partition.members, record);
    const entry: Entry = { record, partition, seenIn: 0, position, removed: false };
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
    if (entry.removed || entry.record.connectedAgents === count) return;
    const { record } = entry;
    const members = entry.partition.members;
    // Every agent pointed at an SVM changes its count: one shift of the members between its old and
    // new place, not a removal and an insertion (two shifts and an array) on each discovery.
    const from = locate(members, entry);
    record.connectedAgents = count;
    entry.position = from;
    if (from + 1 < members.length && byLoad((members[from + 1] as Entry).record, record) < 0) {
      const to = positionAfter(members, record, from + 1, members.length) - 1;
      members.copyWithin(from, from + 1, to + 1);
      members[to] = entry;
      entry.position = to;
    } else if (from > 0 && byLoad((members[from - 1] as Entry).record, record) > 0) {
      const to = positionBefore(members, record, from);
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

    const call = ++this.#calls;
    const prefixes = compatibleSvmVersions(settings.versionCompatibility, agent.agentVersion, agent.osFamily);
    // The hard filters read only a partition's facts: checked once per partition and call.
    const passes = (partition: Partition) => {
      if (partition.checkedIn !== call) {
        const svm = partition.sample;
        partition.checkedIn = call;
        partition.passed =
          isSvmVersionCompatible(prefixes, svm.version) &&
          protectionMatches(svm, agent.requiresConnectionProtection) &&
          tagAccepted(svm, agent.connectionTag) &&
          updateSourceAllows(svm, agent.osFamily);
      }
      return partition.passed;
    };
    const staleAfter = settings.staleAfterIntervals;
    const fresh = (svm: SvmRecord) => !(now - svm.lastReportAt > staleAfter * svm.reportIntervalMs);
    const level: Level = localityLevel(agent, settings);
    const standard = agent.algorithm.kind === 'standard';
    const vmPath = agent.path;
    const scoped = agent.algorithm.kind === 'extended' && agent.algorithm.scope !== 'none';
    // A bucket looked in holds exactly the SVMs `withinLevel` finds at this level (placeKeysWithin),
    // so an SVM met there is local unless large-infrastructure mode turns locality off for it.
    const localHere = (svm: SvmRecord) => !(standard && svm.largeInfrastructureMode);
    // The best `limit` so far, in order: most SVMs met are turned away by one comparison.
    const best: Ranked[] = [];

    if (level !== 0 && vmPath !== null) {
      for (const place of placeKeysWithin(vmPath, level)) {
        for (const entry of this.#places.get(place) ?? []) {
          if (entry.seenIn === call) continue;
          entry.seenIn = call;
          const svm = entry.record;
          if (localHere(svm) && fresh(svm) && passes(entry.partition)) keepBest(best, null, svm, rankOf(svm, true, agent.osKind, now) - (entry === minus ? 1 : 0), limit);
        }
      }
    }

    // Within the extended algorithm's scope only local SVMs are eligible.
    if (!scoped) {
      for (const partition of this.#partitions.values()) {
        if (!passes(partition)) continue;
        // The members that share the partition's best class come in rank order: once `limit` of
        // them are taken, no later member can rank among the best `limit`. Expired ones rank lower.
        let inBest = 0;
        let expired = 0;
        for (const entry of partition.members) {
          const svm = entry.record;
          // Out of its place in this order for this call: ranked on its own below.
          if (entry === minus || !fresh(svm) || (entry.seenIn === call && localHere(svm))) continue;
          const inBestClass = !partition.licensable || hasValidLicence(svm, now);
          if (inBestClass) inBest++;
          else if (expired < limit) expired++;
          else continue;
          keepBest(best, null, svm, rankOf(svm, false, agent.osKind, now), limit);
          if (inBest >= limit) break;
        }
      }
    }

    if (minus !== undefined && !scoped) {
      const svm = minus.record;
      if (fresh(svm) && !(minus.seenIn === call && localHere(svm)) && passes(minus.partition)) keepBest(best, null, svm, rankOf(svm, false, agent.osKind, now) - 1, limit);
    }

    const candidates = new Array<SvmRecord>(best.length);
    for (let i = 0; i < candidates.length; i++) candidates[i] = (best[i] as Ranked).svm;
    return { candidates, rejected: [] };
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
