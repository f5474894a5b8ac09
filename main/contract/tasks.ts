import { Type, type Static } from 'typebox';

/** The vendor's task states, spelled as the vendor spells them (rest-api.md §2.3). */
export const TASK_STATES = ['Created', 'Queued', 'Starting', 'Running', 'Completed', 'Stopping', 'Failed', 'Canceled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const TaskStateSchema = Type.Enum(TASK_STATES);

export const TaskSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.String(),
  state: TaskStateSchema,
  stage: Type.String(),
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  parentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  createdBy: Type.String(),
  created: Type.String({ format: 'date-time' }),
  stateChanged: Type.String({ format: 'date-time' }),
  changed: Type.String({ format: 'date-time' }),
  result: Type.Union([Type.Unknown(), Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
});
export type Task = Static<typeof TaskSchema>;

export const TaskListQuerySchema = Type.Object({
  createdFrom: Type.Optional(Type.String({ format: 'date-time' })),
  state: Type.Optional(TaskStateSchema),
  type: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
export type TaskListQuery = Static<typeof TaskListQuerySchema>;

export const TaskListSchema = Type.Object({
  items: Type.Array(TaskSchema),
  total: Type.Integer(),
});
export type TaskList = Static<typeof TaskListSchema>;

export const SelfTestTaskRequestSchema = Type.Object({
  steps: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  stepMilliseconds: Type.Integer({ minimum: 0, maximum: 600_000, default: 1000 }),
  failAtStep: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  resumable: Type.Optional(Type.Boolean({ default: false })),
}, { additionalProperties: false });
export type SelfTestTaskRequest = Static<typeof SelfTestTaskRequestSchema>;

/** Outcome of a cancel request, as the vendor's cancel method reports it (rest-api.md §5.3). */
export type CancelOutcome = 'canceled' | 'stopping' | 'not-found' | 'child-task' | 'finished';
