import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { createAccessControl } from './access-control.ts';
import { createAccountsService } from './accounts.ts';
import { createEventBus } from './event-bus.ts';
import { createLoginThrottle, type ThrottleLimits } from './login-throttle.ts';
import type { Logger } from './logger.ts';
import { selfTestTask } from './self-test-task.ts';
import { createTaskEngine } from './task-engine.ts';

export type ServicesOptions = {
  taskConcurrency: number;
  throttle?: ThrottleLimits;
  now?: () => Date;
  newId?: () => string;
};

/** The services every feature shares; the composition root builds it once per server. */
export function createServices(store: Store, log: Logger, options: ServicesOptions) {
  const now = options.now ?? (() => new Date());
  const events = createEventBus();
  const accounts = createAccountsService(store.accounts, createLoginThrottle(options.throttle), now);
  const tasks = createTaskEngine({
    repo: store.tasks,
    events,
    log,
    now,
    newId: options.newId ?? randomUUID,
    concurrency: options.taskConcurrency,
  });
  tasks.register(selfTestTask(store.diagnosticMarks));
  return {
    log,
    now,
    events,
    accounts,
    access: createAccessControl(accounts),
    tasks,
    diagnosticMarks: store.diagnosticMarks,
    schemaVersion: store.schemaVersion,
  };
}
export type Services = ReturnType<typeof createServices>;
