/**
 * An Administration Server (Kaspersky Security Center) simulator that speaks KSC OpenAPI
 * (ksc-openapi.md §1–§4) over HTTPS with a self-signed certificate: KSCBasic login through
 * `Session.StartSession`, `X-KSC-Session` tokens, `PxgRetVal` / `PxgError` answers, asynchronous
 * actions polled with `AsyncActionStateChecker.CheckActionState`, and the model of ksc-sim-state.ts.
 *
 * For tests it can be told to fail any call (`failNext`, `failOn`: a `PxgError`, an action that
 * finishes unsuccessfully, a call that never answers, a dropped connection), to end all sessions,
 * and it shows its whole state as a plain `snapshot()` for exact before/after comparison.
 */
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { generate } from 'selfsigned';
import {
  createKscSimState,
  KSC_SIM_RIGHTS,
  SIM_ERRORS,
  SimPxgError,
  type KscSimRight,
  type KscSimSnapshot,
  type PxgErrorBody,
  type SimActionEffect,
  type SimPrincipal,
} from './ksc-sim-state.ts';

export type { KscSimRight, KscSimSnapshot } from './ksc-sim-state.ts';

export interface KscSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The main administrator's internal account. */
  user: string;
  password: string;
  /** Further internal accounts on the main server with only some rights, to test `test()`. */
  operators?: Array<{ user: string; password: string; rights: readonly KscSimRight[] }>;
  /** Default 500, as documented for one Administration Server. */
  maxVirtualServers?: number;
  /** How long an asynchronous action runs before it is finalized. Default 0. */
  actionDelayMs?: number;
}

/**
 * How an injected fault shows:
 * - `error`: the call answers a `PxgError` and changes nothing;
 * - `action-fails`: an asynchronous call returns its `strActionGuid`, but the action finishes
 *   unsuccessfully and changes nothing (for other calls this is `error`);
 * - `hang`: the call is never answered;
 * - `drop`: the connection is closed without an answer, and the call is not executed;
 * - `lose-answer`: the call is executed, then the connection is closed without an answer.
 */
export type KscSimFaultMode = 'error' | 'action-fails' | 'hang' | 'drop' | 'lose-answer';

export interface KscSimFault {
  mode?: KscSimFaultMode;
  error?: { code?: number; module?: string; message?: string };
  /** How many calls fail; default: every call until `clearFaults()`. */
  times?: number;
  /** How many calls of the method still succeed before the fault starts; default 0. */
  after?: number;
}

export interface KscSimCall {
  method: string;
  /** `ok`, or what the simulator answered instead. */
  outcome: 'ok' | 'pxg-error' | 'unauthorized' | 'forbidden' | KscSimFaultMode;
}

export interface KscSimulator {
  /** `https://host:port` */
  url: string;
  host: string;
  port: number;
  /** SHA-256 of the certificate, `AB:CD:…`: what the connector pins. */
  fingerprint: string;
  /** The current state (a copy). */
  state(): KscSimSnapshot;
  /** The same as `state()`, named for before/after comparisons. */
  snapshot(): KscSimSnapshot;
  failOn(method: string, fault?: KscSimFault): void;
  /** Fails the next call of `method` with a `PxgError`. */
  failNext(method: string, error?: KscSimFault['error']): void;
  clearFaults(): void;
  /** Every call received since the start (or `clearCalls()`), in order. */
  calls(): KscSimCall[];
  clearCalls(): void;
  /** Ends every session, as a server restart would; the next call with an old token gets 403. */
  expireSessions(): void;
  stop(): Promise<void>;
}

interface PendingAction {
  token: string;
  outcome: { ok: true } | { ok: false; error: PxgErrorBody } | null;
  readyAt: number;
  timer: NodeJS.Timeout | null;
}

interface ActiveFault {
  mode: KscSimFaultMode;
  error: KscSimFault['error'];
  remaining: number;
  passes: number;
}

const ASYNC_METHODS = new Set(['HostGroup.RemoveGroup', 'VServers.DelVServer']);

/** `KSCBasic user="<b64>", pass="<b64>", internal="1"` → its fields, decoded. */
function parseKscBasic(header: string | undefined): { user: string; pass: string; internal: string } | null {
  if (!header || !/^KSCBasic\s/i.test(header)) return null;
  const fields = new Map<string, string>();
  for (const match of header.slice(9).matchAll(/([A-Za-z]+)\s*=\s*"([^"]*)"/g)) fields.set(match[1]!.toLowerCase(), match[2]!);
  const user = fields.get('user');
  const pass = fields.get('pass');
  if (user === undefined || pass === undefined) return null;
  const decode = (v: string): string => Buffer.from(v, 'base64').toString('utf8');
  return { user: decode(user), pass: decode(pass), internal: fields.get('internal') ?? '1' };
}

