import { setTimeout as sleep } from 'node:timers/promises';
import type { SelfTestTaskRequest } from '../contract/tasks.ts';
import type { DiagnosticMarksRepository } from '../store/repositories.ts';
import { TaskError, type TaskDefinition, type TaskStep } from './task-engine.ts';

export const SELF_TEST_TASK = 'SelfTest';

/**
 * A task that exercises the task engine on a live install: each step waits, then leaves a mark in
 * the database; undo removes it. After a failure, a cancel or a crash, no mark may remain.
 */
export function selfTestTask(marks: DiagnosticMarksRepository): TaskDefinition<SelfTestTaskRequest> {
  return {
    type: SELF_TEST_TASK,
    resumable: (p) => p.resumable === true,
    steps: (p) =>
      Array.from({ length: p.steps }, (_, i): TaskStep<SelfTestTaskRequest> => ({
        name: `Self-test step ${i + 1} of ${p.steps}`,
        async run(ctx) {
          const slices = 10;
          for (let s = 1; s <= slices; s++) {
            await sleep(p.stepMilliseconds / slices, undefined, { signal: ctx.signal });
            ctx.progress((s / slices) * 100);
          }
          if (p.failAtStep === i + 1) throw new TaskError('SELF_TEST_FAILURE', `Self-test step ${i + 1} failed on request.`);
          await marks.add(ctx.taskId, i + 1);
          if (i + 1 === p.steps) ctx.setResult({ steps: p.steps });
        },
        async undo(ctx) {
          await marks.remove(ctx.taskId, i + 1);
        },
      })),
  };
}
