import type { AccountName } from '../contract/accounts.ts';
import type { TaskState } from '../contract/tasks.ts';

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
