import type { DiscoverAnswer, DiscoverRequest, InfrastructurePath, SvmReport, SvmReportAnswer } from '../contract/agents.ts';
import type { AgentsSummaryEvent, SvmInfo, SvmList, SvmListQuery, SvmStateEvent, SvmSummary } from '../contract/svms.ts';
import {
  agentFactsFromRequest,
  DEFAULT_SELECTION_SETTINGS,
  selectSvms,
  type SelectionSettings,
  type TenantFacts,
} from '../domain/svm-selection.ts';
import type { SettingsRepository } from '../store/repositories.ts';
import type { AgentsRepository, StoredPeriod, SvmsRepository } from '../store/svm-repositories.ts';
import { createDiscoverAnswerWriter } from '../domain/discover-answer-json.ts';
import { createAgentDirectory } from './agent-directory.ts';
import type { EventBus } from './event-bus.ts';
import type { Logger } from './logger.ts';
import { createSvmRegistry, type SvmEntry } from './svm-registry.ts';
import { svmInfo, svmSummary } from './svm-views.ts';

/** What svm-info finds for a VM: its info, the VMs that share the name asked for, or nothing. */
export type SvmInfoLookup = { info: SvmInfo } | { sameName: Array<{ biosId: string; name: string; lastAskedAt: number }> } | undefined;

/**
 * Which tenant a VM belongs to; the tenants service answers it from memory. Asked with the BIOS id
 * in its stored form (lower case, no braces), which discovery's schema-checked ids are once lowered.
 */
export type TenantLookup = { tenantOfStoredVm(bios: string): TenantFacts | undefined };
/** Where our inventory places a VM, asked with the BIOS id in its stored form (lower case); undefined when it does not know the VM. */
export type InventoryLookup = { pathOfStoredVm(bios: string): InfrastructurePath | undefined };

const NO_TENANTS: TenantLookup = { tenantOfStoredVm: () => undefined };
const NO_INVENTORY: InventoryLookup = { pathOfStoredVm: () => undefined };

/** The protocol's intervals; the lab scales them all with `--speed`. */
export type AgentTimings = {
  reportIntervalSeconds: number;
  askAgainSeconds: number;
  askAgainWhileEmptySeconds: number;
  /** How often staleness is checked and the live counts published. */
  sweepMs: number;
  /** How often what agents asked is written to the store. */
  flushMs: number;
};
export const DEFAULT_AGENT_TIMINGS: AgentTimings = { reportIntervalSeconds: 300, askAgainSeconds: 300, askAgainWhileEmptySeconds: 30, sweepMs: 5000, flushMs: 5000 };

/** The settings key of the vendor's `EnableProtectionReports` (off by default, as the vendor's). */
export const PERIOD_COLLECTION_KEY = 'multitenancy.enableProtectionReports';

/** A report the schema lets through but that cannot be true (issue 6 item 7): answered 400, naming the field. */
export class InvalidReportError extends Error {
  readonly statusCode = 400;
  readonly code = 'INVALID_REPORT';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReportError';
  }
}

/** Only a stale SVM may be forgotten: one that still reports would come straight back. */
export class SvmStillReportingError extends Error {
  readonly statusCode = 409;
  readonly code = 'SVM_STILL_REPORTING';
  constructor(name: string) {
    super(`The SVM '${name}' still reports to this server; only an SVM that has gone stale can be forgotten. Remove or stop it first.`);
    this.name = 'SvmStillReportingError';
  }
}

export type SvmServiceDeps = {
  svms: SvmsRepository;
  agents: AgentsRepository;
  settings: SettingsRepository;
  events: EventBus;
  log: Logger;
  now: () => Date;
  timings?: Partial<AgentTimings>;
  tenants?: TenantLookup;
  inventory?: InventoryLookup;
};

/**
 * The agents feature (issue 6): SVM reports into the in-memory registry (persisted), Light Agent
 * discovery against it, stale detection with live events, svm-info, and the SVM list.
 */
