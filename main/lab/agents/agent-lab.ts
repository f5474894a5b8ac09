import type { SvmList } from '../../contract/svms.ts';
import type { Tenant } from '../../contract/tenants.ts';
import { DEFAULT_SELECTION_SETTINGS } from '../../domain/svm-selection.ts';
import { createLabClient, type LabClient } from './lab-client.ts';
import { createLightAgentSimulator } from './light-agent-simulator.ts';
import { createLabTenants, setTenantActive, type LabKsc, type LabTenant } from './lab-tenants.ts';
import { labTopology, type LabSize } from './lab-topology.ts';
import { createSvmSimulator, type SvmSimulator } from './svm-simulator.ts';

export type AgentLabOptions = LabSize & {
  url: string;
  ca: string;
  credentials: { svm: string; agent: string; admin: string };
  startSpreadMs?: number;
  sentinelId?: string;
  /** With an Administration Server simulator, the tenants are created for real (else they are only labels). */
  ksc?: LabKsc;
  onError?: (message: string) => void;
};

export type TenantCounts = { tenant: string; type: string | null; status: string | null; agents: number; connected: number; sentinel: number };
export type LabSnapshot = {
  svmsFresh: number;
  svmsStale: number;
  svmsRunning: number;
  agents: number;
  connected: number;
  unprotected: number;
  tenants: TenantCounts[];
};
export type HypervisorSpread = { hypervisor: string; counts: Array<{ svm: string; agents: number }>; mean: number; worstDeviation: number };

/**
 * The agents lab: SVM simulators and Light Agent simulators against a running Integration Server,
 * over HTTPS, as the real ones would talk to it. Its own view (who is connected where) is what the
 * lab prints and what the acceptance checks compare with the server's.
 */
export async function startAgentLab(options: AgentLabOptions) {
  const topology = labTopology(options);
  const errors: string[] = [];
  const onError = (m: string) => {
    if (errors.length < 1000) errors.push(m);
    options.onError?.(m);
  };
  const client = (user: string, password: string, connections: number): LabClient => createLabClient({ url: options.url, ca: options.ca, user, password, connections });
  const svmClient = client('svm', options.credentials.svm, 4);
  const agentClient = client('agent', options.credentials.agent, 8);
  const adminClient = client('admin', options.credentials.admin, 1);

  const byAddress = new Map<string, SvmSimulator>();
  const agents = createLightAgentSimulator({
    agents: topology.agents,
    client: agentClient,
    network: (address) => byAddress.get(address),
    startSpreadMs: options.startSpreadMs ?? 1000,
    sentinelId: options.sentinelId ?? DEFAULT_SELECTION_SETTINGS.sentinel.id,
    onError,
  });
  const svms = topology.svms.map((spec) => createSvmSimulator({ spec, client: svmClient, onDropped: (vms) => agents.dropped(vms), onError }));
  for (const s of svms) byAddress.set(s.spec.agentAddress, s);

  const tenants: LabTenant[] = options.ksc ? await createLabTenants(adminClient, options.ksc, topology.agents, topology.tenants) : [];

  // SVMs first: agents that ask before any SVM has reported only get an empty list.
  await Promise.all(svms.map((s) => s.start()));
  agents.start();

  return {
    topology,
    svms,
    agents,
    errors,
    tenants,
    /** Activates or deactivates a lab tenant through the JSON API, as an administrator would. */
    async setTenantActive(name: string, active: boolean): Promise<void> {
      const t = tenants.find((x) => x.name === name);
      if (!t) throw new Error(`No lab tenant ${name}.`);
      await setTenantActive(adminClient, t, active);
    },
    /** Stops one SVM simulator: it stops reporting and drops its agents. */
    stopSvm(index: number): SvmSimulator {
      const s = svms[index]!;
      s.stop();
      return s;
    },
    async snapshot(): Promise<LabSnapshot> {
      const list = await adminClient.get<SvmList>('/api/v1/svms?limit=1');
      const real = tenants.length > 0 ? new Map((await adminClient.get<{ items: Tenant[] }>('/api/v1/tenants?limit=1000')).body.items.map((t) => [t.name, t])) : new Map<string, Tenant>();
      const perTenant = new Map<string, TenantCounts>(
        topology.tenants.map((t) => [t, { tenant: t, type: real.get(t)?.type ?? null, status: real.get(t)?.status ?? null, agents: 0, connected: 0, sentinel: 0 }]),
      );
      let connected = 0;
      for (const a of agents.agents()) {
        const t = perTenant.get(a.spec.tenant)!;
        t.agents++;
        const up = a.svm?.running === true && a.svm.isConnected(a.spec.request.vmBiosId);
        if (up) {
          t.connected++;
          connected++;
        }
        if (a.gotSentinel) t.sentinel++;
      }
      return {
        svmsFresh: list.body.fresh,
        svmsStale: list.body.stale,
        svmsRunning: svms.filter((s) => s.running).length,
        agents: topology.agents.length,
        connected,
        unprotected: topology.agents.length - connected,
        tenants: [...perTenant.values()],
      };
    },
    /** What the SVM simulators say each tenant's VMs were connected, in milliseconds, up to `until`. */
    connectedTimeByTenant(until: number): Map<string, number> {
      const tenantOf = new Map(topology.agents.map((a) => [a.request.vmBiosId.toLowerCase(), a.tenant]));
      const total = new Map<string, number>();
      for (const s of svms) {
        for (const [vm, ms] of s.connectedTime(until)) {
          const tenant = tenantOf.get(vm.toLowerCase()) ?? '';
          total.set(tenant, (total.get(tenant) ?? 0) + ms);
        }
      }
      return total;
    },
    /** Agents per running SVM on each hypervisor, and the worst deviation from that hypervisor's mean. */
    spread(): HypervisorSpread[] {
      const byHv = new Map<string, SvmSimulator[]>();
      for (const s of svms) {
        if (!s.running) continue;
        byHv.set(s.spec.hypervisor, [...(byHv.get(s.spec.hypervisor) ?? []), s]);
      }
      return [...byHv.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([hypervisor, list]) => {
        const counts = list.map((s) => ({ svm: s.spec.name, agents: s.connectedCount }));
        const mean = counts.reduce((n, c) => n + c.agents, 0) / counts.length;
        const worstDeviation = mean === 0 ? 0 : Math.max(...counts.map((c) => Math.abs(c.agents - mean) / mean));
        return { hypervisor, counts, mean, worstDeviation };
      });
    },
    async stop(): Promise<void> {
      agents.stop();
      await Promise.all(svms.map((s) => s.finish()));
      await Promise.all([svmClient.close(), agentClient.close(), adminClient.close()]);
    },
  };
}
export type AgentLab = Awaited<ReturnType<typeof startAgentLab>>;
