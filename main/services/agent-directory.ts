import type { DiscoverRequest } from '../contract/agents.ts';
import { sameDiscoverRequest } from '../domain/discover-request-equality.ts';
import type { AgentOutcome, StoredAgent } from '../store/svm-repositories.ts';

export type AgentEntry = {
  vmBiosId: string;
  vmName: string;
  lastAskedAt: number;
  request: DiscoverRequest;
  offeredSvmId: string | null;
  /** The registry sequence of that pointing (-1 when unknown, as after a restart). */
  offeredSequence: number;
  outcome: AgentOutcome;
};

/**
 * Every Light Agent that has asked, in memory: when it last asked and with what, for svm-info and
 * the live counts. Discovery only touches this map; the store gets the changed entries in batches
 * (`takeChanged`), so no request waits for SQLite.
 *
 * An agent asking again updates its entry in place and keeps the request it holds while the new one
 * says the same. A fleet asks the same thing over and over: a new entry per ask would keep every
 * parsed request alive past the young generation, and the old generation that fills with them is
 * marked over all 100,000 agents again and again (a sixth of the server's CPU under load).
 */
export function createAgentDirectory() {
  const byBios = new Map<string, AgentEntry>();
  /**
   * Lower-case VM name → the BIOS id of the VM that asked under it, or of each VM sharing it: clones
   * and VDI pools often do, and svm-info by name must then say so rather than pick one.
   */
  const byName = new Map<string, string | string[]>();
  const changed = new Set<string>();
  let withSentinel = 0;

  const countSentinel = (now: AgentOutcome, before: AgentOutcome | undefined): void => {
    withSentinel += (now === 'sentinel' ? 1 : 0) - (before === 'sentinel' ? 1 : 0);
  };

  const forgetName = (name: string, vmBiosId: string): void => {
    const held = byName.get(name);
    if (held === vmBiosId) byName.delete(name);
    else if (Array.isArray(held)) {
      const rest = held.filter((b) => b !== vmBiosId);
      byName.set(name, rest.length === 1 ? rest[0]! : rest);
    }
  };

  const nameFor = (vmBiosId: string, vmName: string, previousName: string | undefined): void => {
    if (previousName !== undefined && previousName !== vmName) forgetName(previousName.toLowerCase(), vmBiosId);
    const name = vmName.toLowerCase();
    const held = byName.get(name);
    if (held === undefined) byName.set(name, vmBiosId);
    else if (held !== vmBiosId && !(Array.isArray(held) && held.includes(vmBiosId))) byName.set(name, Array.isArray(held) ? [...held, vmBiosId] : [held, vmBiosId]);
  };

  const add = (entry: AgentEntry, previous: AgentEntry | undefined): void => {
    nameFor(entry.vmBiosId, entry.vmName, previous?.vmName);
    countSentinel(entry.outcome, previous?.outcome);
    byBios.set(entry.vmBiosId, entry);
  };

  /** `held` takes what `ask` says; its own strings and request stay where they already say the same. */
  const update = (held: AgentEntry, ask: AgentEntry): void => {
    // Under an unchanged name the VM is already among that name's holders.
    if (held.vmName !== ask.vmName) {
      nameFor(held.vmBiosId, ask.vmName, held.vmName);
      held.vmName = ask.vmName;
    }
    countSentinel(ask.outcome, held.outcome);
    if (!sameDiscoverRequest(held.request, ask.request)) held.request = ask.request;
    held.lastAskedAt = ask.lastAskedAt;
    held.offeredSvmId = ask.offeredSvmId;
    held.offeredSequence = ask.offeredSequence;
    held.outcome = ask.outcome;
  };

  return {
    get(vmBiosId: string): AgentEntry | undefined {
      return byBios.get(vmBiosId);
    },
    /** By BIOS UUID (any case), else every VM that asked under that name (any case). */
    find(key: string): AgentEntry[] {
      const k = key.trim().toLowerCase();
      const byId = byBios.get(k);
      if (byId) return [byId];
      const held = byName.get(k);
      return held === undefined ? [] : (Array.isArray(held) ? held : [held]).flatMap((b) => byBios.get(b) ?? []);
    },
    /**
     * What an agent just asked and was offered. `held`: what `get` answered for this VM just
     * before, when the caller has it; it is updated in place and stays the VM's entry.
     */
    remember(ask: AgentEntry, held: AgentEntry | undefined = byBios.get(ask.vmBiosId)): void {
      if (held) update(held, ask);
      else add(ask, undefined);
      changed.add((held ?? ask).vmBiosId);
    },
    restore(stored: StoredAgent): void {
      add({ ...stored, offeredSequence: -1 }, byBios.get(stored.vmBiosId));
    },
    /** The entries changed since the last call, for one batched write. */
    takeChanged(): StoredAgent[] {
      const out: StoredAgent[] = [];
      for (const id of changed) {
        const e = byBios.get(id);
        if (e) out.push({ vmBiosId: e.vmBiosId, vmName: e.vmName, lastAskedAt: e.lastAskedAt, request: e.request, offeredSvmId: e.offeredSvmId, outcome: e.outcome });
      }
      changed.clear();
      return out;
    },
    /** Puts entries back after a failed write, unless they changed again meanwhile (then they are queued anyway). */
    requeue(agents: readonly StoredAgent[]): void {
      for (const a of agents) changed.add(a.vmBiosId);
    },
    entries(): IterableIterator<AgentEntry> {
      return byBios.values();
    },
    get size(): number {
      return byBios.size;
    },
    get withSentinel(): number {
      return withSentinel;
    },
  };
}
export type AgentDirectory = ReturnType<typeof createAgentDirectory>;
