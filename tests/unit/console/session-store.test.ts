import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { configureSession, useSessionStore } from '../../../renderer/src/features/connect/session-store.ts';
import { sessionPersistence, type KeyValueStore } from '../../../renderer/src/features/connect/session-persistence.ts';
import { checkServerAddress } from '../../../renderer/src/features/connect/connect-target.ts';
import { fakeFetch, json } from './fake-server.ts';

function memoryStorage(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

const serverWith = (password: string) =>
  fakeFetch({
    'GET /api/v1/health': (req) =>
      req.headers.get('authorization') === `Basic ${btoa(`admin:${password}`)}`
        ? json({ status: 'ok', version: '0.1.0', schemaVersion: 3 })
        : json({ statusCode: 401, code: 'UNAUTHENTICATED', error: 'Unauthorized', message: 'x' }, 401),
    'GET /api/v1/openapi.json': () => json({ paths: { '/api/v1/tenants': {}, '/api/v1/tasks': {} } }),
  });

beforeEach(() => setActivePinia(createPinia()));

describe('signing in', () => {
  it('keeps the session for this tab only, learns which APIs the server has, and forgets it on sign-out', async () => {
    const storage = memoryStorage();
    configureSession({ fetch: serverWith('right').fetch, persistence: sessionPersistence(storage) });
    const session = useSessionStore();
    expect(await session.connect('', { account: 'admin', password: 'right' })).toBe(true);
    expect(session).toMatchObject({ status: 'signed-in', account: 'admin', health: { schemaVersion: 3 } });
    expect(session.hasApi('/api/v1/tenants')).toBe(true);
    expect(session.hasApi('/api/v1/svms')).toBe(false);
    expect([...storage.data.values()][0]).toContain('right');

    setActivePinia(createPinia()); // a reload: a new page, the same tab
    expect(await useSessionStore().restore()).toBe(true);

    useSessionStore().signOut();
    expect(storage.data.size).toBe(0);
  });

  it('says the password is wrong and keeps nothing', async () => {
    const storage = memoryStorage();
    configureSession({ fetch: serverWith('right').fetch, persistence: sessionPersistence(storage) });
    const session = useSessionStore();
    expect(await session.connect('', { account: 'admin', password: 'wrong' })).toBe(false);
    expect(session.status).toBe('signed-out');
    expect(session.error).toMatch(/password is wrong/);
    expect(storage.data.size).toBe(0);
  });

  it('refuses another server than the page came from, saying where to go instead', () => {
    const page = 'https://lk.example:7271';
    expect(checkServerAddress('https://lk.example:7271/', page)).toEqual({ baseUrl: '' });
    expect(checkServerAddress('lk.example:7271', page)).toEqual({ baseUrl: '' });
    expect(checkServerAddress('http://lk.example:7271', page)).toEqual({ problem: expect.stringMatching(/HTTPS only/) });
    expect(checkServerAddress('https://other:7271', page)).toEqual({ problem: expect.stringMatching(/open https:\/\/other:7271\/ in the browser/) });
    expect(checkServerAddress('https://bad host', page)).toEqual({ problem: expect.stringMatching(/not a server address/) });
  });
});
