import { expect } from 'vitest';
import { configureSession, useSessionStore } from '../../../renderer/src/features/connect/session-store.ts';
import { sessionPersistence } from '../../../renderer/src/features/connect/session-persistence.ts';
import { fakeFetch, json, type Route } from './fake-server.ts';

/** A session signed in against scripted routes (health and openapi.json are answered for it). */
export async function signedIn(routes: Record<string, Route>, paths: string[] = []) {
  const server = fakeFetch({
    'GET /api/v1/health': () => json({ status: 'ok', version: '0.1.0', schemaVersion: 1 }),
    'GET /api/v1/openapi.json': () => json({ paths: Object.fromEntries(paths.map((p) => [p, {}])) }),
    ...routes,
  });
  configureSession({ fetch: server.fetch, persistence: sessionPersistence(undefined) });
  expect(await useSessionStore().connect('', { account: 'admin', password: 'pw' })).toBe(true);
  return server;
}
