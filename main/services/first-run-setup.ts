import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ACCOUNT_NAMES, type AccountName } from '../contract/accounts.ts';
import { checkPassword } from '../domain/password-policy.ts';
import type { AccountsService } from './accounts.ts';
import { createLoginThrottle } from './login-throttle.ts';

export type FirstRunOutcome =
  | { ok: true; warnings: Array<{ account: AccountName; message: string }> }
  | { ok: false; status: 400 | 403 | 409 | 429; code: string; message: string };

/** A token for the terminal (or the desktop window) that started the server: 128 bits, URL-safe. */
export const newSetupToken = () => randomBytes(16).toString('base64url');

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * First-run setup from the console: there are no default passwords, so until every account has
 * one, whoever holds the one-time token the server printed may set them — once. Wrong tokens are
 * throttled per address like failed logins.
 */
export function createFirstRunSetup(accounts: AccountsService, token: string | null) {
  const expected = token === null ? null : digest(token);
  const throttle = createLoginThrottle({ perPair: 5, perAddress: 20, windowSeconds: 300 });
  let done = false;

  return {
    async required(): Promise<boolean> {
      if (expected === null || done) return false;
      done = await accounts.isSetUp();
      return !done;
    },

    async complete(address: string, offered: string, passwords: Record<AccountName, string>): Promise<FirstRunOutcome> {
      if (expected === null || done || (await accounts.isSetUp())) {
        done = true;
        return { ok: false, status: 409, code: 'ALREADY_SET_UP', message: 'This server is already set up; change a password with `lightkeeper accounts passwd NAME` or in the console.' };
      }
      const wait = await throttle.blockedFor(address, 'setup');
      if (wait > 0) return { ok: false, status: 429, code: 'SETUP_THROTTLED', message: `Too many wrong setup tokens from this address; try again in ${Math.ceil(wait / 1000)} s.` };
      if (!timingSafeEqual(digest(offered), expected)) {
        await throttle.failed(address, 'setup');
        return { ok: false, status: 403, code: 'SETUP_TOKEN_WRONG', message: 'That is not the setup token this server printed when it started.' };
      }
      for (const name of ACCOUNT_NAMES) {
        const { errors } = checkPassword(passwords[name]);
        if (errors.length > 0) {
          return { ok: false, status: 400, code: 'PASSWORD_REFUSED', message: `passwords.${name}: ${errors.map((e) => e.message).join(' ')}` };
        }
      }
      const warnings: Array<{ account: AccountName; message: string }> = [];
      for (const name of ACCOUNT_NAMES) {
        const r = await accounts.setPassword(name, passwords[name]);
        warnings.push(...r.warnings.map((w) => ({ account: name, message: w.message })));
      }
      done = true;
      return { ok: true, warnings };
    },
  };
}
export type FirstRunSetup = ReturnType<typeof createFirstRunSetup>;