export async function startKscSimulator(options: KscSimulatorOptions): Promise<KscSimulator> {
  const host = options.host ?? '127.0.0.1';
  const actionDelayMs = options.actionDelayMs ?? 0;
  const state = createKscSimState({
    maxVirtualServers: options.maxVirtualServers ?? 500,
    accounts: [
      { name: options.user, password: options.password, rights: KSC_SIM_RIGHTS },
      ...(options.operators ?? []).map((o) => ({ name: o.user, password: o.password, rights: o.rights })),
    ],
  });
  const pems = await generate([{ name: 'commonName', value: 'ksc-simulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
  });
  const fingerprint = new X509Certificate(pems.cert).fingerprint256;

  const sessions = new Map<string, SimPrincipal>();
  const actions = new Map<string, PendingAction>();
  const faults = new Map<string, ActiveFault>();
  const received: KscSimCall[] = [];

  const app = Fastify({ https: { key: pems.private, cert: pems.cert }, logger: false, forceCloseConnections: true, bodyLimit: 1 << 20 });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, {});
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new SimPxgError(1168, 'KLSTD', 'Invalid argument: the request body is not JSON', 400), undefined);
    }
  });

  const sendPxg = (reply: FastifyReply, error: SimPxgError): FastifyReply =>
    reply.code(error.httpStatus).send({ PxgError: error.body });

  const takeFault = (method: string): ActiveFault | null => {
    const fault = faults.get(method);
    if (!fault) return null;
    if (fault.passes > 0) {
      fault.passes -= 1;
      return null;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.delete(method);
    return fault;
  };

  const injectedError = (method: string, fault: ActiveFault): SimPxgError =>
    new SimPxgError(fault.error?.code ?? 1500, fault.error?.module ?? 'KLSIM', fault.error?.message ?? `Injected failure of ${method}`);

  /**
   * Answers per the fault's mode: `handled` (answered or dropped), a never-settling promise (hang),
   * or what the normal handling has to do differently (`action-fails`, `lose-answer`).
   */
  const applyFault = (
    method: string,
    reply: FastifyReply,
    fault: ActiveFault,
  ): Promise<void> | 'handled' | 'action-fails' | 'lose-answer' => {
    switch (fault.mode) {
      case 'lose-answer':
        return 'lose-answer';
      case 'hang':
        received.push({ method, outcome: 'hang' });
        return new Promise<void>(() => undefined);
      case 'drop':
        received.push({ method, outcome: 'drop' });
        reply.hijack();
        reply.raw.socket?.destroy();
        return 'handled';
      case 'action-fails':
        if (ASYNC_METHODS.has(method)) return 'action-fails';
        break;
      case 'error':
        break;
    }
    received.push({ method, outcome: 'pxg-error' });
    sendPxg(reply, injectedError(method, fault));
    return 'handled';
  };

  const loseAnswer = (method: string, reply: FastifyReply): FastifyReply => {
    received.push({ method, outcome: 'lose-answer' });
    reply.hijack();
    reply.raw.socket?.destroy();
    return reply;
  };

  const finishAction = (guid: string, effect: SimActionEffect | null, failure: SimPxgError | null): void => {
    const action = actions.get(guid);
    if (!action) return;
    action.timer = null;
    if (failure) {
      action.outcome = { ok: false, error: failure.body };
      return;
    }
    try {
      effect?.();
      action.outcome = { ok: true };
    } catch (error) {
      const pxg = error instanceof SimPxgError ? error : new SimPxgError(1500, 'KLSIM', String(error));
      action.outcome = { ok: false, error: pxg.body };
    }
  };

  const startAction = (token: string, effect: SimActionEffect | null, failure: SimPxgError | null): string => {
    const guid = `{${randomUUID().toUpperCase()}}`;
    const action: PendingAction = { token, outcome: null, readyAt: Date.now() + actionDelayMs, timer: null };
    actions.set(guid, action);
    if (actionDelayMs === 0) finishAction(guid, effect, failure);
    else {
      action.timer = setTimeout(() => finishAction(guid, effect, failure), actionDelayMs);
      action.timer.unref();
    }
    return guid;
  };

  const checkActionState = (args: Record<string, unknown>, token: string): Record<string, unknown> => {
    const guid = args.wstrActionGuid;
    const action = typeof guid === 'string' ? actions.get(guid) : undefined;
    // An action can only be polled on the session that started it, and only until it is finalized.
    if (typeof guid !== 'string' || !action || action.token !== token) throw SIM_ERRORS.notFound(`Action ${String(guid)}`);
    if (action.outcome === null) {
      return {
        bFinalized: false,
        bSuccededFinalized: false,
        lStateCode: 0,
        pStateData: {},
        lNextCheckDelay: Math.max(1, Math.min(1000, action.readyAt - Date.now())),
      };
    }
    actions.delete(guid);
    return {
      bFinalized: true,
      bSuccededFinalized: action.outcome.ok,
      lStateCode: action.outcome.ok ? 1 : 0,
      pStateData: action.outcome.ok ? {} : { KLBLAG_ERROR_INFO: action.outcome.error },
      lNextCheckDelay: 0,
    };
  };

  app.post('/api/v1.0/:method', async (request: FastifyRequest<{ Params: { method: string } }>, reply) => {
    const method = request.params.method;
    const args: Record<string, unknown> =
      typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};

    if (method === 'Session.StartSession') {
      const fault = takeFault(method);
      const handled = fault ? applyFault(method, reply, fault) : null;
      if (handled === 'handled') return reply;
      if (handled instanceof Promise) return handled;
      const credentials = parseKscBasic(request.headers.authorization);
      const vServerHeader = request.headers['x-ksc-vserver'];
      const vServerUid = typeof vServerHeader === 'string' && vServerHeader !== 'x' ? vServerHeader : '';
      const principal =
        credentials && credentials.internal === '1' ? state.authenticate(credentials.user, credentials.pass, vServerUid) : null;
      if (!principal) {
        received.push({ method, outcome: 'unauthorized' });
        return reply.code(401).header('www-authenticate', 'KSCBasic').send();
      }
      const token = randomBytes(24).toString('base64url');
      sessions.set(token, principal);
      if (handled === 'lose-answer') return loseAnswer(method, reply);
      received.push({ method, outcome: 'ok' });
      return reply.send({ PxgRetVal: token });
    }

    const tokenHeader = request.headers['x-ksc-session'];
    const token = typeof tokenHeader === 'string' ? tokenHeader : undefined;
    if (token === undefined) {
      received.push({ method, outcome: 'unauthorized' });
      return reply.code(401).send();
    }
    const principal = sessions.get(token);
    if (!principal) {
      received.push({ method, outcome: 'forbidden' });
      return reply.code(403).send();
    }

    const fault = takeFault(method);
    const handled = fault ? applyFault(method, reply, fault) : null;
    if (handled === 'handled') return reply;
    if (handled instanceof Promise) return handled;
    const failAction = handled === 'action-fails';
    const answer = (body: Record<string, unknown>): FastifyReply => {
      if (handled === 'lose-answer') return loseAnswer(method, reply);
      received.push({ method, outcome: 'ok' });
      return reply.send(body);
    };

    try {
      if (method === 'Session.EndSession') {
        sessions.delete(token);
        return answer({});
      }
      if (method === 'Session.Ping') return answer({});
      if (method === 'AsyncActionStateChecker.CheckActionState') return answer(checkActionState(args, token));
      const result = state.call(method, args, principal);
      if (result.kind === 'action') {
        const failure = failAction && fault ? injectedError(method, fault) : null;
        return answer({ strActionGuid: startAction(token, failure ? null : result.effect, failure) });
      }
      return answer(result.body);
    } catch (error) {
      if (!(error instanceof SimPxgError)) throw error;
      received.push({ method, outcome: 'pxg-error' });
      return sendPxg(reply, error);
    }
  });

  app.setNotFoundHandler((request, reply) => {
    received.push({ method: request.url, outcome: 'pxg-error' });
    return sendPxg(reply, SIM_ERRORS.methodNotFound(request.url));
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof SimPxgError) return sendPxg(reply, error);
    return sendPxg(reply, new SimPxgError(1500, 'KLSIM', error instanceof Error ? error.message : String(error)));
  });

  await app.listen({ port: options.port ?? 0, host });
  const port = (app.server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `https://${urlHost}:${port}`,
    host,
    port,
    fingerprint,
    state: () => state.snapshot(),
    snapshot: () => state.snapshot(),
    failOn: (method, fault = {}) => {
      faults.set(method, {
        mode: fault.mode ?? 'error',
        error: fault.error,
        remaining: fault.times ?? Number.POSITIVE_INFINITY,
        passes: fault.after ?? 0,
      });
    },
    failNext: (method, error) => {
      faults.set(method, { mode: 'error', error, remaining: 1, passes: 0 });
    },
    clearFaults: () => faults.clear(),
    calls: () => received.map((c) => ({ ...c })),
    clearCalls: () => {
      received.length = 0;
    },
    expireSessions: () => {
      // Actions keep running on the server; only their old session can no longer poll them.
      sessions.clear();
    },
    stop: async () => {
      for (const action of actions.values()) if (action.timer) clearTimeout(action.timer);
      actions.clear();
      await app.close();
    },
  };
}
