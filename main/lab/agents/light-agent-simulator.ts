import type { DiscoverAnswer, DiscoveredSvm } from '../../contract/agents.ts';
import { chooseSvm } from '../../domain/svm-choice.ts';
import type { LabClient } from './lab-client.ts';
import type { LabAgentSpec } from './lab-topology.ts';
import type { SvmSimulator } from './svm-simulator.ts';

type AgentState = {
  spec: LabAgentSpec;
  offered: DiscoveredSvm[];
  svm: SvmSimulator | null;
  svmId: string | null;
  gotSentinel: boolean;
  timer: NodeJS.Timeout | undefined;
};

export type LightAgentSimulatorOptions = {
  agents: readonly LabAgentSpec[];
  client: LabClient;
  /** The lab's network: which SVM simulator answers at an address (none for the sentinel). */
  network: (address: string) => SvmSimulator | undefined;
  /** The first asks are spread over this long, as agents of VMs that boot at different times. */
  startSpreadMs: number;
  /** The id of the sentinel SVM that inactive Complete tenants' agents get. */
  sentinelId: string;
  onError: (message: string) => void;
};

/**
 * Light Agents as the Integration Server sees them: each asks for SVMs, connects to the one the
 * shared domain rule picks (stay on the current SVM while it is offered and up, else the best one
 * that answers), asks again after the interval the answer names, and moves when its SVM goes down.
 */
export function createLightAgentSimulator(options: LightAgentSimulatorOptions) {
  const { client, network } = options;
  const agents: AgentState[] = options.agents.map((spec) => ({ spec, offered: [], svm: null, svmId: null, gotSentinel: false, timer: undefined }));
  const byVm = new Map(agents.map((a) => [a.spec.request.vmBiosId, a]));
  let running = false;
  let retrySeconds = 1;
  let asks = 0;
  let failures = 0;

  const jitter = (seconds: number) => seconds * 1000 * (0.9 + Math.random() * 0.2);

  const schedule = (a: AgentState, ms: number): void => {
    if (!running) return;
    if (a.timer) clearTimeout(a.timer);
    a.timer = setTimeout(() => void ask(a), ms);
  };

  const reachable = (s: DiscoveredSvm) => network(s.address)?.running ?? false;

  /** Connects to the chosen SVM; returns false when none of the offered SVMs answers. */
  const connect = (a: AgentState): boolean => {
    const choice = chooseSvm(a.offered, a.svm?.running ? a.svmId : null, reachable);
    if (choice && choice.id === a.svmId && a.svm?.running) return true;
    a.svm?.disconnect(a.spec.request.vmBiosId);
    a.svm = null;
    a.svmId = null;
    if (!choice) return false;
    const sim = network(choice.address);
    if (!sim?.connect(a.spec.request.vmBiosId)) return false;
    a.svm = sim;
    a.svmId = choice.id;
    return true;
  };

  const ask = async (a: AgentState): Promise<void> => {
    if (!running) return;
    asks++;
    try {
      const connectedSvmId = a.svm?.running ? a.svmId : null;
      const r = await client.post<DiscoverAnswer>('/api/agents/v1/agent/discover', { ...a.spec.request, connectedSvmId });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body)}`);
      if (!running) return;
      a.offered = r.body.svms;
      a.gotSentinel = r.body.svms.length === 1 && r.body.svms[0]!.id === options.sentinelId;
      if (r.body.svms.length === 0) retrySeconds = r.body.askAgainSeconds;
      connect(a);
      schedule(a, jitter(r.body.askAgainSeconds));
    } catch (e) {
      failures++;
      options.onError(`${a.spec.request.vmName}: discovery failed: ${(e as Error).message}`);
      schedule(a, jitter(retrySeconds));
    }
  };

  return {
    start(): void {
      running = true;
      for (const a of agents) schedule(a, Math.random() * options.startSpreadMs);
    },
    stop(): void {
      running = false;
      for (const a of agents) if (a.timer) clearTimeout(a.timer);
    },
    /**
     * Agents whose SVM went down ask the server again within the short retry interval rather than
     * take the next SVM of an old list: the server's fresh counts spread them evenly.
     */
    dropped(vmBiosIds: readonly string[]): void {
      for (const vm of vmBiosIds) {
        const a = byVm.get(vm);
        if (!a) continue;
        a.svm = null;
        a.svmId = null;
        schedule(a, Math.random() * retrySeconds * 1000);
      }
    },
    agents(): readonly Readonly<AgentState>[] {
      return agents;
    },
    get asks() {
      return asks;
    },
    get failures() {
      return failures;
    },
  };
}
export type LightAgentSimulator = ReturnType<typeof createLightAgentSimulator>;
