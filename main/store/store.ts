import type { DatabaseSync } from 'node:sqlite';
import { openDatabase } from './database.ts';
import type { DataKeyProvider } from './data-key.ts';
import { ensureDataFolder, type DataFolder } from './data-folder.ts';
import type {
  AccountsRepository,
  AuditLogRepository,
  DiagnosticMarksRepository,
  KscConnectionRepository,
  SettingsRepository,
  TasksRepository,
  TenantsRepository,
} from './repositories.ts';
import type { InfrastructureStore } from './infrastructure-repositories.ts';
import { createSealer, type Sealer } from './sealing.ts';
import { sqliteAccounts } from './sqlite-accounts.ts';
import { sqliteAuditLog } from './sqlite-audit-log.ts';
import { sqliteDiagnosticMarks } from './sqlite-diagnostic-marks.ts';
import { sqliteInfrastructure } from './sqlite-infrastructure.ts';
import { sqliteKscConnection } from './sqlite-ksc-connection.ts';
import { sqliteProtectionReports } from './sqlite-protection-reports.ts';
import type { ProtectionReportRepository } from './protection-report-repository.ts';
import { sqliteSettings } from './sqlite-settings.ts';
import { sqliteAgents, sqliteSvms } from './sqlite-svms.ts';
import type { AgentsRepository, SvmsRepository } from './svm-repositories.ts';
import { sqliteTasks } from './sqlite-tasks.ts';
import { sqliteTenants } from './sqlite-tenants.ts';

/** Everything persistent, behind interfaces; the only thing that knows it is SQLite is this folder. */
export type Store = {
  folder: DataFolder;
  schemaVersion: number;
  sealer: Sealer;
  accounts: AccountsRepository;
  tasks: TasksRepository;
  settings: SettingsRepository;
  diagnosticMarks: DiagnosticMarksRepository;
  svms: SvmsRepository;
  agents: AgentsRepository;
  tenants: TenantsRepository;
  auditLog: AuditLogRepository;
  kscConnection: KscConnectionRepository;
  /** Hypervisor connections, SVM images, deployed SVMs (issue 8). */
  infrastructure: InfrastructureStore;
  /** Protection reports and the queries behind them (issue 7). */
  protectionReports: ProtectionReportRepository;
  close(): void;
};

export async function openStore(folder: DataFolder, keys: DataKeyProvider, options: { create: boolean }): Promise<Store> {
  ensureDataFolder(folder);
  const sealer = createSealer(await keys.getKey({ create: options.create }));
  const { db, schemaVersion } = openDatabase(folder.database);
  return composeStore(db, schemaVersion, folder, sealer);
}

function composeStore(db: DatabaseSync, schemaVersion: number, folder: DataFolder, sealer: Sealer): Store {
  return {
    folder,
    schemaVersion,
    sealer,
    accounts: sqliteAccounts(db),
    tasks: sqliteTasks(db, sealer),
    settings: sqliteSettings(db),
    diagnosticMarks: sqliteDiagnosticMarks(db),
    svms: sqliteSvms(db),
    agents: sqliteAgents(db),
    tenants: sqliteTenants(db, sealer),
    auditLog: sqliteAuditLog(db),
    kscConnection: sqliteKscConnection(db, sealer),
    infrastructure: sqliteInfrastructure(db, sealer),
    protectionReports: sqliteProtectionReports(db),
    close: () => db.close(),
  };
}
