/**
 * A client of the Administration Server's KSC OpenAPI (ksc-openapi.md §1, §2, §4):
 * `POST /api/v1.0/<Class>.<Method>` with a JSON body of named arguments, a session started with
 * `Session.StartSession` and KSCBasic credentials, `X-KSC-Session` on every later call, one
 * `X-KSC-RequestId` per call, answers with `PxgRetVal` and `[out]` arguments or a `PxgError`.
 *
 * One keep-alive TLS connection per client: KSC allows no second request on a connection before
 * the first is answered, and an asynchronous action may only be polled where it was started.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { KscError, redactSecrets, type KscErrorCode, type PxgErrorInfo } from './ksc-error.ts';
import { isRecord, kscInteger } from './ksc-values.ts';
import { createPinnedConnector, DEFAULT_KSC_PORT, unreachableError } from './tls-pinning.ts';

export interface KscConnectionSettings {
  /** Host name or IP address of the Administration Server. */
  address: string;
  /** KSC OpenAPI port; 13299 unless the server was configured otherwise. */
  port?: number;
  user: string;
  password: string;
  /** SHA-256 fingerprint of the server certificate (`AB:CD:…`, case and colons free). */
  pinnedFingerprint: string;
  /** `true` (default) for an account internal to the Administration Server, `false` for a domain account. */
  internal?: boolean;
  /** Domain of a domain account. */
  domain?: string;
  /** Open the session on this virtual Administration Server (its `KLVSRV_UID`) instead of the main one. */
  virtualServer?: string;
  /** Longest wait for one answer (and for a TLS connection). Default 30 s. */
  requestTimeoutMs?: number;
  /** Longest wait for an asynchronous action to finish. Default 10 min. */
  actionTimeoutMs?: number;
  /** Called after every call, for the log: no arguments, no secrets. */
  onCall?: (event: KscCallEvent) => void;
}

export interface KscCallEvent {
  method: string;
  requestId: string;
  durationMs: number;
  outcome: 'ok' | KscErrorCode;
}

/** The answer object: `PxgRetVal` plus any `[out]` arguments under their own names. */
export type KscResponse = Record<string, unknown> & { PxgRetVal?: unknown };

export interface KscActionResult {
  stateCode: number;
  stateData: unknown;
}

export interface KscCallOptions {
  /** Further secrets the arguments carry (e.g. a new account's password), kept out of errors. */
  secrets?: readonly string[];
}

export interface KscClient {
  /** `address:port`, for messages. */
  readonly endpoint: string;
  /** Starts a session now (calls start one on demand). Fails `KSC_AuthenticationFailed` on HTTP 401. */
  login(): Promise<void>;
  call(method: string, args?: Record<string, unknown>, options?: KscCallOptions): Promise<KscResponse>;
  /** Polls `AsyncActionStateChecker.CheckActionState` until the action is finalized. */
  waitForAction(actionGuid: string, startedBy: string): Promise<KscActionResult>;
  /** Ends the session (`Session.EndSession`); the next call logs in again. */
  logout(): Promise<void>;
  /** Ends the session and closes the connection. */
  close(): Promise<void>;
}

const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){1,2}$/;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * Which of our codes a `PxgError` means. KSC does not publish its numeric codes per situation, so
 * the classification reads the (not localized) English message; the simulator uses the same texts.
 */
export function classifyPxgError(method: string, pxg: PxgErrorInfo): KscErrorCode {
  const text = pxg.message;
  if (/access denied|insufficient (access )?rights|not enough rights|permission denied/i.test(text)) return 'KSC_AccessDenied';
  if (method === 'VServers.AddVServerInfo' && /maximum|limit/i.test(text)) return 'KSC_VirtualServerLimitReached';
  if (method === 'SecurityPolicy.AddUser' && /already exists|not unique|duplicate/i.test(text)) {
    return 'KSC_AccountNameAlreadyExists';
  }
  if (/not found|does not exist|no such/i.test(text)) return 'KSC_NotFound';
  return 'KSC_CallFailed';
}

export function pxgErrorToKscError(
  method: string,
  raw: unknown,
  context: { httpStatus?: number; requestId?: string; secrets: readonly string[] },
): KscError {
  const body = isRecord(raw) ? raw : {};
  const pxg: PxgErrorInfo = {
    code: kscInteger(body.code) ?? 0,
    subcode: kscInteger(body.subcode) ?? 0,
    module: typeof body.module === 'string' ? body.module : '',
    message: redactSecrets(typeof body.message === 'string' ? body.message : '', context.secrets),
  };
  const code = classifyPxgError(method, pxg);
  const where = pxg.module === '' ? `KSC error ${pxg.code}` : `KSC error ${pxg.code} in ${pxg.module}`;
  const text = pxg.message === '' ? 'no message' : pxg.message;
  const lead =
    code === 'KSC_VirtualServerLimitReached'
      ? 'The Administration Server already holds the maximum number of virtual Administration Servers (500). '
      : '';
  return new KscError(code, `${lead}${method} failed: ${text} (${where}).`, {
    method,
    pxg,
    httpStatus: context.httpStatus,
    requestId: context.requestId,
  });
}

