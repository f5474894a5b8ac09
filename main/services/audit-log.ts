import type { AuditChannel, AuditEntry, AuditListQuery } from '../contract/audit.ts';
import type { AuditLogRepository } from '../store/repositories.ts';

/** Who asked for a change, and through what: every change records it. */
export type Actor = { account: string; address: string; channel: AuditChannel };

/** The audit log: who changed what, when and from which address. Details never hold a secret. */
export function createAuditLog(repo: AuditLogRepository, now: () => Date) {
  return {
    async record(actor: Actor, action: string, target: string | null, details: Record<string, unknown> = {}, taskId: string | null = null): Promise<void> {
      await repo.append({ at: now().toISOString(), account: actor.account, address: actor.address, channel: actor.channel, action, target, taskId, details });
    },
    async list(q: AuditListQuery): Promise<{ items: AuditEntry[]; total: number }> {
      return repo.list({
        ...(q.from ? { from: new Date(q.from).toISOString() } : {}),
        ...(q.to ? { to: new Date(q.to).toISOString() } : {}),
        ...(q.account ? { account: q.account } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.target ? { target: q.target } : {}),
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
      });
    },
  };
}
export type AuditLog = ReturnType<typeof createAuditLog>;
