/**
 * A thin client of the Proxmox VE HTTP API (proxmox-api.md §1–4) for the ~15 calls deployment
 * needs: `{"data": …}` envelopes, the reason phrase as the error text, ticket (+ CSRF token) or
 * API-token auth, UPID tasks polled to their end, multipart upload with a Content-Length.
 * The TLS certificate is pinned (pinned-tls.ts).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { pinnedConnector, TlsPeerError } from './pinned-tls.ts';
import { parseUpid } from './upid.ts';

export type ProxmoxAuth = { username: string; password: string } | { apiToken: string };

export type ProxmoxClientOptions = {
  address: string;
  port?: number;
  auth: ProxmoxAuth;
  fingerprint: string;
  requestTimeoutMs?: number;
  /** How often a running UPID task is polled. */
  pollMs?: number;
};

export type ProxmoxErrorKind = 'auth-failed' | 'forbidden' | 'bad-request' | 'not-found' | 'failed' | 'unreachable' | 'certificate-changed' | 'task-failed' | 'aborted';

/** An API answer >= 400, or a task that ended in error, in the server's own words. */
export class ProxmoxError extends Error {
  readonly kind: ProxmoxErrorKind;
  readonly status: number | null;
  readonly errors: Record<string, string>;
  constructor(kind: ProxmoxErrorKind, message: string, options: { status?: number; errors?: Record<string, string>; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ProxmoxError';
    this.kind = kind;
    this.status = options.status ?? null;
    this.errors = options.errors ?? {};
  }
}

type Params = Record<string, string | number | boolean | undefined>;

const form = (params: Params) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  return body.toString();
};

const kindOf = (status: number): ProxmoxErrorKind => (status === 401 ? 'auth-failed' : status === 403 ? 'forbidden' : status === 400 ? 'bad-request' : status === 501 ? 'not-found' : 'failed');

export type TaskStatus = { status: 'running' | 'stopped'; exitstatus?: string; type: string; id: string };

export class ProxmoxClient {
  readonly endpoint: string;
  readonly #base: string;
  readonly #agent: Agent;
  readonly #auth: ProxmoxAuth;
  readonly #pollMs: number;
  #ticket: { cookie: string; csrf: string; at: number } | null = null;

  constructor(options: ProxmoxClientOptions) {
    const port = options.port ?? 8006;
    this.endpoint = `${options.address}:${port}`;
    const host = options.address.includes(':') ? `[${options.address}]` : options.address;
    this.#base = `https://${host}:${port}/api2/json`;
    const timeout = options.requestTimeoutMs ?? 30_000;
    this.#agent = new Agent({ connect: pinnedConnector(options.fingerprint, timeout), headersTimeout: timeout, bodyTimeout: 0 });
    this.#auth = options.auth;
    this.#pollMs = options.pollMs ?? 500;
  }

