import type { ConnectionPeriod, SvmReport, SvmReportAnswer } from '../../contract/agents.ts';
import type { LabClient } from './lab-client.ts';
import type { LabSvmSpec } from './lab-topology.ts';

export type SvmSimulatorOptions = {
  spec: LabSvmSpec;
  client: LabClient;
  /** Told which agents lost their connection when the SVM stops. */
  onDropped: (vmBiosIds: readonly string[]) => void;
  onError: (message: string) => void;
  now?: () => number;
};

/**
 * One SVM as the Integration Server sees it: it reports itself on the interval the server asks
 * for, counts the Light Agents that "connect" to it, and reports their connection periods.
 * Periods the server has acknowledged are forgotten; open ones are sent again every report until
 * they close (the server stores them idempotently).
 */
export function createSvmSimulator(options: SvmSimulatorOptions) {
  const { spec, client } = options;
  const now = options.now ?? Date.now;
  const open = new Map<string, number>();
  let closed: ConnectionPeriod[] = [];
  /** Milliseconds each VM has been connected in periods already closed: what this SVM would bill. */
  const ledger = new Map<string, number>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let reports = 0;
  let failures = 0;
  let intervalSeconds = 0;

  const iso = (ms: number) => new Date(ms).toISOString();

  const disconnect = (vmBiosId: string): void => {
    const start = open.get(vmBiosId);
    if (start === undefined) return;
    open.delete(vmBiosId);
    const end = now();
    ledger.set(vmBiosId, (ledger.get(vmBiosId) ?? 0) + (end - start));
    closed.push({ vmBiosId, start: iso(start), end: iso(end) });
  };

  const report = async (): Promise<void> => {
    const sent = closed;
    closed = [];
    const periods: ConnectionPeriod[] = [...sent];
    for (const [vm, start] of open) periods.push({ vmBiosId: vm, start: iso(start), end: null });
    const { hypervisor: _hypervisor, ...identity } = spec;
    const body: SvmReport = { ...identity, averageLoad: Math.round((open.size / 50) * 10) / 10, connectedAgents: open.size, connectionPeriods: periods };
    try {
      const r = await client.post<SvmReportAnswer>('/api/agents/v1/svm/report', body);
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body)}`);
      reports++;
      intervalSeconds = r.body.nextReportSeconds;
    } catch (e) {
      // Not acknowledged: send these closed periods again next time.
      closed = [...sent, ...closed];
      failures++;
      options.onError(`${spec.name}: report failed: ${(e as Error).message}`);
    }
  };

  const loop = async (): Promise<void> => {
    if (!running) return;
    await report();
    if (!running) return;
    timer = setTimeout(() => void loop(), Math.max(1, intervalSeconds || 5) * 1000);
  };

  return {
    spec,
    get running() {
      return running;
    },
    get connectedCount() {
      return open.size;
    },
    get reports() {
      return reports;
    },
    get failures() {
      return failures;
    },
    /** Starts reporting; resolves after the first report. */
    async start(): Promise<void> {
      running = true;
      await loop();
    },
    /** A Light Agent connects; refused while the SVM is down. */
    connect(vmBiosId: string): boolean {
      if (!running) return false;
      if (!open.has(vmBiosId)) open.set(vmBiosId, now());
      return true;
    },
    disconnect,
    isConnected: (vmBiosId: string) => open.has(vmBiosId),
    /** Connected milliseconds per VM up to `until` (open connections counted to then). */
    connectedTime(until: number): Map<string, number> {
      const total = new Map(ledger);
      for (const [vm, start] of open) total.set(vm, (total.get(vm) ?? 0) + Math.max(0, until - start));
      return total;
    },
    /** The SVM goes down: no more reports, and every connected agent loses its connection. */
    stop(): void {
      running = false;
      if (timer) clearTimeout(timer);
      const dropped = [...open.keys()];
      for (const vm of dropped) disconnect(vm);
      options.onDropped(dropped);
    },
    /** Sends what it has one last time (for a clean end of a lab run), then stops quietly. */
    async finish(): Promise<void> {
      if (running) await report();
      running = false;
      if (timer) clearTimeout(timer);
    },
  };
}
export type SvmSimulator = ReturnType<typeof createSvmSimulator>;
