import type { SvmImageImportProgress } from './svm-images.ts';
import type { AgentsSummaryEvent, SvmStateEvent } from './svms.ts';
import type { Task } from './tasks.ts';

/**
 * Everything the server publishes on its live channel (`/api/v1/events`, server-sent events).
 * The event name is the SSE `event:` field; features add their events here so the console and
 * the server are typed from one declaration.
 */
export type ServerEvents = {
  'task.changed': Task;
  'svm.state': SvmStateEvent;
  'agents.summary': AgentsSummaryEvent;
  'svm-image.import': SvmImageImportProgress;
};
export type ServerEventName = keyof ServerEvents;
export type ServerEvent = { [K in ServerEventName]: { name: K; data: ServerEvents[K] } }[ServerEventName];
