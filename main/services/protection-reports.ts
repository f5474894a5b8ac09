import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProtectedTime, ProtectionReportSettings } from '../contract/reports.ts';
import type { Task } from '../contract/tasks.ts';
import type { ProtectionReportRepository, ReportScope } from '../store/protection-report-repository.ts';
import type { SettingsRepository } from '../store/repositories.ts';
import { writeCsvFile } from './csv-report-writer.ts';
import type { Logger } from './logger.ts';
import { PERIOD_COLLECTION_KEY } from './svm-service.ts';
import type { TaskEngine } from './task-engine.ts';

export const REPORT_TASK = 'CreateTenantReport';
/** A quarter of a year of raw periods: a provider bills monthly and may need to re-run a month. */
export const DEFAULT_PERIODS_LIFETIME_DAYS = 90;
/** The vendor keeps a generated report for 24 h (rest-api.md §4.3). */
export const DEFAULT_REPORT_LIFETIME_HOURS = 24;
const HOUSEKEEPING_MS = 10 * 60_000;
/** How soon a running server follows a collection switch made by `lightkeeper settings` in the store. */
const SETTINGS_POLL_MS = 15_000;

/** A report task's parameters; tasks stored before `openUntil` existed end open periods at `to`. */
type ReportParams = { tenantId: string | null; from: number; to: number; openUntil?: number };

export type PeriodCollection = { readonly collectingPeriods: boolean; setPeriodCollection(enabled: boolean): Promise<void> };

export type ProtectionReportsDeps = {
  repo: ProtectionReportRepository;
  settings: SettingsRepository;
  tasks: TaskEngine;
  collection: PeriodCollection;
  tenantExists: (id: string) => Promise<boolean>;
  reportsDir: string;
  log: Logger;
  now: () => Date;
  newId: () => string;
};

/** Where the settings live; the collection switch is the SVM service's, which applies it on ingest. */
export const REPORT_SETTING_KEYS = {
  enabled: PERIOD_COLLECTION_KEY,
  periodsLifetimeDays: 'multitenancy.protectionPeriodsRecordsLifetimeDays',
  reportLifetimeHours: 'multitenancy.protectionReportsLifetimeHours',
} as const;

export async function readReportSettings(settings: SettingsRepository): Promise<ProtectionReportSettings> {
  return {
    enabled: (await settings.get<boolean>(REPORT_SETTING_KEYS.enabled)) === true,
    periodsLifetimeDays: (await settings.get<number>(REPORT_SETTING_KEYS.periodsLifetimeDays)) ?? DEFAULT_PERIODS_LIFETIME_DAYS,
    reportLifetimeHours: (await settings.get<number>(REPORT_SETTING_KEYS.reportLifetimeHours)) ?? DEFAULT_REPORT_LIFETIME_HOURS,
  };
}

export type ReportQuery = { tenantId?: string | null; from?: number; to?: number };

/** What a report covers: no `from` means the earliest record, no `to` now (rest-api.md §4.1). */
export async function reportScope(repo: ProtectionReportRepository, tenantExists: (id: string) => Promise<boolean>, q: ReportQuery, now: number): Promise<ReportScope> {
  if (q.tenantId && !(await tenantExists(q.tenantId))) throw new UnknownTenantError(q.tenantId);
  const to = q.to ?? now;
  const from = q.from ?? Math.min((await repo.earliestPeriodStart()) ?? to, to);
  return { tenantId: q.tenantId ?? null, from, to, openUntil: Math.min(to, now) };
}

export class UnknownTenantError extends Error {
  constructor(id: string) {
    super(`There is no tenant with the id '${id}'.`);
    this.name = 'UnknownTenantError';
  }
}

/**
 * Protection reports (issue 7): the vendor's CreateTenantReport task writing the CSV by streaming
 * from the database, downloads of kept reports, the console's protected-time figures, and the
 * housekeeping that expires reports and prunes old periods.
 */
