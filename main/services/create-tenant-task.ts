import { TENANT_CODES, TENANT_TASK_TYPES } from '../contract/tenants.ts';
import { needsAdministrationServer } from '../domain/tenant-rules.ts';
import type { AdministrationServer, KscUndo } from '../connectors/ksc/index.ts';
import { UniqueViolation } from '../store/repositories.ts';
import { TaskError, type StepContext, type TaskDefinition, type TaskStep } from './task-engine.ts';
import {
  adminAccountDescription,
  findMultitenancyFolder,
  kscTaskError,
  pendingUndoOf,
  removeMultitenancyFolderIfUnused,
  runUndos,
  withAdministrationServer,
} from './tenant-ksc.ts';
import { requireConfigured, undoOnServer, type CreateTenantParams, type TenantTaskDeps } from './tenant-task-support.ts';
import { tenantView } from './tenant-views.ts';

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

export function createTenantTask(deps: TenantTaskDeps): TaskDefinition<CreateTenantParams> {
  const { tenants, directory, ksc, folderQueue, now } = deps;
  const memoOf = (ctx: StepContext<CreateTenantParams>) => ctx.memo as CreateMemo;
  const failed = (memo: CreateMemo, flag?: 'foldersFailed', error?: unknown) => {
    if (flag) memo[flag] = true;
    memo.pending = [...(memo.pending ?? []), ...pendingUndoOf(error)];
    return kscTaskError(error);
  };
  const runPending = async (server: AdministrationServer, memo: CreateMemo) => {
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