  /** Tickets live 2 h; a fresh one is taken after 90 min rather than renewing in place. */
  async #authHeaders(write: boolean): Promise<Record<string, string>> {
    if ('apiToken' in this.#auth) return { authorization: `PVEAPIToken=${this.#auth.apiToken}` };
    if (!this.#ticket || Date.now() - this.#ticket.at > 90 * 60_000) {
      const data = (await this.#send('POST', '/access/ticket', { username: this.#auth.username, password: this.#auth.password }, {})) as { ticket: string; CSRFPreventionToken: string };
      this.#ticket = { cookie: `PVEAuthCookie=${encodeURIComponent(data.ticket)}`, csrf: data.CSRFPreventionToken, at: Date.now() };
    }
    return { cookie: this.#ticket.cookie, ...(write ? { csrfpreventiontoken: this.#ticket.csrf } : {}) };
  }

  async #send(method: string, path: string, params: Params, headers: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    const query = method === 'GET' || method === 'DELETE' ? form(params) : '';
    const url = `${this.#base}${path}${query ? `?${query}` : ''}`;
    let res;
    try {
      res = await this.#agent.request({
        origin: new URL(url).origin,
        path: new URL(url).pathname + new URL(url).search,
        method: method as 'GET',
        headers: { ...headers, ...(query === '' && method !== 'GET' && method !== 'DELETE' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(method === 'POST' || method === 'PUT' ? { body: form(params) } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      throw this.#transportError(err);
    }
    return this.#envelope(method, path, res.statusCode, (res as unknown as { statusText?: string }).statusText, await res.body.text());
  }

  #transportError(err: unknown): ProxmoxError {
    if (err instanceof ProxmoxError) return err;
    const cause = (err as { cause?: unknown })?.cause ?? err;
    if (cause instanceof TlsPeerError || err instanceof TlsPeerError) {
      const e = (cause instanceof TlsPeerError ? cause : err) as TlsPeerError;
      return new ProxmoxError(e.kind === 'certificate-changed' ? 'certificate-changed' : 'unreachable', e.message, { cause: e });
    }
    if ((err as Error)?.name === 'AbortError') return new ProxmoxError('aborted', `A Proxmox VE call to ${this.endpoint} was canceled.`, { cause: err });
    return new ProxmoxError('unreachable', `Cannot reach Proxmox VE at ${this.endpoint}: ${(err as Error)?.message ?? String(err)}.`, { cause: err });
  }

  #envelope(method: string, path: string, status: number, statusText: string | undefined, text: string): unknown {
    let body: { data?: unknown; errors?: Record<string, string>; message?: string } = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {};
    }
    if (status < 400) return body.data ?? null;
    // The reason phrase carries the message (the body's `message` exists only since 2025).
    const reason = (body.message ?? statusText ?? '').trim() || `HTTP ${status}`;
    const details = Object.entries(body.errors ?? {}).map(([k, v]) => `${k}: ${v}`).join('; ');
    const text2 = `${reason}${details ? ` (${details})` : ''}`;
    const kind = kindOf(status);
    const prefix = kind === 'auth-failed' ? `Proxmox VE at ${this.endpoint} refused the login` : `Proxmox VE at ${this.endpoint} answered ${method} ${path} with ${status}`;
    throw new ProxmoxError(kind, `${prefix}: ${text2}`, { status, errors: body.errors ?? {} });
  }

  async call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
    const headers = await this.#authHeaders(method !== 'GET');
    return (await this.#send(method, path, params, headers, signal)) as T;
  }

  /** Polls a UPID to its end; throws the task's own exit text when it did not end OK/WARNINGS. */
  async waitTask(upid: string, signal?: AbortSignal): Promise<TaskStatus> {
    const parsed = parseUpid(upid);
    if (!parsed) throw new ProxmoxError('failed', `Proxmox VE at ${this.endpoint} returned "${upid}" where a task id (UPID) was expected.`);
    for (;;) {
      if (signal?.aborted) throw new ProxmoxError('aborted', `Waiting for the Proxmox task ${parsed.type} ${parsed.id} was canceled; the task may still run on the host.`);
      const s = await this.call<TaskStatus>('GET', `/nodes/${parsed.node}/tasks/${encodeURIComponent(upid)}/status`);
      if (s.status === 'stopped') {
        const exit = s.exitstatus ?? 'unexpected status';
        if (exit === 'OK' || exit.startsWith('WARNINGS')) return s;
        throw new ProxmoxError('task-failed', `The Proxmox task ${parsed.type}${parsed.id ? ` ${parsed.id}` : ''} failed: ${exit}`);
      }
      await sleep(this.#pollMs);
    }
  }

  /** A call that answers with a UPID, waited for. */
  async run(method: 'POST' | 'PUT' | 'DELETE', path: string, params: Params = {}, signal?: AbortSignal): Promise<TaskStatus | null> {
    const upid = await this.call<string | null>(method, path, params, signal);
    return typeof upid === 'string' ? this.waitTask(upid, signal) : null;
  }

  /**
   * POST …/storage/{storage}/upload as multipart/form-data with a Content-Length (Proxmox refuses
   * chunked): the fields first, the file part last, the checksum checked by the host.
   */
  async upload(
    node: string,
    storage: string,
    options: { localPath: string; filename: string; content: 'import' | 'iso'; sha256: string; onProgress?: (sent: number, total: number) => void; signal?: AbortSignal },
  ): Promise<void> {
    const { size } = await stat(options.localPath);
    const boundary = `----lightkeeper${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
    const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const head = Buffer.from(
      field('content', options.content) + field('checksum-algorithm', 'sha256') + field('checksum', options.sha256) +
        `--${boundary}\r\nContent-Disposition: form-data; name="filename"; filename="${options.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    let sent = 0;
    const onProgress = options.onProgress;
    async function* body() {
      yield head;
      for await (const chunk of createReadStream(options.localPath, { highWaterMark: 1 << 20 })) {
        sent += (chunk as Buffer).length;
        onProgress?.(sent, size);
        yield chunk as Buffer;
      }
      yield tail;
    }
    const auth = await this.#authHeaders(false);
    let res;
    try {
      res = await this.#agent.request({
        origin: new URL(this.#base).origin,
        path: `/api2/json/nodes/${node}/storage/${storage}/upload`,
        method: 'POST',
        headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + size + tail.length) },
        body: Readable.from(body()),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (err) {
      throw this.#transportError(err);
    }
    const upid = this.#envelope('POST', `/nodes/${node}/storage/${storage}/upload`, res.statusCode, (res as unknown as { statusText?: string }).statusText, await res.body.text());
    if (typeof upid === 'string') await this.waitTask(upid, options.signal);
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