export function createProtectionReports(deps: ProtectionReportsDeps) {
  const { repo, settings } = deps;
  const fileOf = (id: string) => join(deps.reportsDir, `${id}.csv`);
  let timers: NodeJS.Timeout[] = [];

  const currentSettings = () => readReportSettings(settings);

  const scopeOf = (q: ReportQuery) => reportScope(repo, deps.tenantExists, q, deps.now().getTime());

  deps.tasks.register<ReportParams>({
    type: REPORT_TASK,
    // Writing the file again from the database gives the same report: safe to redo after a crash.
    resumable: () => true,
    steps: () => [
      {
        name: 'Writing the report',
        async run(ctx) {
          const id = ctx.taskId;
          const { lines, bytes } = await writeCsvFile(fileOf(id), repo.reportLines({ ...ctx.params, openUntil: ctx.params.openUntil ?? ctx.params.to }), ctx.signal);
          const createdAt = deps.now().getTime();
          const { reportLifetimeHours } = await currentSettings();
          await repo.saveReport({ id, tenantId: ctx.params.tenantId, from: ctx.params.from, to: ctx.params.to, createdAt, expiresAt: createdAt + reportLifetimeHours * 3_600_000, fileName: `${id}.csv`, bytes, lines });
          ctx.setResult(id);
        },
        async undo(ctx) {
          await repo.deleteReport(ctx.taskId);
          await rm(fileOf(ctx.taskId), { force: true });
          await rm(`${fileOf(ctx.taskId)}.partial`, { force: true });
        },
      },
    ],
  });

  async function housekeeping(): Promise<{ reportsDeleted: number; periodsPruned: number }> {
    const now = deps.now().getTime();
    const expired = await repo.expiredReports(now);
    for (const r of expired) {
      await rm(join(deps.reportsDir, r.fileName), { force: true });
      await repo.deleteReport(r.id);
    }
    const { periodsLifetimeDays } = await currentSettings();
    const periodsPruned = await repo.prunePeriods(now - periodsLifetimeDays * 86_400_000);
    if (expired.length + periodsPruned > 0) deps.log.info({ reportsDeleted: expired.length, periodsPruned }, 'protection report housekeeping');
    return { reportsDeleted: expired.length, periodsPruned };
  }

  return {
    /** Starts a CreateTenantReport task; throws UnknownTenantError for a tenant that does not exist. */
    async generate(q: ReportQuery, createdBy: string): Promise<Task> {
      const scope = await scopeOf(q);
      return deps.tasks.submit(REPORT_TASK, scope satisfies ReportParams, createdBy);
    },

    /** The kept report file, or undefined when it never existed or has expired. */
    async reportFile(id: string): Promise<{ path: string; bytes: number } | undefined> {
      const r = await repo.getReport(id);
      if (!r) return undefined;
      const path = join(deps.reportsDir, r.fileName);
      if (r.expiresAt <= deps.now().getTime() || !existsSync(path)) return undefined;
      return { path, bytes: statSync(path).size };
    },

    /** Writes a report straight to a file, for `lightkeeper report`. */
    async writeReport(q: ReportQuery, file: string) {
      const scope = await scopeOf(q);
      return { scope, ...(await writeCsvFile(file, repo.reportLines(scope))) };
    },

    async protectedTime(q: { tenantId?: string; from?: number; to?: number; step: 'day' | 'hour' }): Promise<ProtectedTime> {
      const scope = await scopeOf(q);
      const stepMs = q.step === 'day' ? 86_400_000 : 3_600_000;
      const { steps, totals } = await repo.protectedTime({ ...scope, stepMs });
      return {
        from: new Date(scope.from).toISOString(),
        to: new Date(scope.to).toISOString(),
        step: q.step,
        steps: steps.map((s) => ({ ...s, stepStart: new Date(s.stepStart).toISOString() })),
        totals,
        collecting: deps.collection.collectingPeriods,
      };
    },

    settings: currentSettings,
    async updateSettings(patch: Partial<ProtectionReportSettings>): Promise<ProtectionReportSettings> {
      if (patch.enabled !== undefined) await deps.collection.setPeriodCollection(patch.enabled);
      if (patch.periodsLifetimeDays !== undefined) await settings.set(REPORT_SETTING_KEYS.periodsLifetimeDays, patch.periodsLifetimeDays);
      if (patch.reportLifetimeHours !== undefined) await settings.set(REPORT_SETTING_KEYS.reportLifetimeHours, patch.reportLifetimeHours);
      return currentSettings();
    },

    housekeeping,
    start(): void {
      const run = () => void housekeeping().catch((e) => deps.log.error({ err: e }, 'report housekeeping failed'));
      const follow = async () => {
        const stored = (await settings.get<boolean>(REPORT_SETTING_KEYS.enabled)) === true;
        if (stored !== deps.collection.collectingPeriods) await deps.collection.setPeriodCollection(stored);
      };
      timers = [setInterval(run, HOUSEKEEPING_MS), setInterval(() => void follow().catch((e) => deps.log.error({ err: e }, 'settings poll failed')), SETTINGS_POLL_MS)];
      for (const t of timers) t.unref();
      run();
    },
    stop(): void {
      for (const t of timers) clearInterval(t);
      timers = [];
    },
  };
}
export type ProtectionReports = ReturnType<typeof createProtectionReports>;
