import type { Task, TaskState } from '../../../../main/contract/tasks.ts';

type Look = { tag: 'default' | 'info' | 'success' | 'warning' | 'error'; progress: 'default' | 'info' | 'success' | 'warning' | 'error' };

/** One colour per state, the same in the table, the dashboard and the details. */
export const STATE_LOOK: Record<TaskState, Look> = {
  Created: { tag: 'default', progress: 'default' },
  Queued: { tag: 'default', progress: 'default' },
  Starting: { tag: 'info', progress: 'info' },
  Running: { tag: 'info', progress: 'info' },
  Stopping: { tag: 'warning', progress: 'warning' },
  Completed: { tag: 'success', progress: 'success' },
  Failed: { tag: 'error', progress: 'error' },
  Canceled: { tag: 'warning', progress: 'warning' },
};

export const isCancelable = (t: Task) => ['Created', 'Queued', 'Starting', 'Running'].includes(t.state) && t.parentId === null;

/** Task types as people say them; unknown types (newer servers) show as the server names them. */
const TYPE_NAMES: Record<string, string> = {
  SelfTest: 'Engine self-test',
  CreateTenant: 'Create tenant',
  ChangeTenantActivation: 'Change tenant activation',
  DeleteTenant: 'Delete tenant',
  CreateTenantReport: 'Tenant report',
  DeploySvm: 'Deploy SVM',
  RemoveSvm: 'Remove SVM',
  ReconfigureSvm: 'Reconfigure SVM',
  DeploySingleSvm: 'Deploy one SVM',
  RemoveSingleSvm: 'Remove one SVM',
  ReconfigureSingleSvm: 'Reconfigure one SVM',
};
export const taskTypeName = (type: string) => TYPE_NAMES[type] ?? type;

/** State and stage in one line; a stage that only repeats the state (Completed · Completed) once. */
export const stateAndStage = (t: Pick<Task, 'state' | 'stage'>) => (t.stage && t.stage !== t.state ? `${t.state} · ${t.stage}` : t.state);

/** What an administrator can do about a failure, beside the server's own message. */
export function nextStepFor(task: Task): string | undefined {
  if (task.state === 'Canceled') return 'The task was canceled; the steps it had finished were rolled back.';
  if (task.state !== 'Failed') return undefined;
  if (task.error?.code === 'SELF_TEST_FAILURE') return 'This failure was requested by the self-test itself: the engine rolled back the finished steps, as it should.';
  if (task.error?.code === 'INTERNAL_ERROR') return "See the server's log (the Logs folder `lightkeeper serve` printed) for the details.";
  return 'The steps the task had finished were rolled back. Fix the cause named above, then start the operation again.';
}
