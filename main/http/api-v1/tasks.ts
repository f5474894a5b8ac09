import { Type } from 'typebox';
import { ErrorBodySchema } from '../../contract/errors.ts';
import { SelfTestTaskRequestSchema, TaskListQuerySchema, TaskListSchema, TaskSchema } from '../../contract/tasks.ts';
import { SELF_TEST_TASK } from '../../services/self-test-task.ts';
import type { App, AppOptions } from '../types.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export async function taskRoutes(app: App, { services }: AppOptions) {
  const { tasks } = services;

  app.get('/tasks', { schema: { tags: ['tasks'], querystring: TaskListQuerySchema, response: { 200: TaskListSchema } } }, async (req) => {
    const q = req.query;
    return tasks.list({
      ...(q.createdFrom ? { createdFrom: new Date(q.createdFrom).toISOString() } : {}),
      ...(q.state ? { states: [q.state] } : {}),
      ...(q.type ? { type: q.type } : {}),
      limit: q.limit ?? 100,
      offset: q.offset ?? 0,
    });
  });

  app.get('/tasks/:id', { schema: { tags: ['tasks'], params: IdParams, response: { 200: TaskSchema, 404: ErrorBodySchema } } }, async (req, reply) => {
    const task = await tasks.get(req.params.id);
    if (!task) return reply.code(404).send({ statusCode: 404, code: 'TASK_NOT_FOUND', error: 'Not Found', message: `No task ${req.params.id}.` });
    return task;
  });

  app.post(
    '/tasks/:id/cancel',
    { schema: { tags: ['tasks'], params: IdParams, response: { 200: TaskSchema, 202: TaskSchema, 404: ErrorBodySchema, 405: ErrorBodySchema, 409: ErrorBodySchema } } },
    async (req, reply) => {
      const r = await tasks.cancel(req.params.id);
      switch (r.outcome) {
        case 'canceled':
          return reply.code(200).send(r.task);
        case 'stopping':
          return reply.code(202).send(r.task);
        case 'not-found':
          return reply.code(404).send({ statusCode: 404, code: 'TASK_NOT_FOUND', error: 'Not Found', message: `No task ${req.params.id}.` });
        case 'child-task':
          return reply.code(405).send({ statusCode: 405, code: 'CHILD_TASK', error: 'Method Not Allowed', message: 'This is a child task: cancel its parent task instead.' });
        case 'finished':
          return reply.code(409).send({ statusCode: 409, code: 'TASK_FINISHED', error: 'Conflict', message: `The task has already finished (${r.task.state}).` });
      }
    },
  );

  app.post(
    '/diagnostics/self-test-task',
    {
      schema: {
        tags: ['diagnostics'],
        summary: 'Start a task that exercises the task engine (progress, cancel, rollback)',
        body: SelfTestTaskRequestSchema,
        response: { 202: TaskSchema },
      },
    },
    async (req, reply) => {
      const task = await tasks.submit(SELF_TEST_TASK, { ...req.body, resumable: req.body.resumable ?? false }, req.account ?? 'unknown');
      return reply.code(202).header('location', `/api/v1/tasks/${task.id}`).send(task);
    },
  );
}
