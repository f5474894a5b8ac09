import type { AccountName } from '../contract/accounts.ts';
import type { AuditChannel } from '../contract/audit.ts';
import type { TaskState } from '../contract/tasks.ts';
import type { TenantSortField, TenantStatus, TenantType } from '../contract/tenants.ts';

/**
 * The store's interfaces. They say nothing of SQLite and are asynchronous, so that the
 * high-availability mode (design §8) can put PostgreSQL behind them without touching services.
 */
export type StoredAccount = { name: AccountName; passwordHash: string; passwordChanged: string };

export interface AccountsRepository {
  get(name: AccountName): Promise<StoredAccount | undefined>;
  list(): Promise<StoredAccount[]>;
  setPasswordHash(name: AccountName, passwordHash: string, changedAt: string): Promise<void>;
}

export type TaskRecord = {
  id: string;
  type: string;
  state: TaskState;
  stage: string;
  progress: number;
  parentId: string | null;
  createdBy: string;
  params: unknown;
  memo: Record<string, unknown>;
  stepsDone: number;
  cancelRequested: boolean;
  result: unknown;
  errorCode: string | null;
  errorMessage: string | null;
  created: string;
  stateChanged: string;
  changed: string;
};

export type TaskFilter = {
  createdFrom?: string;
  states?: readonly TaskState[];
  type?: string;
  limit?: number;
  offset?: number;
};

export type TaskPatch = Partial<
  Pick<TaskRecord, 'state' | 'stage' | 'progress' | 'memo' | 'stepsDone' | 'cancelRequested' | 'result' | 'errorCode' | 'errorMessage' | 'stateChanged' | 'changed'>
>;

export interface TasksRepository {
  insert(task: TaskRecord): Promise<void>;
  get(id: string): Promise<TaskRecord | undefined>;
  update(id: string, patch: TaskPatch): Promise<void>;
  list(filter: TaskFilter): Promise<{ items: TaskRecord[]; total: number }>;
}

export interface SettingsRepository {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

export interface DiagnosticMarksRepository {
  add(taskId: string, step: number): Promise<void>;
  remove(taskId: string, step: number): Promise<void>;
  count(taskId?: string): Promise<number>;
}

export type TenantLifecycle = 'Creating' | 'Ready' | 'Deleting';

/** A tenant as stored. `adminPassword` is sealed in the database and opened only here. */
export type TenantRecord = {
  id: string;
  name: string;
  description: string;
  userData: string;
  preferredViisAddress: string | null;
  type: TenantType;
  status: TenantStatus;
  lifecycle: TenantLifecycle;
  taskId: string | null;
  vKscId: number | null;
  adminName: string | null;
  adminPassword: string | null;
  kscAccountId: number | null;
  kscFolderId: number | null;
  created: string;
  updated: string;
};

export type TenantPatch = Partial<
  Pick<TenantRecord, 'status' | 'lifecycle' | 'taskId' | 'vKscId' | 'kscAccountId' | 'kscFolderId' | 'updated'>
>;

export type TenantQuery = {
  nameContains?: string;
  status?: TenantStatus;
  type?: TenantType;
  lifecycles: readonly TenantLifecycle[];
  sort: TenantSortField;
  descending: boolean;
  limit: number;
  offset: number;
};

export type VmRecord = { id: string; tenantId: string; biosId: string; name: string; userData: string; created: string; updated: string };

/** A unique rule of the store was broken; `field` says which (`tenant.name`, `vm.biosId`). */
export class UniqueViolation extends Error {
  readonly field: string;
  readonly value: string;
  constructor(field: string, value: string) {
    super(`${field} '${value}' is already taken.`);
    this.name = 'UniqueViolation';
    this.field = field;
    this.value = value;
  }
}

export interface TenantsRepository {
  /** Throws UniqueViolation('tenant.name') when the name (any case) is taken. */
  insert(tenant: TenantRecord): Promise<void>;
  get(id: string): Promise<TenantRecord | undefined>;
  findByName(name: string): Promise<TenantRecord | undefined>;
  findByTask(taskId: string): Promise<TenantRecord[]>;
  update(id: string, patch: TenantPatch): Promise<void>;
  /** Removes the tenant and its VMs together. */
  remove(id: string): Promise<void>;
  list(query: TenantQuery): Promise<{ items: Array<TenantRecord & { vmCount: number }>; total: number }>;
  /** Complete tenants other than `exceptId`, whatever their lifecycle: they keep the tenants' folder in use. */
  countComplete(exceptId: string): Promise<number>;
  /** All or nothing; throws UniqueViolation('vm.biosId') naming the first BIOS id already registered anywhere. */
  insertVms(vms: readonly VmRecord[]): Promise<void>;
  listVms(tenantId: string): Promise<VmRecord[]>;
  findVm(tenantId: string, key: { biosId?: string; vmId?: string }): Promise<VmRecord | undefined>;
  removeVm(id: string): Promise<void>;
  /** Every registered VM's BIOS id with its tenant: what the in-memory directory loads at start. */
  vmDirectory(): Promise<Array<{ biosId: string; tenantId: string }>>;
}

export type AuditRecord = {
  seq: number;
  at: string;
  account: string;
  address: string;
  channel: AuditChannel;
  action: string;
  target: string | null;
  taskId: string | null;
  details: Record<string, unknown>;
};

export type AuditFilter = { from?: string; to?: string; account?: string; action?: string; target?: string; limit: number; offset: number };

export interface AuditLogRepository {
  append(entry: Omit<AuditRecord, 'seq'>): Promise<void>;
  list(filter: AuditFilter): Promise<{ items: AuditRecord[]; total: number }>;
}

/** The Administration Server connection; kept sealed as a whole (it holds the account's password). */
export type KscConnectionRecord = { address: string; port: number; user: string; password: string; pinnedFingerprint: string };

export interface KscConnectionRepository {
  get(): Promise<KscConnectionRecord | undefined>;
  set(connection: KscConnectionRecord): Promise<void>;
  clear(): Promise<void>;
}
