import type { Task, CancelOutcome } from '../contract/tasks.ts';
import { cancelOutcome, canMove, FINISHED_STATES, IN_FLIGHT_STATES, overallProgress } from '../domain/task-lifecycle.ts';
import type { TaskFilter, TaskRecord, TasksRepository } from '../store/repositories.ts';
import type { EventBus } from './event-bus.ts';
import type { Logger } from './logger.ts';

/** A failure with one of the vendor's codes (or ours), carried to the task's `<error>`. */
export class TaskError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TaskError';
    this.code = code;
  }
}

export type StepContext<P> = {
  taskId: string;
  params: P;
  /** What later steps and undo need (ids of things created); persisted, sealed, after every step. */
  memo: Record<string, unknown>;
  /** Fires when the task is cancelled: long steps pass it on to their I/O. */
  signal: AbortSignal;
  progress(stepPercent: number): void;
  setResult(result: unknown): void;
  runChild(type: string, params: unknown): Promise<unknown>;
};

export type TaskStep<P> = {
  name: string;
  run(ctx: StepContext<P>): Promise<void>;
  /** Undoes the step; must tolerate a step that ran only part way (it may be called after a crash). */
  undo?(ctx: StepContext<P>): Promise<void>;
};

export type TaskDefinition<P> = {
  type: string;
  steps(params: P): readonly TaskStep<P>[];
  /** Idempotent steps: after a crash the task resumes at its first unfinished step instead of rolling back. */
  resumable(params: P): boolean;
};

type Running = { controller: AbortController; done: Promise<void> };

export type TaskEngineOptions = {
  repo: TasksRepository;
  events: EventBus;
  log: Logger;
  now: () => Date;
  newId: () => string;
  concurrency: number;
};

export function toContractTask(r: TaskRecord): Task {
  return {
    id: r.id,
    type: r.type,
    state: r.state,
    stage: r.stage,
    progress: r.progress,
    parentId: r.parentId,
    createdBy: r.createdBy,
    created: r.created,
    stateChanged: r.stateChanged,
    changed: r.changed,
    result: r.result ?? null,
    error: r.errorCode ? { code: r.errorCode, message: r.errorMessage ?? '' } : null,
  };
}

/**
 * Runs every long operation: steps in order, progress, cancel, and on failure or cancel the undo
 * of finished steps in reverse. State lives in the store after every step, so a server that dies
 * mid-task can finish the job at its next start (`recover`).
 */
