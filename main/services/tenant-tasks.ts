import pRetry from 'p-retry';
import type { KscUndo } from '../connectors/ksc/index.ts';
import { TENANT_CODES, TENANT_TASK_TYPES, type Tenant, type TenantStatus } from '../contract/tenants.ts';
import { needsAdministrationServer, statusAfter, type ActivationChange, type TenantDraft } from '../domain/tenant-rules.ts';
import { UniqueViolation, type TenantLifecycle, type TenantRecord, type TenantsRepository } from '../store/repositories.ts';
import type { KscSettings } from './ksc-settings.ts';
import type { SerialQueue } from './serial-queue.ts';
import { TaskError, type StepContext, type TaskDefinition, type TaskStep } from './task-engine.ts';
import type { TenantDirectory } from './tenant-directory.ts';
import {
  adminAccountDescription,
  findMultitenancyFolder,
  kscTaskError,
  pendingUndoOf,
  removeMultitenancyFolderIfUnused,
  runUndos,
  withAdministrationServer,
} from './tenant-ksc.ts';
import { tenantView } from './tenant-views.ts';

export type CreateTenantParams = { tenantId: string; draft: TenantDraft };
export type ChangeActivationParams = { tenantId: string; change: ActivationChange };
export type DeleteTenantParams = { tenantId: string; removeArtifacts: boolean };

export type TenantTaskDeps = {
  tenants: TenantsRepository;
  directory: TenantDirectory;
  ksc: KscSettings;
  /** Serializes every change of the tenants' shared folder (see serial-queue.ts). */
  folderQueue: SerialQueue;
  now: () => Date;
  /** Waits between retries of a deletion that has to be finished; tests shorten it. */
  retryDelayMs?: number;
};

/**
 * What a CreateTenant step leaves in the task memo (sealed, persisted after every step), with the
 * connector's pending undo of a failed call. An undo without its step's result looks on the server
 * for what the step may have made: the answer may have been lost, or a crash cut the step short.
 * The tenant's folder is the exception: its step fails when a namesake already exists, and that
 * folder is not ours (`foldersFailed`).
 */
type CreateMemo = {
  folders?: { multitenancyId: number; tenantFolderId: number };
  foldersFailed?: boolean;
  vServer?: { id: number };
  account?: { id: number };
  pending?: KscUndo[];
};

const notFound = (id: string) => new TaskError(TENANT_CODES.tenantNotFound, `There is no tenant with the id '${String(id).slice(0, 64)}'.`);
const busy = (id: string) => new TaskError(TENANT_CODES.tenantBusy, `Tenant ${id} is being deleted by another task.`);

/** A connection for an undo: without settings there is nothing we could have made, so nothing to undo. */
async function undoOnServer(deps: TenantTaskDeps, work: Parameters<typeof withAdministrationServer>[1]): Promise<void> {
  if (!(await deps.ksc.isConfigured())) return;
  await withAdministrationServer(deps.ksc, work);
}

async function requireConfigured(deps: TenantTaskDeps): Promise<void> {
  if (!(await deps.ksc.isConfigured())) {
    throw new TaskError(TENANT_CODES.kscNotConfigured, 'The Integration Server has no Administration Server connection settings: set them with `lightkeeper ksc set` or PUT /api/v1/ksc.');
  }
}

