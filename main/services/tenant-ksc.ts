import { isKscError, KscError, MULTITENANCY_FOLDER_NAME, type AdministrationServer, type KscUndo } from '../connectors/ksc/index.ts';
import { TENANT_CODES } from '../contract/tenants.ts';
import type { KscSettings } from './ksc-settings.ts';
import { TaskError } from './task-engine.ts';

/** Runs `work` on a fresh Administration Server connection, closed afterwards whatever happens. */
export async function withAdministrationServer<T>(ksc: KscSettings, work: (server: AdministrationServer) => Promise<T>): Promise<T> {
  const server = await ksc.open();
  if (!server) {
    throw new TaskError(TENANT_CODES.kscNotConfigured, 'The Integration Server has no Administration Server connection settings: set them with `lightkeeper ksc set` or PUT /api/v1/ksc.');
  }
  try {
    return await work(server);
  } finally {
    await server.close().catch(() => undefined);
  }
}

/** A connector failure as a task error; the one vendor-documented KSC outcome gets the vendor's code. */
export function kscTaskError(error: unknown): unknown {
  if (!(error instanceof KscError)) return error;
  if (error.code === 'KSC_TenantGroupAlreadyExists') return new TaskError(TENANT_CODES.groupExists, error.message, { cause: error });
  return new TaskError(error.code, error.message, { cause: error });
}

/** Undo records a failed connector call left for us to run (see KscError.pendingUndo). */
export const pendingUndoOf = (error: unknown): KscUndo[] => (isKscError(error) ? error.pendingUndo : []);

/** Runs undo records newest first; an object already gone counts as undone. */
export async function runUndos(server: AdministrationServer, undos: readonly KscUndo[]): Promise<void> {
  for (const undo of [...undos].reverse()) await server.undo(undo);
}

/** The tenants' shared folder under Managed devices, or null when it does not exist. */
export async function findMultitenancyFolder(server: AdministrationServer): Promise<number | null> {
  return server.findFolder(MULTITENANCY_FOLDER_NAME, await server.managedDevicesFolderId());
}

/**
 * Deletes the tenants' shared folder when no tenant needs it any more, as the vendor's DeleteTenant
 * does (rest-api.md §3.9). Only an empty folder is deleted: one the provider filled stays.
 */
export async function removeMultitenancyFolderIfUnused(server: AdministrationServer): Promise<void> {
  const id = await findMultitenancyFolder(server);
  if (id === null) return;
  try {
    await server.deleteFolder(id);
  } catch (error) {
    if (isKscError(error, 'KSC_NotFound')) return;
    if (isKscError(error, 'KSC_ActionFailed') && /not empty/i.test(error.message)) return;
    throw error;
  }
}

/** Marks the tenant administrator's account as ours, so that crash recovery can tell it from a namesake. */
export const adminAccountDescription = (tenantId: string): string => `Tenant administrator created by Lightkeeper for tenant ${tenantId}`;
