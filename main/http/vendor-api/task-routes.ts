import { TASK_STATES, type TaskState } from '../../contract/tasks.ts';
import type { App, AppOptions } from '../types.ts';
import { queryParam, sendXml, sendXmlError } from './vendor-request.ts';
import { fromVendorTime } from './vendor-time.ts';
import { taskXml, tasksXml } from './xml-views.ts';

export const TASK_CODES = {
  notFound: 'LK_TaskWithSpecifiedIdNotFound',
  childTask: 'LK_ChildTaskCannotBeCanceled',
  finished: 'LK_TaskAlreadyFinished',
  invalidValue: 'LK_InvalidParameterValue',
} as const;

/** Rows 12–14 of rest-api.md §6: tasks, on the foundation's task engine. */
export async function taskRoutes(app: App, { services }: AppOptions) {
  const { tasks } = services;

  app.get('/tasks', async (req, reply) => {
    const createdFrom = queryParam(req, 'createdFrom');
    const state = queryParam(req, 'state');
    const type = queryParam(req, 'type');
    if (typeof createdFrom === 'object' || typeof state === 'object' || typeof type === 'object') {
      return sendXmlError(reply, 400, TASK_CODES.invalidValue, 'Give each filter (createdFrom, state, type) at most once.');
    }
    const from = createdFrom === undefined ? undefined : fromVendorTime(createdFrom);
    if (createdFrom !== undefined && from === undefined) {
      return sendXmlError(reply, 400, TASK_CODES.invalidValue, 'createdFrom must be a date and time YYYY-MM-DDThh:mm:ss (UTC).');
    }
    if (state !== undefined && !(TASK_STATES as readonly string[]).includes(state)) {
      return sendXmlError(reply, 400, TASK_CODES.invalidValue, `state must be one of ${TASK_STATES.join(', ')}.`);
    }
    if (type !== undefined && (type.length > 64 || !/^[A-Za-z]*$/.test(type))) {
      return sendXmlError(reply, 400, TASK_CODES.invalidValue, 'type must be a task type such as CreateTenant.');
    }
    const { items } = await tasks.list({ ...(from ? { createdFrom: from } : {}), ...(state ? { states: [state as TaskState] } : {}), ...(type ? { type } : {}) });
    return sendXml(reply, 200, tasksXml(items));
  });

  app.get<{ Params: { id: string } }>('/tasks/:id', async (req, reply) => {
    const task = await tasks.get(req.params.id);
    if (!task) return sendXmlError(reply, 404, TASK_CODES.notFound, `There is no task with the id '${req.params.id}'.`);
    return sendXml(reply, 200, taskXml(task));
  });

  app.post<{ Params: { id: string } }>('/tasks/:id/cancel', async (req, reply) => {
    const r = await tasks.cancel(req.params.id);
    switch (r.outcome) {
      case 'canceled':
        return sendXml(reply, 200, taskXml(r.task));
      case 'stopping':
        return sendXml(reply, 202, taskXml(r.task));
      case 'not-found':
        return sendXmlError(reply, 404, TASK_CODES.notFound, `There is no task with the id '${req.params.id}'.`);
      case 'child-task':
        return sendXmlError(reply, 405, TASK_CODES.childTask, 'This is a child task: cancel its parent task instead.');
      case 'finished':
        return sendXmlError(reply, 409, TASK_CODES.finished, `The task has already finished (${r.task.state}).`);
    }
  });
}
