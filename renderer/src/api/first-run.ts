import type { FirstRunRequest, FirstRunResult, FirstRunStatus } from '../../../main/contract/setup.ts';
import { NetworkError, apiErrorOf } from './api-error.ts';
import { urlOf } from './http-client.ts';

// The only calls without an account: before first-run setup there is none. The one-time token the
// server printed on its terminal guards them instead.
async function call<T>(baseUrl: string, init: RequestInit, doFetch: typeof fetch): Promise<T> {
  let res: Response;
  try {
    res = await doFetch(urlOf(baseUrl, '/api/v1/setup'), { ...init, headers: { 'x-requested-with': 'XMLHttpRequest', accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) }, cache: 'no-store' });
  } catch {
    throw new NetworkError(baseUrl);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) throw apiErrorOf(res.status, body);
  return body as T;
}

export const firstRunStatus = (baseUrl: string, doFetch: typeof fetch = globalThis.fetch.bind(globalThis)) => call<FirstRunStatus>(baseUrl, { method: 'GET' }, doFetch);

export const completeFirstRun = (baseUrl: string, request: FirstRunRequest, doFetch: typeof fetch = globalThis.fetch.bind(globalThis)) =>
  call<FirstRunResult>(baseUrl, { method: 'POST', body: JSON.stringify(request) }, doFetch);
