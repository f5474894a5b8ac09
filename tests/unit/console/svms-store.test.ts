import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { SvmSummary } from '../../../main/contract/svms.ts';
import { useSvmsStore } from '../../../renderer/src/features/svms/svms-store.ts';
import { json } from './fake-server.ts';
import { signedIn } from './signed-in.ts';

const svm = (n: number, state: SvmSummary['state']): SvmSummary => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  name: `svm-${n}`,
  agentAddress: '10.0.0.1',
  agentPorts: [9876],
  managementAddress: '10.1.0.1',
  path: null,
  version: '6.1.0.57',
  licence: { edition: 'Enterprise', keyType: 'server', expires: null, denylisted: false, addOns: [], valid: true },
  averageLoad: 0,
  connectedAgents: 0,
  pendingAgents: 0,
  channelEncryption: 'off',
  connectionTags: { enabled: false, list: [] },
  largeInfrastructureMode: false,
  updateSource: { platforms: ['windows', 'linux'] },
  lastReportAt: '2026-11-25T12:00:00.000Z',
  reportIntervalSeconds: 300,
  firstSeenAt: '2026-11-25T11:00:00.000Z',
  state,
  identityConflict: null,
});

beforeEach(() => setActivePinia(createPinia()));

const counts = { at: '2026-11-25T12:00:00.000Z', svmsFresh: 1, svmsStale: 1, vmsKnown: 7, vmsConnected: 5, vmsUnprotected: 2, vmsWithSentinel: 1 };

describe('the SVMs store', () => {
  it('has the protected-VM counts as soon as the list loads, not only after the next change the server publishes', async () => {
    await signedIn({ 'GET /api/v1/svms': () => json({ items: [svm(1, 'fresh'), svm(2, 'stale')], total: 2, fresh: 1, stale: 1, agents: counts }) });
    const svms = useSvmsStore();
    expect(svms.agents).toBeNull();
    await svms.load();
    expect(svms.agents).toEqual(counts);
  });
});

describe('forgetting a stale SVM from the console', () => {
  it('asks the server, then drops the SVM from the list', async () => {
    const server = await signedIn({
      'GET /api/v1/svms': () => json({ items: [svm(1, 'fresh'), svm(2, 'stale')], total: 2, fresh: 1, stale: 1, agents: counts }),
      'DELETE /api/v1/svms/00000000-0000-4000-8000-000000000002': () => json(svm(2, 'stale')),
    });
    const svms = useSvmsStore();
    await svms.load();
    expect(await svms.forget(svm(2, 'stale'))).toEqual({ ok: true });
    expect(server.sent.some((s) => s.method === 'DELETE')).toBe(true);
    expect(svms.items.map((s) => s.name)).toEqual(['svm-1']);
  });

  it('keeps the SVM and says why when the server refuses', async () => {
    await signedIn({
      'GET /api/v1/svms': () => json({ items: [svm(1, 'fresh')], total: 1, fresh: 1, stale: 0, agents: counts }),
      'DELETE /api/v1/svms/00000000-0000-4000-8000-000000000001': () =>
        json({ statusCode: 409, code: 'SVM_STILL_REPORTING', error: 'Conflict', message: "The SVM 'svm-1' still reports to this server." }, 409),
    });
    const svms = useSvmsStore();
    await svms.load();
    const r = await svms.forget(svm(1, 'fresh'));
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toContain('still reports');
    expect(svms.items.map((s) => s.name)).toEqual(['svm-1']);
  });
});
