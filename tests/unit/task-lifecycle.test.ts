import { describe, expect, it } from 'vitest';
import { TASK_STATES, type TaskState } from '../../main/contract/tasks.ts';
import { cancelOutcome, canMove, FINISHED_STATES, overallProgress } from '../../main/domain/task-lifecycle.ts';

describe('task state moves', () => {
  it('follows the vendor lifecycle from creation to each end', () => {
    const path: TaskState[] = ['Created', 'Queued', 'Starting', 'Running', 'Completed'];
    path.slice(1).forEach((to, i) => expect(canMove(path[i]!, to)).toBe(true));
    expect(canMove('Running', 'Stopping')).toBe(true);
    expect(canMove('Stopping', 'Canceled')).toBe(true);
    expect(canMove('Running', 'Failed')).toBe(true);
  });

  it('never leaves a finished state', () => {
    for (const from of FINISHED_STATES) for (const to of TASK_STATES) expect(canMove(from, to)).toBe(false);
  });

  it('does not jump from waiting straight to running or completed', () => {
    expect(canMove('Queued', 'Running')).toBe(false);
    expect(canMove('Created', 'Completed')).toBe(false);
  });
});

describe('what cancel does (vendor 200 / 202 / 404 / 405 / 409)', () => {
  it.each([
    ['Created', 'canceled'],
    ['Queued', 'canceled'],
    ['Starting', 'stopping'],
    ['Running', 'stopping'],
    ['Stopping', 'stopping'],
    ['Completed', 'finished'],
    ['Failed', 'finished'],
    ['Canceled', 'finished'],
  ] as const)('a %s task → %s', (state, outcome) => {
    expect(cancelOutcome({ state, parentId: null })).toBe(outcome);
  });

  it('refuses a child task whatever its state', () => {
    for (const state of TASK_STATES) expect(cancelOutcome({ state, parentId: 'p' })).toBe('child-task');
  });

  it('reports an unknown task', () => {
    expect(cancelOutcome(undefined)).toBe('not-found');
  });
});

describe('overall progress', () => {
  it('counts finished steps and the share of the running one', () => {
    expect(overallProgress(0, 4, 0)).toBe(0);
    expect(overallProgress(1, 4, 0)).toBe(25);
    expect(overallProgress(1, 4, 50)).toBe(37);
  });

  it('never says 100 before the task has completed', () => {
    expect(overallProgress(4, 4, 0)).toBe(99);
    expect(overallProgress(3, 4, 100)).toBe(99);
  });

  it('clamps a step percent outside 0–100', () => {
    expect(overallProgress(0, 2, 150)).toBe(50);
    expect(overallProgress(0, 2, -5)).toBe(0);
  });
});
