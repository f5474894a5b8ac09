import type { ReportLine } from '../contract/reports.ts';

/**
 * The protection reports' queries (issue 7). Every sum, clip and peak is computed by the database,
 * never by a JavaScript loop over periods; the report lines come as a lazy sequence, so a report
 * of any size streams to its file.
 */
export type ReportScope = {
  tenantId: string | null;
  from: number;
  to: number;
  /**
   * Where a period still open ends: the moment the report is made, or `to` when that is earlier.
   * Protection that has not happened yet is never counted, whatever range was asked for.
   */
  openUntil: number;
};

export type StoredReport = {
  id: string;
  tenantId: string | null;
  from: number;
  to: number;
  createdAt: number;
  expiresAt: number;
  fileName: string;
  bytes: number;
  lines: number;
};

export type ProtectedTimeRow = { tenantId: string | null; tenantName: string | null; stepStart: number; vmHours: number };
export type ProtectedTimeTotal = { tenantId: string | null; tenantName: string | null; vmHours: number; peakConcurrentVms: number; vms: number };

export interface ProtectionReportRepository {
  /** The lines of the vendor's CSV for the scope, periods clipped to [from, to). */
  reportLines(scope: ReportScope): Iterable<ReportLine>;
  earliestPeriodStart(): Promise<number | null>;
  protectedTime(scope: ReportScope & { stepMs: number }): Promise<{ steps: ProtectedTimeRow[]; totals: ProtectedTimeTotal[] }>;
  saveReport(report: StoredReport): Promise<void>;
  getReport(id: string): Promise<StoredReport | undefined>;
  deleteReport(id: string): Promise<void>;
  expiredReports(now: number): Promise<StoredReport[]>;
  /** Deletes closed periods that ended before `before`; returns how many. */
  prunePeriods(before: number): Promise<number>;
}
