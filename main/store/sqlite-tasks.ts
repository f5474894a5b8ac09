import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { TaskState } from '../contract/tasks.ts';
import type { TaskPatch, TaskRecord, TasksRepository } from './repositories.ts';
import type { Sealer } from './sealing.ts';

type Row = {
  id: string;
  type: string;
  state: TaskState;
  stage: string;
  progress: number;
  parent_id: string | null;
  created_by: string;
  params_sealed: string;
  memo_sealed: string | null;
  steps_done: number;
  cancel_requested: number;
  result_json: string | null;
  error_code: string | null;
  error_message: string | null;
  created: string;
  state_changed: string;
  changed: string;
};

const COLUMNS: Record<keyof TaskPatch, string> = {
  state: 'state',
  stage: 'stage',
  progress: 'progress',
  memo: 'memo_sealed',
  stepsDone: 'steps_done',
  cancelRequested: 'cancel_requested',
  result: 'result_json',
  errorCode: 'error_code',
  errorMessage: 'error_message',
  stateChanged: 'state_changed',
  changed: 'changed',
};

export function sqliteTasks(db: DatabaseSync, sealer: Sealer): TasksRepository {
  const insert = db.prepare(
    `INSERT INTO tasks (id, type, state, stage, progress, parent_id, created_by, params_sealed, memo_sealed, steps_done,
       cancel_requested, result_json, error_code, error_message, created, state_changed, changed)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const getOne = db.prepare('SELECT * FROM tasks WHERE id = ?');
  const updates = new Map<string, ReturnType<DatabaseSync['prepare']>>();

  const toRecord = (r: Row): TaskRecord => ({
    id: r.id,
    type: r.type,
    state: r.state,
    stage: r.stage,
    progress: r.progress,
    parentId: r.parent_id,
    createdBy: r.created_by,
    params: JSON.parse(sealer.open(r.params_sealed)),
    memo: r.memo_sealed ? JSON.parse(sealer.open(r.memo_sealed)) : {},
    stepsDone: r.steps_done,
    cancelRequested: r.cancel_requested === 1,
    result: r.result_json === null ? null : JSON.parse(r.result_json),
    errorCode: r.error_code,
    errorMessage: r.error_message,
    created: r.created,
    stateChanged: r.state_changed,
    changed: r.changed,
  });

  const column = (key: keyof TaskPatch, value: unknown): SQLInputValue => {
    switch (key) {
      case 'memo':
        return sealer.seal(JSON.stringify(value ?? {}));
      case 'result':
        return value === null || value === undefined ? null : JSON.stringify(value);
      case 'cancelRequested':
        return value ? 1 : 0;
      default:
        return value as SQLInputValue;
    }
  };

  return {
    async insert(t) {
      insert.run(
        t.id,
        t.type,
        t.state,
        t.stage,
        t.progress,
        t.parentId,
        t.createdBy,
        sealer.seal(JSON.stringify(t.params ?? null)),
        sealer.seal(JSON.stringify(t.memo)),
        t.stepsDone,
        t.cancelRequested ? 1 : 0,
        t.result === null || t.result === undefined ? null : JSON.stringify(t.result),
        t.errorCode,
        t.errorMessage,
        t.created,
        t.stateChanged,
        t.changed,
      );
    },
    async get(id) {
      const row = getOne.get(id) as Row | undefined;
      return row && toRecord(row);
    },
    async update(id, patch) {
      const keys = (Object.keys(patch) as (keyof TaskPatch)[]).filter((k) => patch[k] !== undefined).sort();
      if (keys.length === 0) return;
      const signature = keys.join(',');
      let stmt = updates.get(signature);
      if (!stmt) {
        stmt = db.prepare(`UPDATE tasks SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`);
        updates.set(signature, stmt);
      }
      stmt.run(...keys.map((k) => column(k, patch[k])), id);
    },
    async list(filter) {
      const where: string[] = [];
      const args: SQLInputValue[] = [];
      if (filter.createdFrom) {
        where.push('created >= ?');
        args.push(filter.createdFrom);
      }
      if (filter.states && filter.states.length > 0) {
        where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
        args.push(...filter.states);
      }
      if (filter.type) {
        where.push('type = ?');
        args.push(filter.type);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (db.prepare(`SELECT count(*) AS n FROM tasks ${clause}`).get(...args) as { n: number }).n;
      const rows = db
        .prepare(`SELECT * FROM tasks ${clause} ORDER BY created, id LIMIT ? OFFSET ?`)
        .all(...args, filter.limit ?? -1, filter.offset ?? 0) as Row[];
      return { items: rows.map(toRecord), total };
    },
  };
}
