import type { AccountName } from '../contract/accounts.ts';

/** The parts of the server an account can be allowed into. */
export type ApiArea = 'vendor-api' | 'svm-report' | 'agent-discovery' | 'json-api';

export const FIRST_RUN_SETUP_PATH = '/api/v1/setup';

/** Which area a request path belongs to; undefined for paths that need no account (the console's files). */
export function areaOfPath(path: string): ApiArea | undefined {
  // First-run setup has no account yet to authenticate with: a one-time token guards it instead.
  if (path === FIRST_RUN_SETUP_PATH) return undefined;
  if (path === '/api/2.0/virtualization' || path.startsWith('/api/2.0/')) return 'vendor-api';
  if (path.startsWith('/api/agents/v1/svm/')) return 'svm-report';
  if (path.startsWith('/api/agents/')) return 'agent-discovery';
  if (path.startsWith('/api/')) return 'json-api';
  return undefined;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Each account's scope (issue 4, domain.md §5.1): `multitenancy` only the vendor REST API,
 * `svm` only the SVM report channel, `agent` only discovery, `viewer` the JSON API read-only,
 * `admin` everything.
 */
export function isAllowed(account: AccountName, area: ApiArea, method: string): boolean {
  switch (account) {
    case 'admin':
      return true;
    case 'multitenancy':
      return area === 'vendor-api';
    case 'svm':
      return area === 'svm-report';
    case 'agent':
      return area === 'agent-discovery';
    case 'viewer':
      return area === 'json-api' && READ_METHODS.has(method.toUpperCase());
  }
}
