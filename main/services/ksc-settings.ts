import {
  createAdministrationServer,
  DEFAULT_KSC_PORT,
  normalizeFingerprint,
  probeFingerprint,
  type AdministrationServer,
  type KscConnectionSettings,
} from '../connectors/ksc/index.ts';
import type { KscSettingsRequest, KscSettingsView, KscTestReportView } from '../contract/ksc.ts';
import type { KscConnectionRecord, KscConnectionRepository } from '../store/repositories.ts';
import type { Actor, AuditLog } from './audit-log.ts';
import type { Logger } from './logger.ts';

export type KscSettingsOptions = {
  /** For tests: a shorter wait for an Administration Server that does not answer. */
  requestTimeoutMs?: number;
};

/**
 * The Administration Server connection (issue 5 item 5): stored sealed, read afresh for every task
 * (so `lightkeeper ksc set` on a running server takes effect at once), never shown with its password.
 */
export function createKscSettings(repo: KscConnectionRepository, audit: AuditLog, log: Logger, options: KscSettingsOptions = {}) {
  const toConnector = (c: KscConnectionRecord): KscConnectionSettings => ({
    address: c.address,
    port: c.port,
    user: c.user,
    password: c.password,
    pinnedFingerprint: c.pinnedFingerprint,
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    onCall: (e) => log.debug({ ksc: e }, 'Administration Server call'),
  });

  return {
    async view(): Promise<KscSettingsView> {
      const c = await repo.get();
      return c
        ? { configured: true, address: c.address, port: c.port, user: c.user, pinnedFingerprint: c.pinnedFingerprint, passwordSet: c.password !== '' }
        : { configured: false, address: null, port: null, user: null, pinnedFingerprint: null, passwordSet: false };
    },
    async isConfigured(): Promise<boolean> {
      return (await repo.get()) !== undefined;
    },
    /** Stores the settings with the fingerprint the administrator confirmed; throws on a malformed one. */
    async set(request: KscSettingsRequest, actor: Actor): Promise<KscSettingsView> {
      const pinnedFingerprint = normalizeFingerprint(request.pinnedFingerprint);
      const port = request.port ?? DEFAULT_KSC_PORT;
      await repo.set({ address: request.address.trim(), port, user: request.user, password: request.password, pinnedFingerprint });
      await audit.record(actor, 'ksc.set', `${request.address.trim()}:${port}`, { user: request.user, pinnedFingerprint });
      return this.view();
    },
    async clear(actor: Actor): Promise<void> {
      await repo.clear();
      await audit.record(actor, 'ksc.clear', null);
    },
    /** The SHA-256 fingerprint the server presents, for the administrator to confirm before it is pinned. */
    async probe(address: string, port = DEFAULT_KSC_PORT): Promise<string> {
      return (await probeFingerprint(address, port, { timeoutMs: options.requestTimeoutMs ?? 10_000 })).fingerprint;
    },
    async test(): Promise<KscTestReportView | undefined> {
      const c = await repo.get();
      if (!c) return undefined;
      const server = createAdministrationServer(toConnector(c));
      try {
        const report = await server.test();
        return { ok: report.ok, presentedFingerprint: report.presentedFingerprint ?? null, checks: report.checks, missing: report.missing };
      } finally {
        await server.close().catch(() => undefined);
      }
    },
    /** A connection for one task step, or undefined when none is configured. The caller closes it. */
    async open(): Promise<AdministrationServer | undefined> {
      const c = await repo.get();
      return c ? createAdministrationServer(toConnector(c)) : undefined;
    },
  };
}
export type KscSettings = ReturnType<typeof createKscSettings>;
