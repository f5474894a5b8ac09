import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Task } from '../contract/tasks.ts';
import { TENANT_CODES, TENANT_LIMITS, TENANT_TASK_TYPES, type Tenant, type TenantListQuery, type TenantOfVm, type TenantVm } from '../contract/tenants.ts';
import { checkTenantDraft, checkVmDraft, normalizeBiosId, type ActivationChange, type RuleViolation, type TenantDraftInput, type VmDraftInput } from '../domain/tenant-rules.ts';
import { UniqueViolation, type TenantRecord, type TenantsRepository, type VmRecord } from '../store/repositories.ts';
import type { Actor, AuditLog } from './audit-log.ts';
import type { KscSettings } from './ksc-settings.ts';
import type { Logger } from './logger.ts';
import { createSerialQueue } from './serial-queue.ts';
import type { TaskEngine } from './task-engine.ts';
import { createTenantDirectory } from './tenant-directory.ts';
import { createTenantTask } from './create-tenant-task.ts';
import { deleteTenantTask } from './delete-tenant-task.ts';
import { changeActivationTask } from './tenant-activation-task.ts';
import type { ChangeActivationParams, CreateTenantParams, DeleteTenantParams } from './tenant-task-support.ts';
import { tenantView, vmView } from './tenant-views.ts';

export type TenantServiceDeps = {
  tenants: TenantsRepository;
  tasks: TaskEngine;
  ksc: KscSettings;
  audit: AuditLog;
  log: Logger;
  now: () => Date;
  retryDelayMs?: number;
};

/** A refusal with the HTTP status the vendor documents for it. */
export type Refusal = { status: 400 | 404 | 409; violation: RuleViolation };
export type Outcome<T> = { ok: true; value: T } | ({ ok: false } & Refusal);

const refuse = (status: Refusal['status'], code: RuleViolation['code'], field: string, message: string): { ok: false } & Refusal => ({
  ok: false,
  status,
  violation: { code, field, message },
});
const tenantNotFound = (id: string) => refuse(404, TENANT_CODES.tenantNotFound, 'tenantId', `There is no tenant with the id '${id.slice(0, 64)}'.`);

const VISIBLE = ['Ready', 'Deleting'] as const;
const isVisible = (t: TenantRecord | undefined): t is TenantRecord => t !== undefined && t.lifecycle !== 'Creating';

/**
 * Tenants and their VMs (issue 5 items 3, 4, 7): the same use cases behind the vendor XML API and
 * our JSON API, with the three tenant tasks, the audit log, and the in-memory directory that agent
 * discovery asks on every request (`tenantOfStoredVm`).
 */
