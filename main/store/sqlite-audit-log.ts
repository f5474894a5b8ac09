import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { AuditLogRepository, AuditRecord } from './repositories.ts';

type Row = { seq: number; at: string; account: string; address: string; channel: AuditRecord['channel']; action: string; target: string | null; task_id: string | null; details_json: string };

export function sqliteAuditLog(db: DatabaseSync): AuditLogRepository {
  const insert = db.prepare('INSERT INTO audit_log (at, account, address, channel, action, target, task_id, details_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  return {
    async append(e) {
      insert.run(e.at, e.account, e.address, e.channel, e.action, e.target, e.taskId, JSON.stringify(e.details));
    },
    async list(f) {
      const where: string[] = [];
      const args: SQLInputValue[] = [];
      const add = (sql: string, value: string | undefined) => {
        if (value === undefined) return;
        where.push(sql);
        args.push(value);
      };
      add('at >= ?', f.from);
      add('at <= ?', f.to);
      add('account = ?', f.account);
      add('action = ?', f.action);
      add('target = ?', f.target);
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (db.prepare(`SELECT count(*) AS n FROM audit_log ${clause}`).get(...args) as { n: number }).n;
      const rows = db.prepare(`SELECT * FROM audit_log ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...args, f.limit, f.offset) as Row[];
      return {
        items: rows.map((r) => ({
          seq: r.seq,
          at: r.at,
          account: r.account,
          address: r.address,
          channel: r.channel,
          action: r.action,
          target: r.target,
          taskId: r.task_id,
          details: JSON.parse(r.details_json) as Record<string, unknown>,
        })),
        total,
      };
    },
  };
}