export function createTaskEngine(options: TaskEngineOptions) {
  const { repo, events, log, now, newId } = options;
  const definitions = new Map<string, TaskDefinition<unknown>>();
  const queue: string[] = [];
  const running = new Map<string, Running>();
  const waiters = new Map<string, Array<(r: TaskRecord) => void>>();
  let accepting = true;

  const stamp = () => now().toISOString();

  /** Writes only what changed (so a runner never overwrites a concurrent cancel) and tells the live channel. */
  async function save(id: string, patch: Partial<TaskRecord>, options: { force?: boolean } = {}): Promise<TaskRecord> {
    const before = await repo.get(id);
    if (!before) throw new Error(`Task ${id} vanished from the store.`);
    const changed = stamp();
    const full: Partial<TaskRecord> = { ...patch, changed };
    if (patch.state && patch.state !== before.state) {
      if (!options.force && !canMove(before.state, patch.state)) {
        throw new Error(`Task ${id}: ${before.state} → ${patch.state} is not a valid move.`);
      }
      full.stateChanged = changed;
    }
    await repo.update(id, full);
    const after: TaskRecord = { ...before, ...full };
    events.publish('task.changed', toContractTask(after));
    if (FINISHED_STATES.has(after.state)) {
      for (const w of waiters.get(id) ?? []) w(after);
      waiters.delete(id);
    }
    return after;
  }

  function definitionOf(type: string): TaskDefinition<unknown> {
    const def = definitions.get(type);
    if (!def) throw new Error(`No task type '${type}' is registered.`);
    return def;
  }

  function pump(): void {
    while (accepting && running.size < options.concurrency && queue.length > 0) {
      const id = queue.shift()!;
      start(id);
    }
  }

  function start(id: string): void {
    const controller = new AbortController();
    const entry: Running = { controller, done: Promise.resolve() };
    running.set(id, entry);
    entry.done = execute(id, controller)
      .catch((e) => log.error({ err: e, taskId: id }, 'task runner failed'))
      .finally(() => {
        running.delete(id);
        pump();
      });
  }

  async function undoSteps(id: string, steps: readonly TaskStep<unknown>[], fromIndex: number, ctx: StepContext<unknown>) {
    const failures: string[] = [];
    for (let i = Math.min(fromIndex, steps.length - 1); i >= 0; i--) {
      const step = steps[i]!;
      if (!step.undo) continue;
      try {
        await save(id, { stage: `Rolling back: ${step.name}` });
        await step.undo(ctx);
      } catch (e) {
        failures.push(`${step.name}: ${(e as Error).message}`);
        log.error({ err: e, taskId: id, step: step.name }, 'undo failed');
      }
    }
    return failures;
  }

  function contextFor(rec: TaskRecord, controller: AbortController, onProgress: (p: number) => void) {
    const ctx: StepContext<unknown> & { result: unknown } = {
      taskId: rec.id,
      params: rec.params,
      memo: rec.memo,
      signal: controller.signal,
      result: rec.result ?? null,
      progress: onProgress,
      setResult(result) {
        ctx.result = result;
      },
      runChild: (type, params) => runChild(rec, type, params, controller.signal),
    };
    return ctx;
  }

  async function execute(id: string, controller: AbortController): Promise<void> {
    const rec = await repo.get(id);
    if (!rec || rec.state !== 'Queued') return;
    const def = definitionOf(rec.type);
    const steps = def.steps(rec.params);
    await save(id, { state: 'Starting' });
    await save(id, { state: 'Running' });
    let lastPercent = -1;
    let stepIndex = rec.stepsDone;
    const ctx = contextFor(rec, controller, (p) => {
      const progress = overallProgress(stepIndex, steps.length, p);
      if (progress === lastPercent) return;
      lastPercent = progress;
      void save(id, { progress }).catch((e) => log.warn({ err: e, taskId: id }, 'progress not saved'));
    });
    try {
      for (; stepIndex < steps.length; stepIndex++) {
        if (controller.signal.aborted) throw controller.signal.reason;
        if (!accepting) {
          // Graceful shutdown: stop at a step boundary; the next start continues from here.
          await save(id, { state: 'Queued', stage: 'Paused for server restart' }, { force: true });
          return;
        }
        const step = steps[stepIndex]!;
        await save(id, { stage: step.name, progress: overallProgress(stepIndex, steps.length, 0) });
        await step.run(ctx);
        await save(id, { stepsDone: stepIndex + 1, memo: ctx.memo, progress: overallProgress(stepIndex + 1, steps.length, 0) });
      }
      await save(id, { state: 'Completed', stage: 'Completed', progress: 100, result: ctx.result, memo: ctx.memo });
    } catch (e) {
      const canceled = controller.signal.aborted;
      if (canceled) await save(id, { state: 'Stopping', cancelRequested: true }, { force: true });
      const failures = await undoSteps(id, steps, stepIndex, ctx);
      const rolledBack = `${stepIndex} finished step${stepIndex === 1 ? '' : 's'} rolled back`;
      const undoNote = failures.length ? ` Rollback was incomplete: ${failures.join('; ')}.` : '';
      if (canceled) {
        await save(id, { state: 'Canceled', stage: 'Canceled', errorCode: 'TASK_CANCELED', errorMessage: `The task was canceled; ${rolledBack}.${undoNote}` });
      } else {
        const code = e instanceof TaskError ? e.code : 'TASK_FAILED';
        const message = `${(e as Error).message} (${rolledBack}.)${undoNote}`;
        await save(id, { state: 'Failed', stage: 'Failed', errorCode: code, errorMessage: message });
      }
    }
  }

  async function runChild(parent: TaskRecord, type: string, params: unknown, parentSignal: AbortSignal): Promise<unknown> {
    const child = await create(type, params, parent.createdBy, parent.id);
    // Children start at once, outside the concurrency limit: a parent holding a slot must never wait for one.
    const finished = waitFor(child.id);
    start(child.id);
    // A child cannot be canceled on its own (the vendor's rule); canceling the parent cancels it.
    const childController = running.get(child.id)?.controller;
    const onAbort = () => childController?.abort(parentSignal.reason);
    parentSignal.addEventListener('abort', onAbort, { once: true });
    if (parentSignal.aborted) onAbort();
    const rec = await finished.finally(() => parentSignal.removeEventListener('abort', onAbort));
    if (rec.state !== 'Completed') throw new TaskError(rec.errorCode ?? 'TASK_FAILED', rec.errorMessage ?? 'Child task failed.');
    return rec.result;
  }

  function waitFor(id: string): Promise<TaskRecord> {
    return new Promise((resolve) => waiters.set(id, [...(waiters.get(id) ?? []), resolve]));
  }

  async function create(type: string, params: unknown, createdBy: string, parentId: string | null): Promise<TaskRecord> {
    definitionOf(type);
    const t = stamp();
    const rec: TaskRecord = {
      id: newId(),
      type,
      state: 'Created',
      stage: 'Created',
      progress: 0,
      parentId,
      createdBy,
      params,
      memo: {},
      stepsDone: 0,
      cancelRequested: false,
      result: null,
      errorCode: null,
      errorMessage: null,
      created: t,
      stateChanged: t,
      changed: t,
    };
    await repo.insert(rec);
    return save(rec.id, { state: 'Queued', stage: 'Queued' });
  }

  /** Rolls back or resumes every task a crash left in flight; call once before serving. */
  async function recover(): Promise<{ resumed: number; rolledBack: number; requeued: number }> {
    const counts = { resumed: 0, rolledBack: 0, requeued: 0 };
    const { items } = await repo.list({ states: [...IN_FLIGHT_STATES, 'Created', 'Queued'] });
    const work = items.map((rec) => async () => {
      const def = definitions.get(rec.type);
      if (rec.state === 'Created' || rec.state === 'Queued') {
        if (rec.state === 'Created') await save(rec.id, { state: 'Queued' });
        if (!rec.parentId) queue.push(rec.id);
        counts.requeued++;
        return;
      }
      const canceled = rec.state === 'Stopping' || rec.cancelRequested;
      if (def && !canceled && def.resumable(rec.params)) {
        await save(rec.id, { state: 'Queued', stage: 'Resuming after server restart' }, { force: true });
        queue.push(rec.id);
        counts.resumed++;
        return;
      }
      const steps = def?.steps(rec.params) ?? [];
      const interruptedStep = steps[rec.stepsDone]?.name;
      // The interrupted step may have run part way, so it is undone too (undo tolerates that).
      const failures = await undoSteps(rec.id, steps, rec.stepsDone, contextFor(rec, new AbortController(), () => {}));
      const note = failures.length ? ` Rollback was incomplete: ${failures.join('; ')}.` : '';
      const where = interruptedStep ? ` (step '${interruptedStep}')` : '';
      await save(
        rec.id,
        {
          state: canceled ? 'Canceled' : 'Failed',
          stage: canceled ? 'Canceled' : 'Failed',
          errorCode: def ? 'TASK_INTERRUPTED' : 'TASK_TYPE_UNKNOWN',
          errorMessage: def
            ? `The server stopped while this task was running${where}; its ${rec.stepsDone} finished steps were rolled back.${note}`
            : `The server stopped while this task was running, and this version does not know task type '${rec.type}'.`,
        },
        { force: true },
      );
      counts.rolledBack++;
    });
    await runPool(work, Math.max(1, options.concurrency));
    return counts;
  }

  return {
    register<P>(def: TaskDefinition<P>): void {
      definitions.set(def.type, def as TaskDefinition<unknown>);
    },
    async submit(type: string, params: unknown, createdBy: string): Promise<Task> {
      if (!accepting) throw new TaskError('SERVER_STOPPING', 'The server is shutting down; try again after it restarts.');
      const rec = await create(type, params, createdBy, null);
      queue.push(rec.id);
      pump();
      return toContractTask(rec);
    },
    async get(id: string): Promise<Task | undefined> {
      const rec = await repo.get(id);
      return rec && toContractTask(rec);
    },
    async list(filter: TaskFilter): Promise<{ items: Task[]; total: number }> {
      const { items, total } = await repo.list(filter);
      return { items: items.map(toContractTask), total };
    },
    async waitUntilFinished(id: string): Promise<Task> {
      const rec = await repo.get(id);
      if (!rec) throw new Error(`No task ${id}.`);
      if (FINISHED_STATES.has(rec.state)) return toContractTask(rec);
      return toContractTask(await waitFor(id));
    },
    async cancel(id: string): Promise<{ outcome: 'not-found' } | { outcome: Exclude<CancelOutcome, 'not-found'>; task: Task }> {
      const rec = await repo.get(id);
      const outcome = cancelOutcome(rec);
      if (!rec || outcome === 'not-found') return { outcome: 'not-found' };
      if (outcome === 'child-task' || outcome === 'finished') return { outcome, task: toContractTask(rec) };
      if (outcome === 'canceled') {
        const i = queue.indexOf(id);
        if (i >= 0) queue.splice(i, 1);
        const done = await save(id, { state: 'Canceled', stage: 'Canceled', errorCode: 'TASK_CANCELED', errorMessage: 'The task was canceled before it started.' });
        return { outcome, task: toContractTask(done) };
      }
      const active = running.get(id);
      const stopping = rec.state === 'Stopping' ? rec : await save(id, { state: 'Stopping', cancelRequested: true });
      active?.controller.abort(new TaskError('TASK_CANCELED', 'Canceled.'));
      return { outcome: 'stopping', task: toContractTask(stopping) };
    },
    recover,
    start(): void {
      accepting = true;
      pump();
    },
    /** Stops taking work; running tasks pause at their next step boundary, or are recovered at the next start. */
    async stop(graceMs: number): Promise<void> {
      accepting = false;
      const all = Promise.all([...running.values()].map((r) => r.done));
      await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
    },
    runningCount: () => running.size,
  };
}
export type TaskEngine = ReturnType<typeof createTaskEngine>;

async function runPool(work: Array<() => Promise<void>>, size: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < work.length) await work[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(size, work.length) }, worker));
}
