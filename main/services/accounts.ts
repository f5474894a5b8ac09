import { hash, randomBytes } from 'node:crypto';
import { ACCOUNT_NAMES, ACCOUNT_PURPOSE, type AccountName, type AccountSummary } from '../contract/accounts.ts';
import { checkPassword, type PasswordFinding } from '../domain/password-policy.ts';
import * as scryptHashing from '../store/password-hashing.ts';
import type { AccountsRepository, StoredAccount } from '../store/repositories.ts';
import type { LoginThrottle } from './login-throttle.ts';

export class PasswordRejectedError extends Error {
  readonly findings: PasswordFinding[];
  constructor(account: string, findings: PasswordFinding[]) {
    super(`The password for '${account}' was refused: ${findings.map((f) => f.message).join(' ')}`);
    this.name = 'PasswordRejectedError';
    this.findings = findings;
  }
}

export type AuthResult =
  | { ok: true; account: AccountName }
  | { ok: false; reason: 'unknown-or-wrong' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

export const isAccountName = (name: string): name is AccountName => (ACCOUNT_NAMES as readonly string[]).includes(name);

/**
 * How long a stored account row is used before it is read again. Reading it is ~11 µs of SQLite,
 * the largest cost of a request after TLS; a password changed by another process (the CLI) still
 * takes effect within this time.
 */
export const ROW_FRESH_MS = 1000;

export type PasswordHashing = Pick<typeof scryptHashing, 'hashPassword' | 'verifyPassword' | 'decoyHash'>;

/**
 * Accounts: setting passwords under the vendor's rules, and checking Basic credentials on every
 * request. scrypt is deliberately slow, so a successful check is remembered as a digest salted with
 * a secret that exists only in this process, tied to the stored hash: a password change elsewhere
 * (the CLI) invalidates it within ROW_FRESH_MS, and the memory never holds a password.
 */
export function createAccountsService(repo: AccountsRepository, throttle: LoginThrottle, now: () => Date, hashing: PasswordHashing = scryptHashing) {
  const { hashPassword, verifyPassword, decoyHash } = hashing;
  const salt = randomBytes(32).toString('base64');
  const verified = new Map<AccountName, { digest: string; hash: string }>();
  // Thousands of agents reconnecting after a restart send the same credentials at once: they share
  // one scrypt instead of queueing one each on the four-thread pool (50 cold requests took 22 s).
  const rows = new Map<AccountName, { account: StoredAccount | undefined; readAt: number }>();
  const checking = new Map<AccountName, { digest: string; hash: string; result: Promise<boolean> }>();
  // One-shot SHA-256 to a string: a fifth of an HMAC's cost, on every request. Digests are compared
  // with ===: its timing could only tell how much of an unpredictable (secretly salted) digest
  // matched, which says nothing about the password.
  const digestOf = (account: string, password: string) => hash('sha256', `${salt}\u0000${account}\u0000${password}`, 'base64');

  const freshRow = (name: AccountName, at: number) => {
    const known = rows.get(name);
    return known && at - known.readAt < ROW_FRESH_MS && at >= known.readAt ? known : undefined;
  };

  const accountRow = async (name: AccountName): Promise<StoredAccount | undefined> => {
    const at = now().getTime();
    const known = freshRow(name, at);
    if (known) return known.account;
    const account = await repo.get(name);
    rows.set(name, { account, readAt: at });
    return account;
  };

  const verifyOnce = (name: AccountName, hash: string, digest: string, password: string): Promise<boolean> => {
    const same = checking.get(name);
    if (same && same.hash === hash && same.digest === digest) return same.result;
    const result = verifyPassword(password, hash);
    const entry = { digest, hash, result };
    checking.set(name, entry);
    const done = () => {
      if (checking.get(name) === entry) checking.delete(name);
    };
    result.then(done, done);
    return result;
  };

  return {
    async setPassword(name: AccountName, password: string): Promise<{ warnings: PasswordFinding[] }> {
      const verdict = checkPassword(password);
      if (verdict.errors.length > 0) throw new PasswordRejectedError(name, verdict.errors);
      await repo.setPasswordHash(name, await hashPassword(password), now().toISOString());
      verified.delete(name);
      rows.delete(name);
      return { warnings: verdict.warnings };
    },

    async isSetUp(): Promise<boolean> {
      const names = new Set((await repo.list()).map((a) => a.name));
      return ACCOUNT_NAMES.every((n) => names.has(n));
    },

    async list(): Promise<AccountSummary[]> {
      const stored = new Map((await repo.list()).map((a) => [a.name, a]));
      return ACCOUNT_NAMES.map((name) => ({
        name,
        purpose: ACCOUNT_PURPOSE[name],
        passwordSet: stored.has(name),
        passwordChanged: stored.get(name)?.passwordChanged ?? null,
      }));
    },

    /**
     * The common case without a promise: credentials verified before, an account row read within
     * ROW_FRESH_MS, and an address with no recent failure. Undefined means "ask `authenticate`",
     * never "wrong".
     */
    knownAccount(address: string, username: string, password: string): AccountName | undefined {
      if (!isAccountName(username) || throttle.failedRecently(address)) return undefined;
      const row = freshRow(username, now().getTime())?.account;
      const cached = verified.get(username);
      if (!row || !cached || cached.hash !== row.passwordHash || cached.digest !== digestOf(username, password)) return undefined;
      return username;
    },

    async authenticate(address: string, username: string, password: string): Promise<AuthResult> {
      const retryAfterMs = await throttle.blockedFor(address, username);
      if (retryAfterMs > 0) return { ok: false, reason: 'throttled', retryAfterMs };
      const account = isAccountName(username) ? await accountRow(username) : undefined;
      if (account) {
        const digest = digestOf(account.name, password);
        const cached = verified.get(account.name);
        if (cached && cached.hash === account.passwordHash && cached.digest === digest) {
          return { ok: true, account: account.name };
        }
        if (await verifyOnce(account.name, account.passwordHash, digest, password)) {
          verified.set(account.name, { digest, hash: account.passwordHash });
          await throttle.succeeded(address, username);
          return { ok: true, account: account.name };
        }
      } else {
        // Same cost as a real check, so response time does not tell which accounts exist.
        await verifyPassword(password, await decoyHash());
      }
      await throttle.failed(address, username);
      return { ok: false, reason: 'unknown-or-wrong' };
    },
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;
