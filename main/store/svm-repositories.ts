import type { DiscoverRequest, SvmReport } from '../contract/agents.ts';

/**
 * The agents feature's persistence (issue 6): the SVM registry, the Light Agents' connection
 * periods, and what each Light Agent last asked. Asynchronous and engine-neutral like every
 * repository (design §4, §8); the hot paths keep their state in memory and only write here.
 */

/** Another machine reported this SVM's identity from a different address. */
export type SvmIdentityConflict = { at: number; previousAddress: string; address: string };

export type StoredSvm = {
  id: string;
  name: string;
  /** The last report, without its connection periods. */
  report: Omit<SvmReport, 'connectionPeriods'>;
  lastReportAt: number;
  reportIntervalMs: number;
  firstSeenAt: number;
  conflict: SvmIdentityConflict | null;
};

/** One Light Agent connection; times are epoch ms, `endAt` null while it lasts. */
export type StoredPeriod = { svmId: string; vmBiosId: string; startAt: number; endAt: number | null };

export interface SvmsRepository {
  loadAll(): Promise<StoredSvm[]>;
  /**
   * Saves the SVM and its periods in one transaction, so an SVM that got an answer never loses a
   * period. A period already stored (same SVM, VM and start) is only updated: closed if it is now
   * closed, never reopened.
   */
  saveReport(svm: StoredSvm, periods: readonly StoredPeriod[]): Promise<void>;
  /** Closes the SVM's open periods at `at` (an SVM gone stale: at its last report). */
  closeOpenPeriods(svmId: string, at: number): Promise<number>;
  periods(filter: { svmId?: string; vmBiosId?: string }): Promise<StoredPeriod[]>;
  /**
   * Forgets an SVM that is gone: its row goes, its connection periods stay for the reports, the
   * open ones closed at `at` (its last report).
   */
  forget(svmId: string, at: number): Promise<void>;
}

export type AgentOutcome = 'svms' | 'sentinel' | 'none';

export type StoredAgent = {
  vmBiosId: string;
  vmName: string;
  lastAskedAt: number;
  request: DiscoverRequest;
  offeredSvmId: string | null;
  outcome: AgentOutcome;
};

export interface AgentsRepository {
  loadAll(): Promise<StoredAgent[]>;
  /** Upserts a batch in one transaction. */
  saveBatch(agents: readonly StoredAgent[]): Promise<void>;
}
