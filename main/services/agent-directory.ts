import type { DiscoverRequest } from '../contract/agents.ts';
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
 */
export function createAgentDirectory() {
  const byBios = new Map<string, AgentEntry>();
  /** Lower-case VM name → BIOS id of the agent that last asked under that name. */
  const byName = new Map<string, string>();
  const changed = new Set<string>();
  let withSentinel = 0;

  const index = (entry: AgentEntry, previous: AgentEntry | undefined): void => {
    if (previous && previous.vmName !== entry.vmName && byName.get(previous.vmName.toLowerCase()) === entry.vmBiosId) {
      byName.delete(previous.vmName.toLowerCase());
    }
    byName.set(entry.vmName.toLowerCase(), entry.vmBiosId);
    withSentinel += (entry.outcome === 'sentinel' ? 1 : 0) - (previous?.outcome === 'sentinel' ? 1 : 0);
    byBios.set(entry.vmBiosId, entry);
  };

  return {
    get(vmBiosId: string): AgentEntry | undefined {
      return byBios.get(vmBiosId);
    },
    /** By BIOS UUID (any case) or by VM name (any case). */
    find(key: string): AgentEntry | undefined {
      const k = key.trim().toLowerCase();
      const bios = byBios.has(k) ? k : byName.get(k);
      return bios === undefined ? undefined : byBios.get(bios);
    },
    /** `previous`: what `get` answered for this VM just before, when the caller has it. */
    remember(entry: AgentEntry, previous: AgentEntry | undefined = byBios.get(entry.vmBiosId)): void {
      index(entry, previous);
      changed.add(entry.vmBiosId);
    },
    restore(stored: StoredAgent): void {
      index({ ...stored, offeredSequence: -1 }, byBios.get(stored.vmBiosId));
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