export function createTenantService(deps: TenantServiceDeps) {
  const { tenants, tasks, audit, now } = deps;
  const directory = createTenantDirectory();
  const taskDeps = { tenants, directory, ksc: deps.ksc, folderQueue: createSerialQueue(), now, ...(deps.retryDelayMs !== undefined ? { retryDelayMs: deps.retryDelayMs } : {}) };
  tasks.register(createTenantTask(taskDeps));
  tasks.register(changeActivationTask(taskDeps));
  tasks.register(deleteTenantTask(taskDeps));

  const visibleTenant = async (id: string): Promise<TenantRecord | undefined> => {
    const t = await tenants.get(id);
    return isVisible(t) ? t : undefined;
  };

  return {
    /** Loads the discovery directory from the store; run once before serving. */
    async load(): Promise<void> {
      const all: TenantRecord[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await tenants.list({ lifecycles: VISIBLE, sort: 'created', descending: false, limit: 1000, offset });
        all.push(...page.items);
        if (page.items.length < 1000) break;
      }
      directory.load(all, await tenants.vmDirectory());
    },

    /** Synchronous and in memory: the tenant of a VM by its BIOS UUID (any case), or undefined. */
    tenantOfVm(biosUuid: string): TenantOfVm | undefined {
      return directory.tenantOfVm(biosUuid);
    },
    /** `tenantOfVm` for an id already in its stored form (lower case, no braces), as discovery has it. */
    tenantOfStoredVm(bios: string): TenantOfVm | undefined {
      return directory.tenantOfStoredVm(bios);
    },

    async list(q: TenantListQuery): Promise<{ items: Tenant[]; total: number }> {
      const page = await tenants.list({
        lifecycles: VISIBLE,
        ...(q.name ? { nameContains: q.name } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.type ? { type: q.type } : {}),
        sort: q.sort ?? 'name',
        descending: q.order === 'desc',
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
      });
      return { items: page.items.map((t) => tenantView(t, t.vmCount)), total: page.total };
    },

    async get(id: string): Promise<Tenant | undefined> {
      const t = await visibleTenant(id);
      return t && tenantView(t, (await tenants.listVms(id)).length);
    },

    async listVms(tenantId: string): Promise<TenantVm[] | undefined> {
      if (!(await visibleTenant(tenantId))) return undefined;
      return (await tenants.listVms(tenantId)).map(vmView);
    },

    /** Checks the request synchronously (400s), then starts CreateTenant. */
    async create(input: TenantDraftInput, actor: Actor): Promise<Outcome<Task>> {
      const checked = checkTenantDraft(input, { isIpAddress: (v) => isIP(v) !== 0 });
      if (!checked.ok) return { ok: false, status: 400, violation: checked.violation };
      const params: CreateTenantParams = { tenantId: randomUUID(), draft: checked.value };
      const task = await tasks.submit(TENANT_TASK_TYPES.create, params, actor.account);
      await audit.record(actor, 'tenant.create', params.tenantId, { name: checked.value.name, type: checked.value.type, adminName: checked.value.admin?.name ?? null }, task.id);
      return { ok: true, value: task };
    },

    /** Unknown tenants are a task error here, as the vendor documents (rest-api.md §3.5). */
    async changeActivation(tenantId: string, change: ActivationChange, actor: Actor): Promise<Task> {
      const params: ChangeActivationParams = { tenantId, change };
      const task = await tasks.submit(TENANT_TASK_TYPES.changeActivation, params, actor.account);
      await audit.record(actor, `tenant.${change}`, tenantId, {}, task.id);
      return task;
    },

    async remove(tenantId: string, removeArtifacts: boolean, actor: Actor): Promise<Task> {
      const params: DeleteTenantParams = { tenantId, removeArtifacts };
      const task = await tasks.submit(TENANT_TASK_TYPES.delete, params, actor.account);
      await audit.record(actor, 'tenant.delete', tenantId, { removeTenantArtifacts: removeArtifacts }, task.id);
      return task;
    },

    /** Registers VMs all or nothing; a BIOS id is unique across the whole server. */
    async registerVms(tenantId: string, inputs: readonly VmDraftInput[], actor: Actor): Promise<Outcome<TenantVm[]>> {
      const t = await visibleTenant(tenantId);
      if (!t) return tenantNotFound(tenantId);
      if (inputs.length === 0) return refuse(400, TENANT_CODES.mandatoryParameter, 'vm', 'The request names no VM.');
      if (inputs.length > TENANT_LIMITS.vmsPerRequest) return refuse(400, TENANT_CODES.invalidValue, 'vm', `At most ${TENANT_LIMITS.vmsPerRequest} VMs per request.`);
      const stamp = now().toISOString();
      const records: VmRecord[] = [];
      for (const input of inputs) {
        const checked = checkVmDraft(input);
        if (!checked.ok) return { ok: false, status: 400, violation: checked.violation };
        if (records.some((r) => r.biosId === checked.value.biosId)) {
          return refuse(409, TENANT_CODES.vmExists, 'biosId', `The request names the BIOS id ${checked.value.biosId} twice.`);
        }
        records.push({ id: randomUUID(), tenantId, ...checked.value, created: stamp, updated: stamp });
      }
      try {
        await tenants.insertVms(records);
      } catch (e) {
        if (e instanceof UniqueViolation) return refuse(409, TENANT_CODES.vmExists, 'biosId', `A VM with the BIOS id ${e.value} is already registered.`);
        throw e;
      }
      for (const r of records) directory.addVm(r.biosId, tenantId);
      await audit.record(actor, 'tenant.vm.register', tenantId, { vms: records.map((r) => ({ id: r.id, biosId: r.biosId })) });
      return { ok: true, value: records.map(vmView) };
    },

    async unregisterVm(tenantId: string, key: { biosId?: string; vmId?: string }, actor: Actor): Promise<Outcome<TenantVm>> {
      const t = await visibleTenant(tenantId);
      if (!t) return tenantNotFound(tenantId);
      if (key.biosId === undefined && key.vmId === undefined) {
        return refuse(400, TENANT_CODES.mandatoryParameter, 'biosId', 'Name the VM with biosId or vmId.');
      }
      let biosId: string | undefined;
      if (key.biosId !== undefined) {
        biosId = normalizeBiosId(key.biosId);
        if (!biosId) return refuse(400, TENANT_CODES.invalidValue, 'biosId', `biosId '${key.biosId.slice(0, 64)}' is not a UUID.`);
      }
      const vmId = key.vmId?.trim().toLowerCase();
      const vm = await tenants.findVm(tenantId, { ...(biosId !== undefined ? { biosId } : {}), ...(vmId !== undefined ? { vmId } : {}) });
      if (!vm) return refuse(404, TENANT_CODES.vmNotFound, biosId !== undefined ? 'biosId' : 'vmId', 'The tenant has no such VM.');
      await tenants.removeVm(vm.id);
      directory.removeVm(vm.biosId);
      await audit.record(actor, 'tenant.vm.unregister', tenantId, { vm: { id: vm.id, biosId: vm.biosId } });
      return { ok: true, value: vmView(vm) };
    },
  };
}
export type TenantService = ReturnType<typeof createTenantService>;
