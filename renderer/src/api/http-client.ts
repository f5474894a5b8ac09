import pRetry, { AbortError } from 'p-retry';
import { ApiError, NetworkError, UploadCancelledError, apiErrorOf } from './api-error.ts';

export type Credentials = { account: string; password: string };
export type Query = Record<string, string | number | boolean | undefined>;

export type ClientOptions = {
  /** '' means the origin that served the page (the Web Console); otherwise https://host:port. */
  baseUrl: string;
  credentials: Credentials;
  fetch?: typeof fetch;
  /** Reads are retried this many times on network errors and 502–504 (a restarting server). */
  retries?: number;
  minRetryDelayMs?: number;
};

/** `Basic base64(account:password)`, UTF-8 as the server decodes it (passwords may hold any listed character). */
export function basicAuthorization({ account, password }: Credentials): string {
  const bytes = new TextEncoder().encode(`${account}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

export function urlOf(baseUrl: string, path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return `${baseUrl.replace(/\/+$/, '')}${path}${qs ? `?${qs}` : ''}`;
}

/**
 * Sent on every request. X-Requested-With tells the server not to answer a refused sign-in with a
 * Basic challenge, which would make the browser open its own login dialog over the console.
 */
export const consoleHeaders = (authorization: string) => ({ authorization, 'x-requested-with': 'XMLHttpRequest' });

const transient = (status: number) => status >= 502 && status <= 504;

/**
 * The one place that talks HTTP: the auth header, the error shape, retries. Only reads are retried;
 * a POST that may have reached the server is never sent twice (it could start a second task).
 */
export function createHttpClient(options: ClientOptions) {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let authorization = basicAuthorization(options.credentials);

  async function once<T>(method: string, url: string, body: unknown, signal?: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers: { ...consoleHeaders(authorization), accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
        cache: 'no-store',
      });
    } catch (e) {
      if (signal?.aborted) throw new AbortError(e instanceof Error ? e : String(e));
      throw new NetworkError(options.baseUrl);
    }
    const text = await res.text();
    const json: unknown = text ? safeJson(text) : undefined;
    if (!res.ok) throw apiErrorOf(res.status, json);
    return json as T;
  }

  async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, init: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    const url = urlOf(options.baseUrl, path, init.query);
    if (method !== 'GET') return once<T>(method, url, init.body, init.signal);
    return pRetry(() => once<T>(method, url, undefined, init.signal), {
      retries: options.retries ?? 3,
      minTimeout: options.minRetryDelayMs ?? 500,
      maxTimeout: 5_000,
      shouldRetry: ({ error }) => error instanceof NetworkError || (error instanceof ApiError && transient(error.status)),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  }

  return {
    baseUrl: options.baseUrl,
    /** Read at every request, and by the live stream at every reconnect. */
    get authorization() {
      return authorization;
    },
    /** The signed-in account's password was changed: later requests use the new one. */
    useCredentials(credentials: Credentials): void {
      authorization = basicAuthorization(credentials);
    },
    fetch: doFetch,
    get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { ...(query ? { query } : {}), ...(signal ? { signal } : {}) }),
    post: <T>(path: string, body?: unknown) => request<T>('POST', path, body === undefined ? {} : { body }),
    patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
    put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
    del: <T>(path: string, query?: Query) => request<T>('DELETE', path, query ? { query } : {}),
    /**
     * A multipart upload (an SVM image: gigabytes), never retried. XMLHttpRequest, not fetch: only
     * it reports how much of the body has been sent.
     */
    upload<T>(path: string, form: FormData, onProgress?: (sent: number, total: number) => void, signal?: AbortSignal): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', urlOf(options.baseUrl, path));
        for (const [name, value] of Object.entries({ ...consoleHeaders(authorization), accept: 'application/json' })) xhr.setRequestHeader(name, value);
        if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
        xhr.onload = () => {
          const json = xhr.responseText ? safeJson(xhr.responseText) : undefined;
          if (xhr.status >= 200 && xhr.status < 300) resolve(json as T);
          else reject(apiErrorOf(xhr.status, json));
        };
        xhr.onerror = () => reject(new NetworkError(options.baseUrl));
        xhr.onabort = () => reject(new UploadCancelledError());
        signal?.addEventListener('abort', () => xhr.abort(), { once: true });
        xhr.send(form);
      });
    },
    /** A file the server makes (CSV, reports): fetched with the credentials, handed over as a Blob. */
    async download(path: string, query?: Query): Promise<Blob> {
      let res: Response;
      try {
        res = await doFetch(urlOf(options.baseUrl, path, query), { headers: consoleHeaders(authorization), cache: 'no-store' });
      } catch {
        throw new NetworkError(options.baseUrl);
      }
      if (!res.ok) throw apiErrorOf(res.status, await res.json().catch(() => undefined));
      return res.blob();
    },
  };
}
export type HttpClient = ReturnType<typeof createHttpClient>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
