/** The Administration Server connector: what services import. */
export {
  createAdministrationServer,
  KSC_CHECKS,
  MULTITENANCY_FOLDER_NAME,
  type AdministrationServer,
  type AccountInfo,
  type AdministrationServerOptions,
  type FolderResult,
  type KscCheck,
  type KscCheckName,
  type KscTestOptions,
  type KscTestReport,
  type TenantAdminInput,
  type TenantAdminResult,
  type VirtualServerInfo,
  type VirtualServerResult,
} from './administration-server.ts';
export {
  createKscClient,
  type KscActionResult,
  type KscCallEvent,
  type KscCallOptions,
  type KscClient,
  type KscConnectionSettings,
  type KscResponse,
} from './ksc-client.ts';
export { isKscError, KSC_ERROR_CODES, KscError, type KscErrorCode, type KscUndo, type PxgErrorInfo } from './ksc-error.ts';
export { DEFAULT_KSC_PORT, normalizeFingerprint, probeFingerprint, type KscCertificateInfo } from './tls-pinning.ts';