export function createSvmService(deps: SvmServiceDeps) {
  const timings: AgentTimings = { ...DEFAULT_AGENT_TIMINGS, ...deps.timings };
  let selection: SelectionSettings = {
    ...DEFAULT_SELECTION_SETTINGS,
    askAgainSeconds: timings.askAgainSeconds,
    askAgainWhileEmptySeconds: timings.askAgainWhileEmptySeconds,
  };
  let tenants = deps.tenants ?? NO_TENANTS;
  const inventory = deps.inventory ?? NO_INVENTORY;
  const registry = createSvmRegistry(() => selection);
  const agents = createAgentDirectory();
  const answerJson = createDiscoverAnswerWriter();
  const clock = () => deps.now().getTime();
  let collectPeriods = false;
  let timers: NodeJS.Timeout[] = [];
  let lastSummary = '';
  let flushing: Promise<void> = Promise.resolve();

  const publishState = (entry: SvmEntry, state: SvmStateEvent['state'], at: number) =>
    deps.events.publish('svm.state', { id: entry.record.id, name: entry.record.name, state, at: new Date(at).toISOString() });

  const summary = (now: number): AgentsSummaryEvent => {
    let stale = 0;
    for (const e of registry.entries()) if (e.stale) stale++;
    const connected = registry.connectedVmCount;
    return {
      at: new Date(now).toISOString(),
      svmsFresh: registry.size - stale,
      svmsStale: stale,
      vmsKnown: agents.size,
      vmsConnected: connected,
      vmsUnprotected: Math.max(0, agents.size - connected),
      vmsWithSentinel: agents.withSentinel,
    };
  };

  /** Stale detection, then the live counts when they changed. */
  const sweep = async (): Promise<void> => {
    const now = clock();
    for (const entry of registry.sweep(now)) {
      deps.log.warn({ svm: entry.record.id, name: entry.record.name, lastReportAt: new Date(entry.record.lastReportAt).toISOString() }, 'SVM is stale');
      publishState(entry, 'stale', now);
      // A period left open by an SVM that went silent ends at its last report (issue 7 item 1).
      if (collectPeriods) await deps.svms.closeOpenPeriods(entry.record.id, entry.record.lastReportAt);
    }
    const s = summary(now);
    const key = JSON.stringify({ ...s, at: '' });
    if (key !== lastSummary) {
      lastSummary = key;
      deps.events.publish('agents.summary', s);
    }
  };

  const flush = (): Promise<void> => {
    flushing = flushing.then(async () => {
      const batch = agents.takeChanged();
      try {
        await deps.agents.saveBatch(batch);
      } catch (e) {
        agents.requeue(batch);
        deps.log.error({ err: e, agents: batch.length }, 'could not save what Light Agents asked; will retry');
      }
    });
    return flushing;
  };

  const periodsOf = (report: SvmReport, svmId: string): StoredPeriod[] => {
    const out: StoredPeriod[] = [];
    report.connectionPeriods.forEach((p, i) => {
      const startAt = Date.parse(p.start);
      const endAt = p.end === null ? null : Date.parse(p.end);
      if (endAt !== null && endAt < startAt) throw new InvalidReportError(`body/connectionPeriods/${i}/end is before its start.`);
      out.push({ svmId, vmBiosId: p.vmBiosId.toLowerCase(), startAt, endAt });
    });
    return out;
  };

  /**
   * POST /api/agents/v1/agent/discover, answered as the JSON bytes the wire carries: memory only;
   * what the agent asked is written later, in a batch.
   */
  function discoverJson(request: DiscoverRequest): Buffer {
    const now = clock();
    const bios = request.vmBiosId.toLowerCase();
    const facts = agentFactsFromRequest(request, inventory.pathOfStoredVm(bios) ?? null, tenants.tenantOfStoredVm(bios) ?? null);
    const previous = agents.get(bios);
    // The agent's own earlier pointing must not count against the SVM it is asking about again: it
    // is discounted for this selection, and taken back only if the agent is now pointed elsewhere.
    const pointed = previous?.offeredSvmId ? registry.pendingAt(previous.offeredSvmId, previous.offeredSequence) : undefined;
    const chosen = registry.select(facts, selection, now, pointed);
    const answer = answerJson(chosen, selection, pointed?.record);
    // An agent stays on its SVM while that SVM is still offered (docs/svm-selection.md), where it
    // is already counted; otherwise it takes the first, which must count it at once.
    const current = request.connectedSvmId === undefined ? registry.connectionOf(bios) : (request.connectedSvmId?.toLowerCase() ?? undefined);
    // The candidate's own id, not the request's copy: the agent's entry keeps it (see the directory).
    const stayingOn = current === undefined ? undefined : chosen.candidates.find((c) => c.id === current);
    const first = chosen.candidates[0];
    // What counts the agent until that SVM reports: the first SVM offered; or the one it stays on,
    // while its pointing there is still pending (otherwise that SVM's own report counts it).
    const pendingOn = stayingOn ? (pointed?.record.id === stayingOn.id ? stayingOn : undefined) : first;
    let offeredSequence = -1;
    if (pointed && pendingOn?.id === pointed.record.id) offeredSequence = pointed.sequence;
    else {
      if (pointed) registry.release(pointed);
      if (pendingOn) offeredSequence = registry.assign(pendingOn.id);
    }
    agents.remember(
      {
        vmBiosId: bios,
        vmName: request.vmName,
        lastAskedAt: now,
        request,
        offeredSvmId: (stayingOn ?? first)?.id ?? null,
        offeredSequence,
        outcome: chosen.sentinel ? 'sentinel' : first ? 'svms' : 'none',
      },
      previous,
    );
    return answer;
  }

  return {
    timings,
    get selectionSettings(): SelectionSettings {
      return selection;
    },
    /** The composition root wires the tenants service here once it exists. */
    useTenantLookup(lookup: TenantLookup): void {
      tenants = lookup;
    },
    useSelectionSettings(patch: Partial<SelectionSettings>): void {
      selection = { ...selection, ...patch };
    },
    get collectingPeriods(): boolean {
      return collectPeriods;
    },
    async setPeriodCollection(enabled: boolean): Promise<void> {
      await deps.settings.set(PERIOD_COLLECTION_KEY, enabled);
      collectPeriods = enabled;
    },

    /** Loads the registry and the agents from the store; run once before serving. */
    async load(): Promise<void> {
      collectPeriods = (await deps.settings.get<boolean>(PERIOD_COLLECTION_KEY)) === true;
      for (const s of await deps.svms.loadAll()) registry.restore(s);
      for (const a of await deps.agents.loadAll()) agents.restore(a);
    },
    start(): void {
      if (timers.length > 0) return;
      timers = [setInterval(() => void sweep().catch((e) => deps.log.error({ err: e }, 'SVM sweep failed')), timings.sweepMs), setInterval(() => void flush(), timings.flushMs)];
      for (const t of timers) t.unref();
    },
    async stop(): Promise<void> {
      for (const t of timers) clearInterval(t);
      timers = [];
      await flush();
    },
    sweep,
    flush,

    /** POST /api/agents/v1/svm/report. The SVM and its periods are stored before it gets its answer. */
    async ingestReport(report: SvmReport): Promise<SvmReportAnswer> {
      const now = clock();
      const id = report.biosId.toLowerCase();
      // Checked whether or not they are kept: a report with impossible periods is refused either way.
      const periods = periodsOf(report, id);
      const { entry, change, conflict } = registry.applyReport(report, now, timings.reportIntervalSeconds);
      if (conflict) deps.log.warn({ svm: id, name: report.name, ...conflict }, 'another machine reported this SVM identity from a different address; flagged');
      if (change) publishState(entry, change, now);
      await deps.svms.saveReport(
        { id, name: report.name, report: entry.report, lastReportAt: now, reportIntervalMs: entry.record.reportIntervalMs, firstSeenAt: entry.firstSeenAt, conflict: entry.conflict },
        collectPeriods ? periods : [],
      );
      return { nextReportSeconds: timings.reportIntervalSeconds };
    },

    /** `discoverJson`'s answer as an object, for callers in this process. */
    discover: (request: DiscoverRequest): DiscoverAnswer => JSON.parse(discoverJson(request).toString('utf8')) as DiscoverAnswer,
    discoverJson,

    /**
     * svm-info for a VM by BIOS UUID or name: the info, or the VMs that share that name (to be asked
     * for by BIOS UUID), or undefined when no agent of that VM has asked.
     */
    svmInfo(vm: string, integrationServer: string): SvmInfoLookup {
      const found = agents.find(vm);
      if (found.length > 1) return { sameName: found.map((a) => ({ biosId: a.vmBiosId, name: a.vmName, lastAskedAt: a.lastAskedAt })).sort((a, b) => b.lastAskedAt - a.lastAskedAt || (a.biosId < b.biosId ? -1 : 1)) };
      const agent = found[0];
      if (!agent) return undefined;
      const now = clock();
      const inventoryPath = inventory.pathOfStoredVm(agent.vmBiosId);
      const facts = agentFactsFromRequest(agent.request, inventoryPath ?? null, tenants.tenantOfStoredVm(agent.vmBiosId) ?? null);
      const connected = registry.connectionOf(agent.vmBiosId);
      // As discovery would answer the agent now: without its own pointing still pending.
      const own = agent.offeredSvmId ? registry.pendingAt(agent.offeredSvmId, agent.offeredSequence) : undefined;
      const records = own ? registry.list().map((r) => (r === own.record ? { ...r, connectedAgents: r.connectedAgents - 1 } : r)) : registry.list();
      const info = svmInfo({
        agent,
        facts,
        pathSource: inventoryPath ? 'inventory' : agent.request.path ? 'agent' : 'unknown',
        selection: selectSvms(facts, records, selection, now),
        settings: selection,
        isStale: (id) => registry.get(id)?.stale ?? false,
        connectedTo: connected === undefined ? undefined : registry.get(connected)?.record,
        integrationServer,
        now,
      });
      return { info };
    },

    list(query: SvmListQuery): SvmList {
      const now = clock();
      const needle = query.nameContains?.toLowerCase();
      let fresh = 0;
      const matching: SvmEntry[] = [];
      for (const e of registry.entries()) {
        if (!e.stale) fresh++;
        if (query.state && (e.stale ? 'stale' : 'fresh') !== query.state) continue;
        if (needle && !e.record.name.toLowerCase().includes(needle)) continue;
        matching.push(e);
      }
      matching.sort((a, b) => (a.record.name < b.record.name ? -1 : a.record.name > b.record.name ? 1 : a.record.id < b.record.id ? -1 : 1));
      const offset = query.offset ?? 0;
      const items = matching.slice(offset, offset + (query.limit ?? 100)).map((e) => svmSummary(e, now));
      return { items, total: matching.length, fresh, stale: registry.size - fresh, agents: summary(now) };
    },
    get(id: string): SvmSummary | undefined {
      const e = registry.get(id.toLowerCase());
      return e && svmSummary(e, clock());
    },
    /**
     * Forgets a stale SVM (removed for good, or never coming back): it leaves the registry, the
     * list and svm-info; its connection periods stay for the reports. Undefined when unknown.
     */
    async forget(id: string): Promise<SvmSummary | undefined> {
      const entry = registry.get(id.toLowerCase());
      if (!entry) return undefined;
      if (!entry.stale) throw new SvmStillReportingError(entry.record.name);
      const now = clock();
      const gone = svmSummary(entry, now);
      registry.remove(entry.record.id);
      await deps.svms.forget(entry.record.id, entry.record.lastReportAt);
      deps.log.info({ svm: entry.record.id, name: entry.record.name }, 'stale SVM forgotten');
      publishState(entry, 'removed', now);
      return gone;
    },
    summary: () => summary(clock()),
    periods: (filter: { svmId?: string; vmBiosId?: string }) => deps.svms.periods(filter),
  };
}
export type SvmService = ReturnType<typeof createSvmService>;
