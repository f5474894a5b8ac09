/**
 * Errors of the Administration Server connector. Every failure — network, TLS pinning, login, a
 * `PxgError` answer, an asynchronous action that ends badly — surfaces as one `KscError` whose
 * `code` the task engine maps to a task error and whose `message` is safe to show and log: it never
 * contains a password, a session token or the `Authorization` header.
 */

export const KSC_ERROR_CODES = [
  /** TCP/TLS connection failed (refused, DNS, reset). */
  'KSC_Unreachable',
  /** The server presented a certificate whose SHA-256 fingerprint is not the pinned one. */
  'KSC_CertificateChanged',
  /** The Administration Server answered the login with HTTP 401. */
  'KSC_AuthenticationFailed',
  /** The account is logged in but lacks a right the call needs. */
  'KSC_AccessDenied',
  /** The session ended and a fresh login did not help. */
  'KSC_SessionExpired',
  /** No answer within the configured time (a call, a connection, or an asynchronous action). */
  'KSC_Timeout',
  /** An answer that is not KSC OpenAPI (wrong status, not JSON, missing fields). */
  'KSC_ProtocolError',
  /** Any other `PxgError`. */
  'KSC_CallFailed',
  /** An asynchronous action (`strActionGuid`) finished without success. */
  'KSC_ActionFailed',
  /** The server already holds the maximum number of virtual Administration Servers (500). */
  'KSC_VirtualServerLimitReached',
  /** Internal account names are unique across the main and all virtual Administration Servers. */
  'KSC_AccountNameAlreadyExists',
  /** The folder `<Tenant name>` already exists under `Multitenancy KSV LA`. */
  'KSC_TenantGroupAlreadyExists',
  /** The object (folder, virtual server, account) does not exist. */
  'KSC_NotFound',
  /** A setting or argument we were given is unusable (e.g. a malformed fingerprint). */
  'KSC_InvalidArgument',
] as const;
export type KscErrorCode = (typeof KSC_ERROR_CODES)[number];

/** The `PxgError` object of a KSC OpenAPI answer, with its text already redacted. */
export interface PxgErrorInfo {
  code: number;
  subcode: number;
  module: string;
  message: string;
}

/** What to run to take back a change on the Administration Server; see administration-server.ts. */
export type KscUndo =
  | { kind: 'deleteFolder'; folderId: number }
  | { kind: 'deleteVirtualServer'; virtualServerId: number }
  | { kind: 'deleteAccount'; accountId: number }
  | { kind: 'none' };

export interface KscErrorDetails {
  /** The KSC method, e.g. `VServers.AddVServerInfo`. */
  method?: string;
  pxg?: PxgErrorInfo;
  httpStatus?: number;
  /** The `X-KSC-RequestId` we sent, to find the call in the server's trace. */
  requestId?: string;
  /** For `KSC_CertificateChanged` and probes: the fingerprint the server presented. */
  presentedFingerprint?: string;
  /**
   * Changes an operation made before it failed and could not take back itself; the caller must
   * record and run them (in this order) like any other undo.
   */
  pendingUndo?: KscUndo[];
  cause?: unknown;
}

export class KscError extends Error {
  override readonly name = 'KscError';
  readonly code: KscErrorCode;
  readonly method: string | undefined;
  readonly pxg: PxgErrorInfo | undefined;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  readonly presentedFingerprint: string | undefined;
  readonly pendingUndo: KscUndo[];

  constructor(code: KscErrorCode, message: string, details: KscErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.method = details.method;
    this.pxg = details.pxg;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
    this.presentedFingerprint = details.presentedFingerprint;
    this.pendingUndo = details.pendingUndo ?? [];
  }

  /** The same error with undo steps the caller still has to run. */
  withPendingUndo(steps: KscUndo[]): KscError {
    return new KscError(this.code, this.message, {
      method: this.method,
      pxg: this.pxg,
      httpStatus: this.httpStatus,
      requestId: this.requestId,
      presentedFingerprint: this.presentedFingerprint,
      pendingUndo: [...this.pendingUndo, ...steps],
      cause: this.cause,
    });
  }

  toJSON(): { code: KscErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const isKscError = (value: unknown, code?: KscErrorCode): value is KscError =>
  value instanceof KscError && (code === undefined || value.code === code);

/**
 * Replaces every secret (and its Base64 and URL-encoded forms, which is how KSCBasic and a
 * server echo would carry it) in a text that is about to leave the connector.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const forms = new Set([secret, Buffer.from(secret, 'utf8').toString('base64'), encodeURIComponent(secret)]);
    for (const form of forms) out = out.split(form).join('***');
  }
  return out;
}
