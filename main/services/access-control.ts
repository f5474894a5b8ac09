import { areaOfPath, isAllowed, type ApiArea } from '../domain/account-scope.ts';
import type { AccountName } from '../contract/accounts.ts';
import type { AccountsService } from './accounts.ts';

export type { ApiArea };

export type AccessDecision =
  | { kind: 'public' }
  | { kind: 'granted'; area: ApiArea; account: AccountName }
  | { kind: 'unauthenticated'; area: ApiArea; retryAfterMs?: number }
  | { kind: 'forbidden'; area: ApiArea; account: AccountName };

/** `Authorization: Basic base64(user:password)`; the password may itself contain ':'. */
export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header) return undefined;
  // The scheme is case-insensitive; the value is the second space-separated token.
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space);
  if (scheme !== 'Basic' && scheme.toLowerCase() !== 'basic') return undefined;
  const end = header.indexOf(' ', space + 1);
  const value = end < 0 ? header.slice(space + 1) : header.slice(space + 1, end);
  if (!value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Who may call what: Basic credentials on every call, then the account's scope for the area. */
export function createAccessControl(accounts: AccountsService) {
  return {
    /**
     * The decision without waiting, for credentials already verified (every request of a running
     * fleet); undefined when it needs `decide`.
     */
    decideKnown(method: string, path: string, authorization: string | undefined, address: string): AccessDecision | undefined {
      const area = areaOfPath(path);
      if (!area) return { kind: 'public' };
      const credentials = parseBasic(authorization);
      const account = credentials && accounts.knownAccount(address, credentials.user, credentials.password);
      if (!account) return undefined;
      return isAllowed(account, area, method) ? { kind: 'granted', area, account } : { kind: 'forbidden', area, account };
    },
    async decide(method: string, path: string, authorization: string | undefined, address: string): Promise<AccessDecision> {
      const area = areaOfPath(path);
      if (!area) return { kind: 'public' };
      const credentials = parseBasic(authorization);
      if (!credentials) return { kind: 'unauthenticated', area };
      const result = await accounts.authenticate(address, credentials.user, credentials.password);
      if (!result.ok) {
        return result.reason === 'throttled' ? { kind: 'unauthenticated', area, retryAfterMs: result.retryAfterMs } : { kind: 'unauthenticated', area };
      }
      if (!isAllowed(result.account, area, method)) return { kind: 'forbidden', area, account: result.account };
      return { kind: 'granted', area, account: result.account };
    },
  };
}
export type AccessControl = ReturnType<typeof createAccessControl>;
