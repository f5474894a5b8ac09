import { TENANT_TASK_TYPES, type TenantStatus } from '../contract/tenants.ts';
import { needsAdministrationServer, statusAfter } from '../domain/tenant-rules.ts';
import type { TaskDefinition, TaskStep } from './task-engine.ts';
import { busy, notFound, requireConfigured, type ChangeActivationParams, type TenantTaskDeps } from './tenant-task-support.ts';

type ActivationMemo = { previous?: { status: TenantStatus; updated: string } };

export function changeActivationTask(deps: TenantTaskDeps): TaskDefinition<ChangeActivationParams> {
  const { tenants, directory, now } = deps;
  const step: TaskStep<ChangeActivationParams> = {
    name: "Changing the tenant's status",
    async run(ctx) {
      const { tenantId, change } = ctx.params;
      const memo = ctx.memo as ActivationMemo;
      const t = await tenants.get(tenantId);
      if (!t || t.lifecycle === 'Creating') throw notFound(tenantId);
      if (t.lifecycle === 'Deleting') throw busy(tenantId);
      if (needsAdministrationServer(t.type, 'activation')) await requireConfigured(deps);
      memo.previous ??= { status: t.status, updated: t.updated };
      const status = statusAfter(change);
      if (t.status !== status) await tenants.update(tenantId, { status, updated: now().toISOString() });
      directory.setTenant(tenantId, { type: t.type, status });
      ctx.setResult(true);
    },
    async undo(ctx) {
      const memo = ctx.memo as ActivationMemo;
      const t = await tenants.get(ctx.params.tenantId);
      if (!t || !memo.previous) return;
      await tenants.update(t.id, memo.previous);
      directory.setTenant(t.id, { type: t.type, status: memo.previous.status });
    },
  };
  return { type: TENANT_TASK_TYPES.changeActivation, resumable: () => true, steps: () => [step] };
}

