import type { SvmReport } from '../contract/agents.ts';
import { SvmCandidateIndex, type IndexedSvm } from '../domain/svm-candidate-index.ts';
import { isStale, svmRecordFromReport, type AgentFacts, type SelectionSettings, type SvmRecord, type SvmSelection } from '../domain/svm-selection.ts';
import type { StoredSvm, SvmIdentityConflict } from '../store/svm-repositories.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One SVM as the registry holds it: the record selection reads, and what the registry adds. */
export type SvmEntry = {
  /** What selection sees; `connectedAgents` is the reported count plus `pending`. */
  record: Mutable<SvmRecord>;
  report: Omit<SvmReport, 'connectionPeriods'>;
  reported: number;
  /** Agents pointed at this SVM since its last report (see `assign`). */
  pending: number;
  /** Bumped by every report: a pointing made under an older sequence is already in the reported count. */
  sequence: number;
  stale: boolean;
  firstSeenAt: number;
  conflict: SvmIdentityConflict | null;
  /** VMs with an open connection period in the SVM's last report. */
  connectedVms: Set<string>;
  /** Its place in the candidate index, set when it is put there. */
  indexed?: IndexedSvm;
};

export type ReportOutcome = { entry: SvmEntry; change: 'up' | 'back' | null; conflict: SvmIdentityConflict | null };

/**
 * The in-memory SVM registry that discovery reads on every request (design §4): the candidate
 * index that answers discovery without reading every SVM, and the entries by id. It also does the bookkeeping that selection
 * cannot do alone: agents pointed at an SVM count against it until the SVM reports again, or a
 * burst of agents asking within one interval would all see the same counts and pile onto one SVM.
 */
export function createSvmRegistry(settings: () => SelectionSettings) {
  const index = new SvmCandidateIndex();
  const entries = new Map<string, SvmEntry>();
  /** VM → the SVM whose last report lists it as connected. */
  const connectionOf = new Map<string, string>();

  const put = (entry: SvmEntry): void => {
    entry.indexed = index.put(entry.record);
    entries.set(entry.record.id, entry);
  };

  const disconnectAll = (entry: SvmEntry): void => {
    for (const vm of entry.connectedVms) if (connectionOf.get(vm) === entry.record.id) connectionOf.delete(vm);
    entry.connectedVms = new Set();
  };

  return {
    /** Every record, for selection with reasons (svm-info). */
    list(): readonly SvmRecord[] {
      return index.records();
    },
    /**
     * Discovery's selection: what `selectSvms` without reasons answers over every record, with
     * `pointed` (the asking agent's own pending pointing, see `pendingAt`) counting one agent fewer.
     */
    select(agent: AgentFacts, selection: SelectionSettings, now: number, pointed?: SvmEntry): SvmSelection {
      return index.select(agent, selection, now, pointed?.indexed);
    },
    get(id: string): SvmEntry | undefined {
      return entries.get(id);
    },
    entries(): IterableIterator<SvmEntry> {
      return entries.values();
    },
    get size(): number {
      return index.size;
    },

    /** Rebuilds an SVM from the store after a restart; its staleness is decided by the next sweep. */
    restore(stored: StoredSvm): void {
      const record = { ...svmRecordFromReport({ ...stored.report, connectionPeriods: [] }, stored.lastReportAt, stored.reportIntervalMs / 1000) };
      put({ record, report: stored.report, reported: record.connectedAgents, pending: 0, sequence: 0, stale: false, firstSeenAt: stored.firstSeenAt, conflict: stored.conflict, connectedVms: new Set() });
    },

    applyReport(report: SvmReport, receivedAt: number, intervalSeconds: number): ReportOutcome {
      const { connectionPeriods, ...rest } = report;
      const record = { ...svmRecordFromReport(report, receivedAt, intervalSeconds) };
      const old = entries.get(record.id);
      let conflict: SvmIdentityConflict | null = null;
      if (old && !old.stale && old.report.managementAddress !== report.managementAddress) {
        conflict = { at: receivedAt, previousAddress: old.report.managementAddress, address: report.managementAddress };
      }
      // A flag outlives the clash by one stale window, so an administrator sees it even if it stops.
      const keptConflict = old?.conflict && receivedAt - old.conflict.at <= settings().staleAfterIntervals * record.reportIntervalMs ? old.conflict : null;
      const entry: SvmEntry = {
        record,
        report: rest,
        reported: record.connectedAgents,
        pending: 0,
        sequence: (old?.sequence ?? 0) + 1,
        stale: false,
        firstSeenAt: old?.firstSeenAt ?? receivedAt,
        conflict: conflict ?? keptConflict,
        connectedVms: new Set(),
      };
      if (old) disconnectAll(old);
      for (const p of connectionPeriods) {
        if (p.end !== null) continue;
        const vm = p.vmBiosId.toLowerCase();
        entry.connectedVms.add(vm);
        connectionOf.set(vm, record.id);
      }
      put(entry);
      return { entry, change: old === undefined ? 'up' : old.stale ? 'back' : null, conflict };
    },

    /** Takes an SVM out of the registry; its VMs' agents are no longer counted as connected to it. */
    remove(id: string): SvmEntry | undefined {
      const entry = entries.get(id);
      if (!entry) return undefined;
      disconnectAll(entry);
      index.remove(id);
      entries.delete(id);
      return entry;
    },

    /** Counts an agent just pointed at `id`; returns the sequence to give back to `release`. */
    assign(id: string): number {
      const entry = entries.get(id);
      if (!entry) return -1;
      entry.pending++;
      if (entry.indexed) index.setConnectedAgentsOf(entry.indexed, entry.reported + entry.pending);
      return entry.sequence;
    },

    /**
     * The SVM a pointing (`id` and the sequence `assign` gave) still counts against; undefined once
     * that SVM has reported since (its reported count has the agent then) or is gone.
     */
    pendingAt(id: string, sequence: number): SvmEntry | undefined {
      const entry = entries.get(id);
      return entry && entry.sequence === sequence && entry.pending > 0 ? entry : undefined;
    },

    /** Takes back a pointing that `pendingAt` found still pending. */
    release(entry: SvmEntry): void {
      if (entry.pending === 0) return;
      entry.pending--;
      if (entry.indexed) index.setConnectedAgentsOf(entry.indexed, entry.reported + entry.pending);
    },

    /** Marks SVMs silent for too long as stale; returns those that just became stale. */
    sweep(now: number): SvmEntry[] {
      const s = settings();
      const changed: SvmEntry[] = [];
      for (const entry of entries.values()) {
        if (entry.stale || !isStale(entry.record, now, s)) continue;
        entry.stale = true;
        disconnectAll(entry);
        changed.push(entry);
      }
      return changed;
    },

    /** The SVM whose last report lists the VM's agent as connected. */
    connectionOf(vmBiosId: string): string | undefined {
      return connectionOf.get(vmBiosId);
    },
    get connectedVmCount(): number {
      return connectionOf.size;
    },
  };
}
export type SvmRegistry = ReturnType<typeof createSvmRegistry>;