interface RawAnswer {
  status: number;
  body: unknown;
}

export function createKscClient(settings: KscConnectionSettings): KscClient {
  const port = settings.port ?? DEFAULT_KSC_PORT;
  const endpoint = `${settings.address}:${port}`;
  const origin = `https://${isIP(settings.address) === 6 ? `[${settings.address}]` : settings.address}:${port}`;
  const requestTimeoutMs = settings.requestTimeoutMs ?? 30_000;
  const actionTimeoutMs = settings.actionTimeoutMs ?? 600_000;
  const baseSecrets = [settings.password];
  const agent = new Agent({
    connect: createPinnedConnector(settings.pinnedFingerprint, requestTimeoutMs),
    connections: 1,
    pipelining: 1,
  });

  let token: string | null = null;
  let starting: Promise<string> | null = null;
  let closed = false;

  const report = (method: string, requestId: string, startedAt: number, outcome: KscCallEvent['outcome']): void => {
    settings.onCall?.({ method, requestId, durationMs: Math.round(performance.now() - startedAt), outcome });
  };

  const transportError = (error: unknown, method: string, requestId: string): KscError => {
    if (error instanceof KscError) return error;
    const code = isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
    if (code !== undefined && TIMEOUT_CODES.has(code)) {
      return new KscError('KSC_Timeout', `No answer from the Administration Server at ${endpoint} to ${method} within ${requestTimeoutMs} ms.`, {
        method,
        requestId,
        cause: error,
      });
    }
    const cause = isRecord(error) && error.cause instanceof KscError ? error.cause : undefined;
    return cause ?? unreachableError(endpoint, error);
  };

  async function post(method: string, headers: Record<string, string>, body: string, requestId: string): Promise<RawAnswer> {
    if (closed) throw new KscError('KSC_Unreachable', `The connection to ${endpoint} is closed.`, { method });
    let status: number;
    let text: string;
    try {
      const answer = await agent.request({
        origin,
        path: `/api/v1.0/${method}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-ksc-requestid': requestId, ...headers },
        body,
        headersTimeout: requestTimeoutMs,
        bodyTimeout: requestTimeoutMs,
      });
      status = answer.statusCode;
      text = await answer.body.text();
    } catch (error) {
      throw transportError(error, method, requestId);
    }
    if (text.trim() === '') return { status, body: {} };
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch {
      if (status === 401 || status === 403) return { status, body: {} };
      throw new KscError('KSC_ProtocolError', `${method}: the Administration Server answered HTTP ${status} with a body that is not JSON.`, {
        method,
        httpStatus: status,
        requestId,
      });
    }
  }

  async function startSession(): Promise<string> {
    const method = 'Session.StartSession';
    const requestId = randomUUID();
    const startedAt = performance.now();
    try {
      let authorization = `KSCBasic user="${b64(settings.user)}", pass="${b64(settings.password)}", internal="${settings.internal === false ? '0' : '1'}"`;
      if (settings.domain) authorization += `, domain="${b64(settings.domain)}"`;
      const headers: Record<string, string> = { authorization };
      if (settings.virtualServer) headers['x-ksc-vserver'] = settings.virtualServer;
      const answer = await post(method, headers, '{}', requestId);
      if (answer.status === 401) {
        throw new KscError(
          'KSC_AuthenticationFailed',
          `The Administration Server at ${endpoint} rejected the user name or password of account "${settings.user}".`,
          { method, httpStatus: 401, requestId },
        );
      }
      if (isRecord(answer.body) && answer.body.PxgError !== undefined) {
        throw pxgErrorToKscError(method, answer.body.PxgError, { httpStatus: answer.status, requestId, secrets: baseSecrets });
      }
      const session = isRecord(answer.body) ? answer.body.PxgRetVal : undefined;
      if (answer.status !== 200 || typeof session !== 'string' || session === '') {
        throw new KscError('KSC_ProtocolError', `${method}: unexpected answer (HTTP ${answer.status}, no session token).`, {
          method,
          httpStatus: answer.status,
          requestId,
        });
      }
      report(method, requestId, startedAt, 'ok');
      return session;
    } catch (error) {
      const failure = transportError(error, method, requestId);
      report(method, requestId, startedAt, failure.code);
      throw failure;
    }
  }

  async function session(): Promise<string> {
    if (token !== null) return token;
    starting ??= startSession().finally(() => {
      starting = null;
    });
    token = await starting;
    return token;
  }

  async function call(method: string, args: Record<string, unknown> = {}, options: KscCallOptions = {}): Promise<KscResponse> {
    if (!METHOD_NAME.test(method)) {
      throw new KscError('KSC_InvalidArgument', `"${method}" is not a KSC OpenAPI method name (Class.Method).`);
    }
    const secrets = [...baseSecrets, ...(options.secrets ?? [])];
    for (let attempt = 0; ; attempt += 1) {
      const used = await session();
      const requestId = randomUUID();
      const startedAt = performance.now();
      let answer: RawAnswer;
      try {
        answer = await post(method, { 'x-ksc-session': used }, JSON.stringify(args), requestId);
      } catch (error) {
        const failure = transportError(error, method, requestId);
        report(method, requestId, startedAt, failure.code);
        throw failure;
      }
      const body = isRecord(answer.body) ? answer.body : undefined;
      if (body?.PxgError !== undefined) {
        const failure = pxgErrorToKscError(method, body.PxgError, { httpStatus: answer.status, requestId, secrets });
        report(method, requestId, startedAt, failure.code);
        throw failure;
      }
      if (answer.status === 401 || answer.status === 403) {
        // The session ended (server restart, timeout, EndSession): one fresh login, one retry.
        // The call was refused, not executed, so repeating it cannot apply it twice.
        if (token === used) token = null;
        report(method, requestId, startedAt, 'KSC_SessionExpired');
        if (attempt === 0) continue;
        throw new KscError('KSC_SessionExpired', `${method}: the Administration Server refused the session (HTTP ${answer.status}) even after a new login.`, {
          method,
          httpStatus: answer.status,
          requestId,
        });
      }
      if (answer.status !== 200 || body === undefined) {
        const failure = new KscError('KSC_ProtocolError', `${method}: unexpected answer HTTP ${answer.status}.`, {
          method,
          httpStatus: answer.status,
          requestId,
        });
        report(method, requestId, startedAt, failure.code);
        throw failure;
      }
      report(method, requestId, startedAt, 'ok');
      return body;
    }
  }

  async function waitForAction(actionGuid: string, startedBy: string): Promise<KscActionResult> {
    const deadline = performance.now() + actionTimeoutMs;
    for (;;) {
      const state = await call('AsyncActionStateChecker.CheckActionState', { wstrActionGuid: actionGuid });
      if (state.bFinalized === true) {
        const stateCode = kscInteger(state.lStateCode) ?? 0;
        if (state.bSuccededFinalized === true) return { stateCode, stateData: state.pStateData };
        throw new KscError('KSC_ActionFailed', `${startedBy} did not complete on the Administration Server: ${describeActionError(state.pStateData, baseSecrets)}`, {
          method: startedBy,
        });
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw new KscError('KSC_Timeout', `${startedBy} did not finish on the Administration Server within ${actionTimeoutMs} ms.`, {
          method: startedBy,
        });
      }
      const hinted = kscInteger(state.lNextCheckDelay) ?? 1000;
      await sleep(Math.min(Math.max(hinted, 20), 5000, remaining));
    }
  }

  async function logout(): Promise<void> {
    if (starting !== null) await starting.catch(() => undefined);
    const ending = token;
    token = null;
    if (ending === null || closed) return;
    const requestId = randomUUID();
    // Ending a session that the server already dropped is not an error worth reporting.
    await post('Session.EndSession', { 'x-ksc-session': ending }, '{}', requestId).catch(() => undefined);
  }

  return {
    endpoint,
    login: async () => {
      await session();
    },
    call,
    waitForAction,
    logout,
    close: async () => {
      await logout();
      closed = true;
      await agent.destroy();
    },
  };
}

function describeActionError(stateData: unknown, secrets: readonly string[]): string {
  const data = isRecord(stateData) ? stateData : {};
  const info = isRecord(data.KLBLAG_ERROR_INFO) && isRecord(data.KLBLAG_ERROR_INFO.value) ? data.KLBLAG_ERROR_INFO.value : data.KLBLAG_ERROR_INFO;
  if (isRecord(info)) {
    const message = typeof info.message === 'string' ? info.message : typeof info.format === 'string' ? info.format : '';
    const code = kscInteger(info.code);
    if (message !== '') return `${redactSecrets(message, secrets)}${code === undefined ? '' : ` (KSC error ${code})`}.`;
  }
  return 'the action failed without details.';
}
