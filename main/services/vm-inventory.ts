import type { InfrastructurePath } from '../contract/agents.ts';
import type { Infrastructure } from '../contract/infrastructure.ts';
import type { Inventory } from '../connectors/hypervisor.ts';
import type { Logger } from './logger.ts';
import type { InventoryLookup } from './svm-service.ts';

/** Where each VM of one infrastructure's inventory runs, by BIOS UUID (lower case). */
export function vmPathsOf(inventory: Inventory): Map<string, InfrastructurePath> {
  const datacenters = new Map(inventory.datacenters.map((d) => [d.id, d.name]));
  const clusters = new Map(inventory.clusters.map((c) => [c.id, c.name]));
  const hosts = new Map(inventory.hosts.map((h) => [h.id, h]));
  const paths = new Map<string, InfrastructurePath>();
  for (const vm of inventory.vms) {
    const host = vm.hostId === null ? undefined : hosts.get(vm.hostId);
    if (!vm.biosUuid || !host) continue;
    paths.set(vm.biosUuid.toLowerCase(), {
      kind: 'virtualization',
      hypervisor: host.name,
      cluster: host.clusterId === null ? null : (clusters.get(host.clusterId) ?? null),
      datacenter: host.datacenterId === null ? null : (datacenters.get(host.datacenterId) ?? null),
    });
  }
  return paths;
}

export type VmInventoryDeps = {
  infrastructures: { list(): Promise<Infrastructure[]>; inventory(id: string): Promise<Inventory> };
  log: Logger;
  /** How often every infrastructure's inventory is read again. */
  refreshMs: number;
};

/** Every five minutes, as often as SVMs report: a VM that moved is placed right by the next round. */
export const DEFAULT_INVENTORY_REFRESH_MS = 5 * 60_000;

/**
 * Our inventory of VMs (issue 6 item 2): the infrastructures the wizard manages are read in the
 * background, so discovery and svm-info place a VM by what the hypervisor says rather than by what
 * its agent sent. An infrastructure that cannot be read keeps its last known VMs: a passing fault
 * must not make every VM on it look unplaced.
 */
export function createVmInventory(deps: VmInventoryDeps): InventoryLookup & {
  /** Where a VM runs, by its BIOS UUID in any case. */
  pathOfVm(biosUuid: string): InfrastructurePath | undefined;
  refresh(): Promise<{ vms: number; unreadable: string[] }>;
  start(): void;
  stop(): void;
} {
  const byInfrastructure = new Map<string, Map<string, InfrastructurePath>>();
  let paths = new Map<string, InfrastructurePath>();
  const failing = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<{ vms: number; unreadable: string[] }> | undefined;

  const readAll = async () => {
    const infrastructures = await deps.infrastructures.list();
    const unreadable: string[] = [];
    for (const infrastructure of infrastructures) {
      try {
        byInfrastructure.set(infrastructure.id, vmPathsOf(await deps.infrastructures.inventory(infrastructure.id)));
        if (failing.delete(infrastructure.id)) deps.log.info({ infrastructure: infrastructure.name }, 'inventory readable again');
      } catch (e) {
        unreadable.push(infrastructure.name);
        // Once per fault, not every round.
        if (!failing.has(infrastructure.id)) deps.log.warn({ infrastructure: infrastructure.name, err: e }, 'inventory unreadable; its last known VMs are kept');
        failing.add(infrastructure.id);
      }
    }
    const current = new Set(infrastructures.map((i) => i.id));
    for (const id of byInfrastructure.keys()) if (!current.has(id)) byInfrastructure.delete(id);
    const next = new Map<string, InfrastructurePath>();
    for (const vms of byInfrastructure.values()) for (const [bios, path] of vms) next.set(bios, path);
    paths = next;
    return { vms: next.size, unreadable };
  };

  const refresh = () => {
    // One round at a time: a slow hypervisor must not pile rounds up.
    running ??= readAll().finally(() => (running = undefined));
    return running;
  };

  return {
    pathOfVm: (biosUuid) => paths.get(biosUuid.toLowerCase()),
    // Discovery's ids are lowered once already: not again on every request.
    pathOfStoredVm: (bios) => paths.get(bios),
    refresh,
    start() {
      if (timer) return;
      const round = () => void refresh().catch((e) => deps.log.error({ err: e }, 'inventory round failed'));
      round();
      timer = setInterval(round, deps.refreshMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
export type VmInventory = ReturnType<typeof createVmInventory>;
