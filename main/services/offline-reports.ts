import { writeCsvFile } from './csv-report-writer.ts';
import { readReportSettings, REPORT_SETTING_KEYS, reportScope, type ReportQuery } from './protection-reports.ts';
import { withStore } from './setup.ts';
import type { ProtectionReportSettings } from '../contract/reports.ts';

/**
 * The protection reports for scripts on the server's own machine (`lightkeeper report`,
 * `lightkeeper settings`): straight on the data folder, safe beside a running server (SQLite WAL
 * lets it read while the server writes). A running server follows a changed setting within 15 s.
 */
export async function writeReportFile(dataDir: string, q: ReportQuery, file: string) {
  return withStore(dataDir, false, undefined, async (store) => {
    const scope = await reportScope(store.protectionReports, async (id) => (await store.tenants.get(id)) !== undefined, q, Date.now());
    return { scope, ...(await writeCsvFile(file, store.protectionReports.reportLines(scope))) };
  });
}

export async function protectionReportSettings(dataDir: string, patch: Partial<ProtectionReportSettings>): Promise<ProtectionReportSettings> {
  return withStore(dataDir, false, undefined, async (store) => {
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) await store.settings.set(REPORT_SETTING_KEYS[k as keyof typeof REPORT_SETTING_KEYS], v);
    return readReportSettings(store.settings);
  });
}
