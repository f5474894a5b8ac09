import type { DatabaseSync } from 'node:sqlite';
import type { DiagnosticMarksRepository } from './repositories.ts';

export function sqliteDiagnosticMarks(db: DatabaseSync): DiagnosticMarksRepository {
  const add = db.prepare('INSERT OR IGNORE INTO diagnostic_marks (task_id, step) VALUES (?, ?)');
  const remove = db.prepare('DELETE FROM diagnostic_marks WHERE task_id = ? AND step = ?');
  const countAll = db.prepare('SELECT count(*) AS n FROM diagnostic_marks');
  const countOne = db.prepare('SELECT count(*) AS n FROM diagnostic_marks WHERE task_id = ?');
  return {
    async add(taskId, step) {
      add.run(taskId, step);
    },
    async remove(taskId, step) {
      remove.run(taskId, step);
    },
    async count(taskId) {
      const row = (taskId === undefined ? countAll.get() : countOne.get(taskId)) as { n: number };
      return row.n;
    },
  };
}
