import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError, apiErrorOf } from '../../../renderer/src/api/api-error.ts';
import { basicAuthorization, createHttpClient } from '../../../renderer/src/api/http-client.ts';
import { fakeFetch, json } from './fake-server.ts';

const credentials = { account: 'admin', password: 'pä:ss' };

describe('the console HTTP client', () => {
  it('sends Basic credentials as UTF-8, the way the server decodes them, and marks its requests', async () => {
    expect(basicAuthorization(credentials)).toBe('Basic YWRtaW46cMOkOnNz'); // base64 of the UTF-8 bytes
    const server = fakeFetch({ 'GET /api/v1/health': () => json({ status: 'ok' }) });
    await createHttpClient({ baseUrl: '', credentials, fetch: server.fetch }).get('/api/v1/health');
    expect(server.sent[0]!.headers.get('authorization')).toBe(basicAuthorization(credentials));
    expect(server.sent[0]!.headers.get('x-requested-with')).toBe('XMLHttpRequest');
  });

  it('turns error answers into sentences that say what to do', () => {
    expect(apiErrorOf(401, { statusCode: 401, code: 'UNAUTHENTICATED', error: 'Unauthorized', message: 'x' }).message).toMatch(/password is wrong.*accounts passwd/);
    expect(apiErrorOf(403, { statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: "The account 'viewer' may not use this part of the API." }).message).toMatch(/viewer.*Sign in as admin/);
    expect(apiErrorOf(403, { statusCode: 403, code: 'SETUP_TOKEN_WRONG', error: 'Forbidden', message: 'That is not the setup token.' }).message).toBe('That is not the setup token.');
    expect(apiErrorOf(429, { statusCode: 429, code: 'LOGIN_THROTTLED', error: 'x', message: 'try again in 30 s.' }).message).toBe('try again in 30 s.');
    expect(apiErrorOf(500, undefined).message).toMatch(/server failed \(500\)/);
    expect(apiErrorOf(409, { statusCode: 409, code: 'TASK_FINISHED', error: 'Conflict', message: 'The task has already finished (Completed).' })).toMatchObject({ code: 'TASK_FINISHED', status: 409 });
  });

  it('retries a read after a network error and a 503, then succeeds', async () => {
    let calls = 0;
    const server = fakeFetch({
      'GET /api/v1/tasks': () => {
        calls++;
        if (calls === 1) throw new TypeError('fetch failed');
        if (calls === 2) return json({ statusCode: 503, code: 'X', error: 'x', message: 'starting' }, 503);
        return json({ items: [], total: 0 });
      },
    });
    const client = createHttpClient({ baseUrl: '', credentials, fetch: server.fetch, minRetryDelayMs: 1 });
    expect(await client.get('/api/v1/tasks', { limit: 5, state: undefined })).toEqual({ items: [], total: 0 });
    expect(calls).toBe(3);
    expect(server.sent[0]!.search).toBe('?limit=5');
  });

  it('names the server it cannot reach once the retries are spent', async () => {
    const server = fakeFetch({ 'GET /api/v1/health': () => Promise.reject(new TypeError('fetch failed')) });
    const client = createHttpClient({ baseUrl: 'https://lk.example:7271', credentials, fetch: server.fetch, retries: 1, minRetryDelayMs: 1 });
    const e = await client.get('/api/v1/health').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetworkError);
    expect((e as Error).message).toContain('https://lk.example:7271');
    expect(server.sent).toHaveLength(2);
  });

  it('never retries a refused sign-in or a POST', async () => {
    const server = fakeFetch({
      'GET /api/v1/health': () => json({ statusCode: 401, code: 'UNAUTHENTICATED', error: 'x', message: 'x' }, 401),
      'POST /api/v1/diagnostics/self-test-task': () => Promise.reject(new TypeError('fetch failed')),
    });
    const client = createHttpClient({ baseUrl: '', credentials, fetch: server.fetch, minRetryDelayMs: 1 });
    await expect(client.get('/api/v1/health')).rejects.toBeInstanceOf(ApiError);
    await expect(client.post('/api/v1/diagnostics/self-test-task', { steps: 1 })).rejects.toBeInstanceOf(NetworkError);
    expect(server.sent.map((s) => s.method)).toEqual(['GET', 'POST']);
  });
});
