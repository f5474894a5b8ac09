import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Task } from '../../main/contract/tasks.ts';
import { dataFolder } from '../../main/store/data-folder.ts';
import { fileDataKeyProvider } from '../../main/store/data-key.ts';
import { openStore, type Store } from '../../main/store/store.ts';
import { createEventBus } from '../../main/services/event-bus.ts';
import { createLogger } from '../../main/services/logger.ts';
import { selfTestTask, SELF_TEST_TASK } from '../../main/services/self-test-task.ts';
import { createTaskEngine, TaskError, type TaskEngine } from '../../main/services/task-engine.ts';
import { tempDir } from '../support/lightkeeper-process.ts';

const log = createLogger({});
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

async function setup(concurrency = 4, dir = tempDir()) {
  const folder = dataFolder(dir);
  const store = await openStore(folder, fileDataKeyProvider(folder.dataKey), { create: true });
  stores.push(store);
  const events = createEventBus();
  const seen: Task[] = [];
  events.subscribe((e) => {
    if (e.name === 'task.changed') seen.push(e.data);
  });
  const engine = createTaskEngine({ repo: store.tasks, events, log, now: () => new Date(), newId: randomUUID, concurrency });
  engine.register(selfTestTask(store.diagnosticMarks));
  return { store, engine, seen, dir };
}

/** Like kill -9 for an engine: its database goes away mid-work, nothing is wound down. */
function crash(store: Store) {
  store.close();
  stores.splice(stores.indexOf(store), 1);
}

const selfTest = (engine: TaskEngine, p: { steps: number; stepMilliseconds: number; failAtStep?: number; resumable?: boolean }) =>
  engine.submit(SELF_TEST_TASK, { resumable: false, ...p }, 'admin');

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the task engine', () => {
  it('runs every step in order, reports progress, and completes with a result', async () => {
    const { engine, store, seen } = await setup();
    engine.start();
    const task = await selfTest(engine, { steps: 3, stepMilliseconds: 30 });
    const done = await engine.waitUntilFinished(task.id);
    expect(done).toMatchObject({ state: 'Completed', progress: 100, result: { steps: 3 }, error: null });
    expect(await store.diagnosticMarks.count(task.id)).toBe(3);
    const states = seen.filter((t) => t.id === task.id).map((t) => t.state);
    expect([...new Set(states)]).toEqual(['Queued', 'Starting', 'Running', 'Completed']);
    const progress = seen.filter((t) => t.id === task.id && t.state === 'Running').map((t) => t.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
  });

  it('on a failing step undoes the finished steps in reverse and fails with the step error code', async () => {
    const { engine, store } = await setup();
    engine.start();
    const task = await selfTest(engine, { steps: 4, stepMilliseconds: 10, failAtStep: 3 });
    const done = await engine.waitUntilFinished(task.id);
    expect(done.state).toBe('Failed');
    expect(done.error?.code).toBe('SELF_TEST_FAILURE');
    expect(done.error?.message).toMatch(/step 3 failed.*2 finished steps rolled back/);
    expect(await store.diagnosticMarks.count(task.id)).toBe(0);
  });

  it('cancels a queued task at once (the vendor 200)', async () => {
    const { engine } = await setup(1);
    engine.start();
    const first = await selfTest(engine, { steps: 2, stepMilliseconds: 200 });
    const second = await selfTest(engine, { steps: 2, stepMilliseconds: 200 });
    const r = await engine.cancel(second.id);
    expect(r.outcome).toBe('canceled');
    expect((await engine.get(second.id))!.state).toBe('Canceled');
    await engine.waitUntilFinished(first.id);
  });

  it('stops a running task (the vendor 202 → Stopping), undoes what it did, and ends Canceled', async () => {
    const { engine, store } = await setup();
    engine.start();
    const task = await selfTest(engine, { steps: 5, stepMilliseconds: 100 });
    await until(async () => (await store.diagnosticMarks.count(task.id)) >= 2, 'two finished steps');
    const r = await engine.cancel(task.id);
    expect(r.outcome).toBe('stopping');
    expect(r.outcome !== 'not-found' && r.task.state).toBe('Stopping');
    const done = await engine.waitUntilFinished(task.id);
    expect(done.state).toBe('Canceled');
    expect(done.error?.code).toBe('TASK_CANCELED');
    expect(await store.diagnosticMarks.count(task.id)).toBe(0);
  });

  it('refuses to cancel a finished task (409) and does not know an unknown one (404)', async () => {
    const { engine } = await setup();
    engine.start();
    const task = await selfTest(engine, { steps: 1, stepMilliseconds: 0 });
    await engine.waitUntilFinished(task.id);
    expect((await engine.cancel(task.id)).outcome).toBe('finished');
    expect((await engine.cancel(randomUUID())).outcome).toBe('not-found');
  });

  it('never runs more tasks at once than its limit', async () => {
    const { engine, seen } = await setup(3);
    engine.start();
    const tasks = await Promise.all(Array.from({ length: 10 }, () => selfTest(engine, { steps: 1, stepMilliseconds: 40 })));
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, engine.runningCount())), 2);
    await Promise.all(tasks.map((t) => engine.waitUntilFinished(t.id)));
    clearInterval(timer);
    expect(peak).toBe(3);
    expect(seen.filter((t) => t.state === 'Completed')).toHaveLength(10);
  });

  it('runs a child task for its parent; a child cannot be cancelled on its own', async () => {
    const { engine, store } = await setup(1);
    let childId = '';
    engine.register<{ n: number }>({
      type: 'Parent',
      resumable: () => false,
      steps: () => [
        {
          name: 'run child',
          async run(ctx) {
            const run = ctx.runChild(SELF_TEST_TASK, { steps: 2, stepMilliseconds: 50, resumable: false });
            await until(async () => (await store.tasks.list({ type: SELF_TEST_TASK })).total === 1, 'child created');
            childId = (await store.tasks.list({ type: SELF_TEST_TASK })).items[0]!.id;
            expect((await engine.cancel(childId)).outcome).toBe('child-task');
            ctx.setResult(await run);
          },
        },
      ],
    });
    engine.start();
    const parent = await engine.submit('Parent', { n: 1 }, 'admin');
    const done = await engine.waitUntilFinished(parent.id);
    expect(done).toMatchObject({ state: 'Completed', result: { steps: 2 } });
    expect((await engine.get(childId))!.parentId).toBe(parent.id);
  });

  it('keeps a TaskError code and message for the vendor <error>', async () => {
    const { engine } = await setup();
    engine.register({ type: 'Boom', resumable: () => false, steps: () => [{ name: 'boom', run: async () => { throw new TaskError('KSC_ServiceNotConfigured', 'No Administration Server is configured.'); } }] });
    engine.start();
    const done = await engine.waitUntilFinished((await engine.submit('Boom', {}, 'admin')).id);
    expect(done.error).toEqual({ code: 'KSC_ServiceNotConfigured', message: expect.stringContaining('No Administration Server is configured.') });
  });
});

