import pRetry from 'p-retry';
import { TENANT_TASK_TYPES, type Tenant } from '../contract/tenants.ts';
import { needsAdministrationServer } from '../domain/tenant-rules.ts';
import type { TenantLifecycle, TenantRecord } from '../store/repositories.ts';
import { TaskError, type TaskDefinition, type TaskStep } from './task-engine.ts';
import type { AdministrationServer } from '../connectors/ksc/index.ts';
import { findMultitenancyFolder, kscTaskError, removeMultitenancyFolderIfUnused, withAdministrationServer } from './tenant-ksc.ts';
import { busy, notFound, requireConfigured, type DeleteTenantParams, type TenantTaskDeps } from './tenant-task-support.ts';
import { tenantView } from './tenant-views.ts';

type DeleteMemo = { before?: { lifecycle: TenantLifecycle; taskId: string | null }; removed?: Tenant };

export function deleteTenantTask(deps: TenantTaskDeps): TaskDefinition<DeleteTenantParams> {
  const { tenants, directory, ksc } = deps;

  const check: TaskStep<DeleteTenantParams> = {
    name: 'Checking the tenant',
    async run(ctx) {
      const { tenantId, removeArtifacts } = ctx.params;
      const memo = ctx.memo as DeleteMemo;
      const t = await tenants.get(tenantId);
      if (!t || t.lifecycle === 'Creating') throw notFound(tenantId);
      const resumed = t.lifecycle === 'Deleting' && t.taskId === ctx.taskId;
      if (t.lifecycle === 'Deleting' && !resumed) throw busy(tenantId);
      if (needsAdministrationServer(t.type, 'delete', removeArtifacts)) await requireConfigured(deps);
      memo.before ??= resumed ? { lifecycle: 'Ready', taskId: null } : { lifecycle: t.lifecycle, taskId: t.taskId };
      memo.removed ??= tenantView(t, (await tenants.listVms(tenantId)).length);
      await tenants.update(tenantId, { lifecycle: 'Deleting', taskId: ctx.taskId });
    },
    async undo(ctx) {
      const memo = ctx.memo as DeleteMemo;
      const t = await tenants.get(ctx.params.tenantId);
      if (t && memo.before && t.taskId === ctx.taskId) await tenants.update(t.id, memo.before);
    },
  };

  const artifacts: TaskStep<DeleteTenantParams> = {
    name: "Removing the tenant's artifacts from the Administration Server",
    async run(ctx) {
      const t = (await tenants.get(ctx.params.tenantId))!;
      await withAdministrationServer(ksc, (server) => removeArtifacts(deps, server, t));
    },
  };

  const forget: TaskStep<DeleteTenantParams> = {
    name: 'Removing the tenant from the database',
    async run(ctx) {
      await tenants.remove(ctx.params.tenantId);
      directory.removeTenant(ctx.params.tenantId);
      ctx.setResult((ctx.memo as DeleteMemo).removed ?? null);
    },
  };

  return {
    type: TENANT_TASK_TYPES.delete,
    // Deleting is idempotent (what is gone counts as deleted), so a crash resumes it where it stopped.
    resumable: () => true,
    steps: (p) => (p.removeArtifacts ? [check, artifacts, forget] : [check, forget]),
  };
}

/**
 * Deletes the virtual server, the administrator's account, the tenant's folder and, when no tenant
 * is left, the shared folder. Until the first deletion any failure rolls the task back with both
 * sides as they were. A deletion cannot be taken back (a re-created virtual server would be
 * another, empty one), so after the first one the rest is finished, retrying transient faults;
 * if it still fails, our record says what is left and a new DeleteTenant completes the job.
 */
async function removeArtifacts(deps: TenantTaskDeps, server: AdministrationServer, t: TenantRecord): Promise<void> {
  if (t.type !== 'Complete') return;
  const { tenants, folderQueue } = deps;
  let deletedSomething = false;
  const remove = async (what: string, act: () => Promise<void>, isGone: () => Promise<boolean>, forget: () => Promise<void>) => {
    const attempt = async () => {
      try {
        await act();
      } catch (e) {
        // An answer lost after the server acted: look before deciding whether anything changed.
        if (!(await isGone().catch(() => false))) throw e;
      }
    };
    try {
      if (deletedSomething) await pRetry(attempt, { retries: 3, minTimeout: deps.retryDelayMs ?? 250, factor: 2 });
      else await attempt();
    } catch (e) {
      const err = kscTaskError(e) as Error;
      if (!deletedSomething) throw err;
      throw new TaskError(
        (err as TaskError).code ?? 'TASK_FAILED',
        `Deleting ${what} failed after part of the tenant was already removed: ${err.message} Run DeleteTenant again to finish.`,
      );
    }
    deletedSomething = true;
    await forget();
  };

  if (t.vKscId !== null) {
    const id = t.vKscId;
    if ((await server.getVirtualServer(id)) !== null) {
      await remove('the virtual Administration Server', () => server.deleteVirtualServer(id), async () => (await server.getVirtualServer(id)) === null, () =>
        tenants.update(t.id, { vKscId: null }),
      );
    } else await tenants.update(t.id, { vKscId: null });
  }
  if (t.kscAccountId !== null) {
    const id = t.kscAccountId;
    const name = t.adminName ?? '';
    await remove('the tenant administrator account', () => server.undo({ kind: 'deleteAccount', accountId: id }), async () =>
      !(await server.findAccounts(name)).some((a) => a.id === id),
    () => tenants.update(t.id, { kscAccountId: null }));
  }
  if (t.kscFolderId !== null) {
    const id = t.kscFolderId;
    const isGone = async () => {
      const shared = await findMultitenancyFolder(server);
      return shared === null || (await server.findFolder(t.name, shared)) !== id;
    };
    await remove("the tenant's folder", async () => {
      try {
        await server.deleteFolder(id, { withContents: true });
      } catch (e) {
        if (!(await isGone().catch(() => false))) throw e;
      }
    }, isGone, () => tenants.update(t.id, { kscFolderId: null }));
  }
  await folderQueue(async () => {
    if ((await tenants.countComplete(t.id)) > 0) return;
    await remove("the tenants' shared folder", () => removeMultitenancyFolderIfUnused(server), async () => (await findMultitenancyFolder(server)) === null, async () => undefined);
  });
}
