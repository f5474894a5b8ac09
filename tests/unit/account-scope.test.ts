import { describe, expect, it } from 'vitest';
import { ACCOUNT_NAMES } from '../../main/contract/accounts.ts';
import { areaOfPath, isAllowed, type ApiArea } from '../../main/domain/account-scope.ts';

describe('which area a path belongs to', () => {
  it.each([
    ['/api/2.0/virtualization/tenants', 'vendor-api'],
    ['/api/2.0/virtualization', 'vendor-api'],
    ['/api/agents/v1/svm/report', 'svm-report'],
    ['/api/agents/v1/agent/discover', 'agent-discovery'],
    ['/api/v1/health', 'json-api'],
    ['/api/v1/events', 'json-api'],
  ] as const)('%s → %s', (path, area) => {
    expect(areaOfPath(path)).toBe(area);
  });

  it('leaves first-run setup to its one-time token', () => {
    expect(areaOfPath('/api/v1/setup')).toBeUndefined();
    expect(areaOfPath('/api/v1/setup/x')).toBe('json-api');
  });

  it('leaves the console files public', () => {
    expect(areaOfPath('/')).toBeUndefined();
    expect(areaOfPath('/assets/index.js')).toBeUndefined();
  });
});

describe('account scopes', () => {
  const areas: ApiArea[] = ['vendor-api', 'svm-report', 'agent-discovery', 'json-api'];
  const expected: Record<string, ApiArea[]> = {
    admin: areas,
    multitenancy: ['vendor-api'],
    svm: ['svm-report'],
    agent: ['agent-discovery'],
    viewer: ['json-api'],
  };

  it.each(ACCOUNT_NAMES.flatMap((a) => areas.map((area) => [a, area] as const)))('%s reading %s', (account, area) => {
    expect(isAllowed(account, area, 'GET')).toBe(expected[account]!.includes(area));
  });

  it('lets viewer read the JSON API but change nothing', () => {
    expect(isAllowed('viewer', 'json-api', 'GET')).toBe(true);
    expect(isAllowed('viewer', 'json-api', 'HEAD')).toBe(true);
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(isAllowed('viewer', 'json-api', m)).toBe(false);
  });

  it('lets admin change things everywhere', () => {
    for (const area of areas) expect(isAllowed('admin', area, 'POST')).toBe(true);
  });
});