describe('after the server stopped mid-task', () => {
  it('rolls back an interrupted task and fails it with a clear error; nothing stays in flight', async () => {
    const first = await setup(8);
    first.engine.start();
    const tasks = await Promise.all(Array.from({ length: 8 }, () => selfTest(first.engine, { steps: 10, stepMilliseconds: 100 })));
    await until(async () => (await first.store.diagnosticMarks.count()) >= 16, 'steps finished');
    crash(first.store);
    const second = await setup(8, first.dir);
    const counts = await second.engine.recover();
    expect(counts.rolledBack).toBe(8);
    for (const t of tasks) {
      const after = (await second.engine.get(t.id))!;
      expect(after.state).toBe('Failed');
      expect(after.error?.code).toBe('TASK_INTERRUPTED');
      expect(after.error?.message).toMatch(/server stopped while this task was running \(step 'Self-test step \d+ of 10'\)/);
    }
    expect(await second.store.diagnosticMarks.count()).toBe(0);
  });

  it('resumes a task whose steps are idempotent from its first unfinished step', async () => {
    const first = await setup(1);
    first.engine.start();
    const task = await selfTest(first.engine, { steps: 6, stepMilliseconds: 60, resumable: true });
    await until(async () => (await first.store.diagnosticMarks.count(task.id)) >= 2, 'two steps');
    crash(first.store);
    const second = await setup(1, first.dir);
    expect((await second.engine.recover()).resumed).toBe(1);
    second.engine.start();
    const done = await second.engine.waitUntilFinished(task.id);
    expect(done.state).toBe('Completed');
    expect(await second.store.diagnosticMarks.count(task.id)).toBe(6);
  });

  it('pauses running tasks at a step boundary on a graceful stop, and finishes them after restart', async () => {
    const first = await setup(2);
    first.engine.start();
    const task = await selfTest(first.engine, { steps: 4, stepMilliseconds: 80 });
    await until(async () => (await first.store.diagnosticMarks.count(task.id)) >= 1, 'a step');
    await first.engine.stop(5_000);
    const paused = (await first.engine.get(task.id))!;
    expect(paused.state).toBe('Queued');
    const second = await setup(2, first.dir);
    expect((await second.engine.recover()).requeued).toBe(1);
    second.engine.start();
    expect((await second.engine.waitUntilFinished(task.id)).state).toBe('Completed');
    expect(await second.store.diagnosticMarks.count(task.id)).toBe(4);
  });
});
