import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { createAccessControl } from './access-control.ts';
import { createAccountsService } from './accounts.ts';
import { createAuditLog } from './audit-log.ts';
import { createEventBus } from './event-bus.ts';
import { createKscSettings } from './ksc-settings.ts';
import { createLoginThrottle, type ThrottleLimits } from './login-throttle.ts';
import type { Logger } from './logger.ts';
import { createProtectionReports } from './protection-reports.ts';
import { selfTestTask } from './self-test-task.ts';
import { createSvmLifecycle } from './svm-lifecycle.ts';
import { createSvmService, type AgentTimings } from './svm-service.ts';
import { createTaskEngine } from './task-engine.ts';
import { createTenantService } from './tenant-service.ts';
import { createVmInventory, DEFAULT_INVENTORY_REFRESH_MS } from './vm-inventory.ts';

export type ServicesOptions = {
  taskConcurrency: number;
  throttle?: ThrottleLimits;
  now?: () => Date;
  newId?: () => string;
  /** The agent protocol's intervals (the lab scales them). */
  agentTimings?: Partial<AgentTimings>;
  /** How often the infrastructures' VM inventories are read. */
  inventoryRefreshMs?: number;
};

/** The services every feature shares; the composition root builds it once per server. */
export function createServices(store: Store, log: Logger, options: ServicesOptions) {
  const now = options.now ?? (() => new Date());
  const events = createEventBus();
  const accounts = createAccountsService(store.accounts, createLoginThrottle(options.throttle), now);
  const tasks = createTaskEngine({
    repo: store.tasks,
    events,
    log,
    now,
    newId: options.newId ?? randomUUID,
    concurrency: options.taskConcurrency,
  });
  tasks.register(selfTestTask(store.diagnosticMarks));
  const svmLifecycle = createSvmLifecycle({ store: store.infrastructure, settings: store.settings, sealer: store.sealer, dataDir: store.folder.root, tasks, log, now, events });
  const audit = createAuditLog(store.auditLog, now);
  const ksc = createKscSettings(store.kscConnection, audit, log);
  const tenants = createTenantService({ tenants: store.tenants, tasks, ksc, audit, log, now });
  const vmInventory = createVmInventory({ infrastructures: svmLifecycle.infrastructures, log, refreshMs: options.inventoryRefreshMs ?? DEFAULT_INVENTORY_REFRESH_MS });
  const svms = createSvmService({
    svms: store.svms,
    agents: store.agents,
    settings: store.settings,
    events,
    log,
    now,
    tenants,
    inventory: vmInventory,
    ...(options.agentTimings ? { timings: options.agentTimings } : {}),
  });
  const protectionReports = createProtectionReports({
    repo: store.protectionReports,
    settings: store.settings,
    tasks,
    collection: svms,
    tenantExists: async (id) => (await tenants.get(id)) !== undefined,
    reportsDir: store.folder.reports,
    log,
    now,
    newId: options.newId ?? randomUUID,
  });
  return {
    log,
    now,
    events,
    accounts,
    access: createAccessControl(accounts),
    tasks,
    svmLifecycle,
    audit,
    ksc,
    tenants,
    svms,
    vmInventory,
    protectionReports,
    diagnosticMarks: store.diagnosticMarks,
    schemaVersion: store.schemaVersion,
  };
}
export type Services = ReturnType<typeof createServices>;
