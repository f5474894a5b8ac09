import type { CancelOutcome, TaskState } from '../contract/tasks.ts';

export const FINISHED_STATES: ReadonlySet<TaskState> = new Set(['Completed', 'Failed', 'Canceled']);
/** States a task can only be in while a runner is working on it; after a crash they need recovery. */
export const IN_FLIGHT_STATES: ReadonlySet<TaskState> = new Set(['Starting', 'Running', 'Stopping']);
export const WAITING_STATES: ReadonlySet<TaskState> = new Set(['Created', 'Queued']);

const TRANSITIONS: Record<TaskState, readonly TaskState[]> = {
  Created: ['Queued', 'Canceled'],
  Queued: ['Starting', 'Canceled'],
  Starting: ['Running', 'Stopping', 'Failed'],
  Running: ['Completed', 'Stopping', 'Failed'],
  Stopping: ['Canceled', 'Failed'],
  Completed: [],
  Failed: [],
  Canceled: [],
};

export function canMove(from: TaskState, to: TaskState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** What a cancel request does to a task (vendor rest-api.md §5.3): child tasks are cancelled through their parent. */
export function cancelOutcome(task: { state: TaskState; parentId: string | null } | undefined): CancelOutcome {
  if (!task) return 'not-found';
  if (task.parentId !== null) return 'child-task';
  if (FINISHED_STATES.has(task.state)) return 'finished';
  if (WAITING_STATES.has(task.state)) return 'canceled';
  return 'stopping';
}

/** Overall percent from finished steps and the running step's own percent, never 100 before the end. */
export function overallProgress(finishedSteps: number, totalSteps: number, stepPercent: number): number {
  if (totalSteps <= 0) return 0;
  const clamped = Math.min(100, Math.max(0, stepPercent));
  return Math.min(99, Math.floor(((finishedSteps + clamped / 100) / totalSteps) * 100));
}
