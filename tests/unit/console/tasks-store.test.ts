import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Task } from '../../../main/contract/tasks.ts';
import { configureSession, useSessionStore } from '../../../renderer/src/features/connect/session-store.ts';
import { sessionPersistence } from '../../../renderer/src/features/connect/session-persistence.ts';
import { useLiveStore } from '../../../renderer/src/features/live/live-store.ts';
import { TASK_WINDOW, useTasksStore } from '../../../renderer/src/features/tasks/tasks-store.ts';
import { fakeFetch, json, type Route } from './fake-server.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 12, minute)).toISOString();
const task = (n: number, over: Partial<Task> = {}): Task => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'SelfTest',
  state: 'Completed',
  stage: 'Completed',
  progress: 100,
  parentId: null,
  createdBy: 'admin',
  created: at(n),
  stateChanged: at(n),
  changed: at(n),
  result: null,
  error: null,
  ...over,
});

async function signedIn(routes: Record<string, Route>) {
  const server = fakeFetch({
    'GET /api/v1/health': () => json({ status: 'ok', version: '0.1.0', schemaVersion: 1 }),
    'GET /api/v1/openapi.json': () => json({ paths: { '/api/v1/tasks': {} } }),
    ...routes,
  });
  configureSession({ fetch: server.fetch, persistence: sessionPersistence(undefined) });
  expect(await useSessionStore().connect('', { account: 'admin', password: 'pw' })).toBe(true);
  return server;
}

beforeEach(() => setActivePinia(createPinia()));

describe('the tasks store', () => {
  it('loads the newest window of tasks, newest first, though the API lists oldest first', async () => {
    const all = Array.from({ length: 5 }, (_, i) => task(i + 1));
    const server = await signedIn({
      'GET /api/v1/tasks': (req) => {
        const q = new URLSearchParams(req.search);
        const limit = Number(q.get('limit')), offset = Number(q.get('offset') ?? 0);
        return json({ items: all.slice(offset, offset + limit), total: all.length });
      },
    });
    const tasks = useTasksStore();
    await tasks.load();
    expect(tasks.rows.map((t) => t.created)).toEqual([at(5), at(4), at(3), at(2), at(1)]);
    expect(tasks.total).toBe(5);
    expect(server.sent.filter((s) => s.path === '/api/v1/tasks').map((s) => s.search)).toEqual(['?limit=1', `?limit=${TASK_WINDOW}&offset=0`]);
  });

  it('applies task.changed events, and an older copy never overwrites a newer one', async () => {
    await signedIn({ 'GET /api/v1/tasks': () => json({ items: [task(1, { state: 'Running', progress: 10, changed: at(1) })], total: 1 }) });
    const tasks = useTasksStore();
    await tasks.load();
    const live = useLiveStore();
    live.dispatch({ name: 'task.changed', data: task(1, { state: 'Running', progress: 60, changed: at(3) }) });
    live.dispatch({ name: 'task.changed', data: task(1, { state: 'Running', progress: 40, changed: at(2) }) });
    expect(tasks.rows[0]).toMatchObject({ progress: 60 });
    live.dispatch({ name: 'task.changed', data: task(2, { state: 'Queued', progress: 0 }) });
    expect(tasks.total).toBe(2);
    expect(tasks.active.map((t) => t.state)).toEqual(['Queued', 'Running']);
    expect(tasks.countByState).toMatchObject({ Running: 1, Queued: 1, Completed: 0 });
  });

  it('filters by state and searches type, stage or id', async () => {
    await signedIn({ 'GET /api/v1/tasks': () => json({ items: [task(1), task(2, { state: 'Failed', stage: 'Failed', type: 'CreateTenant' })], total: 2 }) });
    const tasks = useTasksStore();
    await tasks.load();
    tasks.stateFilter = 'Failed';
    expect(tasks.rows.map((t) => t.type)).toEqual(['CreateTenant']);
    tasks.stateFilter = null;
    tasks.search = 'selftest';
    expect(tasks.rows.map((t) => t.type)).toEqual(['SelfTest']);
  });

  it('says in words what a cancel did, or why it was refused', async () => {
    let answer: Response = json(task(1, { state: 'Stopping' }), 202);
    await signedIn({
      'GET /api/v1/tasks': () => json({ items: [], total: 0 }),
      'POST /api/v1/tasks/t-1/cancel': () => answer,
    });
    const tasks = useTasksStore();
    expect(await tasks.cancel('t-1')).toEqual({ ok: true, message: expect.stringMatching(/stopping at its next safe point/) });
    answer = json({ statusCode: 409, code: 'TASK_FINISHED', error: 'Conflict', message: 'The task has already finished (Completed).' }, 409);
    expect(await tasks.cancel('t-1')).toEqual({ ok: false, message: 'The task has already finished (Completed).' });
    answer = json({ statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: "The account 'viewer' may not use this part of the API." }, 403);
    expect((await tasks.cancel('t-1')).message).toMatch(/Sign in as admin/);
  });

  it('shows a load failure as a sentence and keeps what it had', async () => {
    await signedIn({ 'GET /api/v1/tasks': () => json({ statusCode: 500, code: 'INTERNAL_ERROR', error: 'x', message: 'Internal error; see the server log, request r-1.' }, 500) });
    const tasks = useTasksStore();
    await tasks.load();
    expect(tasks.error).toBe('The server failed (500): Internal error; see the server log, request r-1..');
    expect(tasks.loaded).toBe(false);
  });
});
