import type { DatabaseSync } from 'node:sqlite';
import type { AgentsRepository, StoredAgent, StoredPeriod, StoredSvm, SvmsRepository } from './svm-repositories.ts';

type SvmRow = {
  id: string;
  name: string;
  report_json: string;
  last_report_at: number;
  report_interval_ms: number;
  first_seen_at: number;
  conflict_json: string | null;
};
type PeriodRow = { svm_id: string; vm_bios_id: string; start_at: number; end_at: number | null };
type AgentRow = { vm_bios_id: string; vm_name: string; last_asked_at: number; request_json: string; offered_svm_id: string | null; outcome: StoredAgent['outcome'] };

/** Runs `work` in one transaction; node:sqlite statements are synchronous, so nothing interleaves. */
function inTransaction(db: DatabaseSync, work: () => void): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    work();
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}

export function sqliteSvms(db: DatabaseSync): SvmsRepository {
  const all = db.prepare('SELECT * FROM svms');
  const upsert = db.prepare(
    `INSERT INTO svms (id, name, report_json, last_report_at, report_interval_ms, first_seen_at, conflict_json) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, report_json = excluded.report_json, last_report_at = excluded.last_report_at,
       report_interval_ms = excluded.report_interval_ms, conflict_json = excluded.conflict_json`,
  );
  // A stored end is kept when the SVM re-sends the period as open: a period is never reopened.
  const upsertPeriod = db.prepare(
    `INSERT INTO svm_connection_periods (svm_id, vm_bios_id, start_at, end_at) VALUES (?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET end_at = COALESCE(excluded.end_at, end_at)`,
  );
  const closeOpen = db.prepare('UPDATE svm_connection_periods SET end_at = ? WHERE svm_id = ? AND end_at IS NULL');
  const remove = db.prepare('DELETE FROM svms WHERE id = ?');
  const bySvm = db.prepare('SELECT * FROM svm_connection_periods WHERE svm_id = ? ORDER BY vm_bios_id, start_at');
  const byVm = db.prepare('SELECT * FROM svm_connection_periods WHERE vm_bios_id = ? ORDER BY start_at, svm_id');
  const everyPeriod = db.prepare('SELECT * FROM svm_connection_periods ORDER BY svm_id, vm_bios_id, start_at');
  const toPeriod = (r: PeriodRow): StoredPeriod => ({ svmId: r.svm_id, vmBiosId: r.vm_bios_id, startAt: r.start_at, endAt: r.end_at });

  return {
    async loadAll() {
      return (all.all() as SvmRow[]).map((r) => ({
        id: r.id,
        name: r.name,
        report: JSON.parse(r.report_json) as StoredSvm['report'],
        lastReportAt: r.last_report_at,
        reportIntervalMs: r.report_interval_ms,
        firstSeenAt: r.first_seen_at,
        conflict: r.conflict_json === null ? null : (JSON.parse(r.conflict_json) as StoredSvm['conflict']),
      }));
    },
    async saveReport(svm, periods) {
      inTransaction(db, () => {
        upsert.run(svm.id, svm.name, JSON.stringify(svm.report), svm.lastReportAt, svm.reportIntervalMs, svm.firstSeenAt, svm.conflict && JSON.stringify(svm.conflict));
        for (const p of periods) upsertPeriod.run(p.svmId, p.vmBiosId, p.startAt, p.endAt);
      });
    },
    async closeOpenPeriods(svmId, at) {
      return Number(closeOpen.run(at, svmId).changes);
    },
    async forget(svmId, at) {
      inTransaction(db, () => {
        closeOpen.run(at, svmId);
        remove.run(svmId);
      });
    },
    async periods(filter) {
      const rows = filter.svmId !== undefined ? bySvm.all(filter.svmId) : filter.vmBiosId !== undefined ? byVm.all(filter.vmBiosId) : everyPeriod.all();
      const list = (rows as PeriodRow[]).map(toPeriod);
      return filter.svmId !== undefined && filter.vmBiosId !== undefined ? list.filter((p) => p.vmBiosId === filter.vmBiosId) : list;
    },
  };
}

export function sqliteAgents(db: DatabaseSync): AgentsRepository {
  const all = db.prepare('SELECT * FROM agents');
  const upsert = db.prepare(
    `INSERT INTO agents (vm_bios_id, vm_name, last_asked_at, request_json, offered_svm_id, outcome) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(vm_bios_id) DO UPDATE SET vm_name = excluded.vm_name, last_asked_at = excluded.last_asked_at,
       request_json = excluded.request_json, offered_svm_id = excluded.offered_svm_id, outcome = excluded.outcome`,
  );
  return {
    async loadAll() {
      return (all.all() as AgentRow[]).map((r) => ({
        vmBiosId: r.vm_bios_id,
        vmName: r.vm_name,
        lastAskedAt: r.last_asked_at,
        request: JSON.parse(r.request_json) as StoredAgent['request'],
        offeredSvmId: r.offered_svm_id,
        outcome: r.outcome,
      }));
    },
    async saveBatch(agents) {
      if (agents.length === 0) return;
      inTransaction(db, () => {
        for (const a of agents) upsert.run(a.vmBiosId, a.vmName, a.lastAskedAt, JSON.stringify(a.request), a.offeredSvmId, a.outcome);
      });
    },
  };
}