export function createTenantTask(deps: TenantTaskDeps): TaskDefinition<CreateTenantParams> {
  const { tenants, directory, ksc, folderQueue, now } = deps;
  const memoOf = (ctx: StepContext<CreateTenantParams>) => ctx.memo as CreateMemo;
  const failed = (memo: CreateMemo, flag?: 'foldersFailed', error?: unknown) => {
    if (flag) memo[flag] = true;
    memo.pending = [...(memo.pending ?? []), ...pendingUndoOf(error)];
    return kscTaskError(error);
  };
  const runPending = async (server: Parameters<typeof runUndos>[0], memo: CreateMemo) => {
    await runUndos(server, memo.pending ?? []);
    memo.pending = [];
  };

  const save: TaskStep<CreateTenantParams> = {
    name: 'Saving the tenant',
    async run({ params: { tenantId, draft }, taskId }) {
      if (await tenants.findByName(draft.name)) throw new TaskError(TENANT_CODES.nameExists, `A tenant named '${draft.name}' already exists.`);
      if (needsAdministrationServer(draft.type, 'create')) await requireConfigured(deps);
      const t = now().toISOString();
      try {
        await tenants.insert({
          id: tenantId,
          name: draft.name,
          description: draft.description,
          userData: draft.userData,
          preferredViisAddress: draft.preferredViisAddress,
          type: draft.type,
          status: 'Inactive',
          lifecycle: 'Creating',
          taskId,
          vKscId: null,
          adminName: draft.admin?.name ?? null,
          adminPassword: draft.admin?.password ?? null,
          kscAccountId: null,
          kscFolderId: null,
          created: t,
          updated: t,
        });
      } catch (e) {
        if (e instanceof UniqueViolation) throw new TaskError(TENANT_CODES.nameExists, `A tenant named '${draft.name}' already exists.`);
        throw e;
      }
    },
    async undo({ params: { tenantId }, taskId }) {
      const t = await tenants.get(tenantId);
      if (!t || t.taskId !== taskId) return;
      await tenants.remove(tenantId);
      directory.removeTenant(tenantId);
    },
  };

  const folders: TaskStep<CreateTenantParams> = {
    name: "Creating the tenant's folder on the Administration Server",
    async run(ctx) {
      const memo = memoOf(ctx);
      await withAdministrationServer(ksc, (server) =>
        folderQueue(async () => {
          try {
            const shared = await server.ensureMultitenancyFolder();
            const own = await server.createTenantFolder(ctx.params.draft.name, shared.id);
            memo.folders = { multitenancyId: shared.id, tenantFolderId: own.id };
          } catch (e) {
            throw failed(memo, 'foldersFailed', e);
          }
        }),
      );
    },
    async undo(ctx) {
      const memo = memoOf(ctx);
      await undoOnServer(deps, (server) =>
        folderQueue(async () => {
          await runPending(server, memo);
          let folderId = memo.folders?.tenantFolderId;
          if (folderId === undefined && !memo.foldersFailed) {
            const shared = await findMultitenancyFolder(server);
            folderId = (shared === null ? null : await server.findFolder(ctx.params.draft.name, shared)) ?? undefined;
          }
          // Only an empty folder is deleted: after a crash, a namesake the provider filled is never taken.
          if (folderId !== undefined) await server.undo({ kind: 'deleteFolder', folderId });
          if ((await tenants.countComplete(ctx.params.tenantId)) === 0) await removeMultitenancyFolderIfUnused(server);
        }),
      );
    },
  };

  const virtualServer: TaskStep<CreateTenantParams> = {
    name: 'Creating the virtual Administration Server',
    async run(ctx) {
      const memo = memoOf(ctx);
      await withAdministrationServer(ksc, async (server) => {
        try {
          const created = await server.createVirtualServer(ctx.params.draft.name, memo.folders!.tenantFolderId);
          memo.vServer = { id: created.id };
        } catch (e) {
          throw failed(memo, undefined, e);
        }
      });
    },
    async undo(ctx) {
      const memo = memoOf(ctx);
      await undoOnServer(deps, async (server) => {
        await runPending(server, memo);
        if (memo.vServer) return server.undo({ kind: 'deleteVirtualServer', virtualServerId: memo.vServer.id });
        // The tenant's folder is ours alone, so whatever virtual server is in it, we made (an answer
        // lost in a failure or a crash leaves one we never heard of).
        if (memo.folders) {
          for (const vs of await server.listVirtualServers(memo.folders.tenantFolderId)) {
            await server.undo({ kind: 'deleteVirtualServer', virtualServerId: vs.id });
          }
        }
      });
    },
  };

  const administrator: TaskStep<CreateTenantParams> = {
    name: 'Creating the tenant administrator',
    async run(ctx) {
      const memo = memoOf(ctx);
      const admin = ctx.params.draft.admin!;
      await withAdministrationServer(ksc, async (server) => {
        try {
          const created = await server.createTenantAdmin({
            virtualServerId: memo.vServer!.id,
            name: admin.name,
            password: admin.password,
            description: adminAccountDescription(ctx.params.tenantId),
          });
          memo.account = { id: created.accountId };
        } catch (e) {
          throw failed(memo, undefined, e);
        }
      });
    },
    async undo(ctx) {
      const memo = memoOf(ctx);
      await undoOnServer(deps, async (server) => {
        await runPending(server, memo);
        if (memo.account) return server.undo({ kind: 'deleteAccount', accountId: memo.account.id });
        // Without the answer (lost in a failure, or a crash) the account is found by its name and
        // our mark in its description; a namesake someone else made is never touched.
        const ours = adminAccountDescription(ctx.params.tenantId);
        for (const account of await server.findAccounts(ctx.params.draft.admin!.name)) {
          if (account.description === ours) await server.undo({ kind: 'deleteAccount', accountId: account.id });
        }
      });
    },
  };

  const record: TaskStep<CreateTenantParams> = {
    name: 'Recording the tenant',
    async run(ctx) {
      const memo = memoOf(ctx);
      const { tenantId } = ctx.params;
      await tenants.update(tenantId, {
        lifecycle: 'Ready',
        vKscId: memo.vServer?.id ?? null,
        kscAccountId: memo.account?.id ?? null,
        kscFolderId: memo.folders?.tenantFolderId ?? null,
        updated: now().toISOString(),
      });
      const t = (await tenants.get(tenantId))!;
      directory.setTenant(tenantId, t);
      ctx.setResult(tenantView(t, 0));
    },
  };

  return {
    type: TENANT_TASK_TYPES.create,
    // A half-built tenant is rolled back after a crash, never resumed: the client then sees one clear failure.
    resumable: () => false,
    steps: (p) => (p.draft.type === 'Complete' ? [save, folders, virtualServer, administrator, record] : [save, record]),
  };
}

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
async function removeArtifacts(deps: TenantTaskDeps, server: Parameters<typeof runUndos>[0], t: TenantRecord): Promise<void> {
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
