import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { readFileSync } from 'node:fs';
import type { ReportLine } from '../contract/reports.ts';
import type { ProtectedTimeRow, ProtectedTimeTotal, ProtectionReportRepository, ReportScope, StoredReport } from './protection-report-repository.ts';

const sql = (name: string) => readFileSync(new URL(`./sql/${name}`, import.meta.url), 'utf8');
export const REPORT_LINES_SQL = sql('protection-report-lines.sql');
const PROTECTED_TIME_SQL = sql('protected-time.sql');

type ReportRow = { id: string; tenant_id: string | null; from_at: number; to_at: number; created_at: number; expires_at: number; file_name: string; bytes: number; lines: number };
const toReport = (r: ReportRow): StoredReport => ({
  id: r.id,
  tenantId: r.tenant_id,
  from: r.from_at,
  to: r.to_at,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  fileName: r.file_name,
  bytes: r.bytes,
  lines: r.lines,
});

export function sqliteProtectionReports(db: DatabaseSync): ProtectionReportRepository {
  const lines = db.prepare(REPORT_LINES_SQL);
  // Arrays, not objects: a report can hold millions of lines, and each is already a CSV record.
  lines.setReturnArrays(true);
  const earliest = db.prepare('SELECT MIN(start_at) AS at FROM svm_connection_periods');
  const protectedTime = db.prepare(PROTECTED_TIME_SQL);
  const insert = db.prepare(
    'INSERT INTO protection_reports (id, tenant_id, from_at, to_at, created_at, expires_at, file_name, bytes, lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const getOne = db.prepare('SELECT * FROM protection_reports WHERE id = ?');
  const remove = db.prepare('DELETE FROM protection_reports WHERE id = ?');
  const expired = db.prepare('SELECT * FROM protection_reports WHERE expires_at <= ?');
  const prune = db.prepare('DELETE FROM svm_connection_periods WHERE end_at IS NOT NULL AND end_at < ?');

  const params = (s: ReportScope): Record<string, SQLInputValue> => ({ from: s.from, to: s.to, open_until: Math.min(s.openUntil, s.to), tenant: s.tenantId });

  return {
    reportLines(scope) {
      return lines.iterate(params(scope)) as unknown as Iterable<ReportLine>;
    },
    async earliestPeriodStart() {
      return (earliest.get() as { at: number | null }).at;
    },
    async protectedTime(scope) {
      const first = Math.floor(scope.from / scope.stepMs) * scope.stepMs;
      const rows = protectedTime.all({ ...params(scope), first, step: scope.stepMs }) as Array<{
        kind: 'step' | 'total';
        tenant_id: string | null;
        tenant_name: string | null;
        step_start: number | null;
        vm_hours: number;
        peak: number | null;
        vms: number | null;
      }>;
      const steps: ProtectedTimeRow[] = [];
      const totals: ProtectedTimeTotal[] = [];
      for (const r of rows) {
        if (r.kind === 'step') steps.push({ tenantId: r.tenant_id, tenantName: r.tenant_name, stepStart: r.step_start!, vmHours: r.vm_hours });
        else totals.push({ tenantId: r.tenant_id, tenantName: r.tenant_name, vmHours: r.vm_hours, peakConcurrentVms: r.peak ?? 0, vms: r.vms ?? 0 });
      }
      return { steps, totals };
    },
    async saveReport(r) {
      insert.run(r.id, r.tenantId, r.from, r.to, r.createdAt, r.expiresAt, r.fileName, r.bytes, r.lines);
    },
    async getReport(id) {
      const row = getOne.get(id) as ReportRow | undefined;
      return row && toReport(row);
    },
    async deleteReport(id) {
      remove.run(id);
    },
    async expiredReports(now) {
      return (expired.all(now) as ReportRow[]).map(toReport);
    },
    async prunePeriods(before) {
      return Number(prune.run(before).changes);
    },
  };
}
