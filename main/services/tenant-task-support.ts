import { TENANT_CODES } from '../contract/tenants.ts';
import type { ActivationChange, TenantDraft } from '../domain/tenant-rules.ts';
import type { TenantsRepository } from '../store/repositories.ts';
import type { KscSettings } from './ksc-settings.ts';
import type { SerialQueue } from './serial-queue.ts';
import { TaskError } from './task-engine.ts';
import type { TenantDirectory } from './tenant-directory.ts';
import { withAdministrationServer } from './tenant-ksc.ts';

/** What the three tenant tasks share: their parameters, their dependencies, their refusals. */
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
  /** First wait before retrying a deletion that has to be finished (then doubling); default 250 ms. */
  retryDelayMs?: number;
};

export const notFound = (id: string) => new TaskError(TENANT_CODES.tenantNotFound, `There is no tenant with the id '${String(id).slice(0, 64)}'.`);
export const busy = (id: string) => new TaskError(TENANT_CODES.tenantBusy, `Tenant ${id} is being deleted by another task.`);

/** A connection for an undo: without settings there is nothing we could have made, so nothing to undo. */
export async function undoOnServer(deps: TenantTaskDeps, work: Parameters<typeof withAdministrationServer>[1]): Promise<void> {
  if (!(await deps.ksc.isConfigured())) return;
  await withAdministrationServer(deps.ksc, work);
}

export async function requireConfigured(deps: TenantTaskDeps): Promise<void> {
  if (!(await deps.ksc.isConfigured())) {
    throw new TaskError(TENANT_CODES.kscNotConfigured, 'The Integration Server has no Administration Server connection settings: set them with `lightkeeper ksc set` or PUT /api/v1/ksc.');
  }
}

