import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Tenant } from '../../../main/contract/tenants.ts';
import { useLiveStore } from '../../../renderer/src/features/live/live-store.ts';
import { activationConsequence, deletionConsequence } from '../../../renderer/src/features/tenants/tenant-consequences.ts';
import { useTenantsStore } from '../../../renderer/src/features/tenants/tenants-store.ts';
import { json } from './fake-server.ts';
import { signedIn } from './signed-in.ts';

const tenant = (n: number, over: Partial<Tenant> = {}): Tenant => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  name: `Tenant ${n}`,
  description: '',
  userData: '',
  preferredViisAddress: null,
  type: 'Complete',
  status: 'Active',
  vKsc: { id: n, adminName: 'admin' },
  vmCount: 2,
  created: '2026-11-25T12:00:00.000Z',
  updated: '2026-11-25T12:00:00.000Z',
  ...over,
});

beforeEach(() => setActivePinia(createPinia()));

describe('the tenants store', () => {
  it('loads every page of a large provider into one list, then filters it locally', async () => {
    const all = Array.from({ length: 2500 }, (_, i) => tenant(i, { status: i % 5 === 0 ? 'Inactive' : 'Active', type: i % 2 ? 'Simple' : 'Complete' }));
    const server = await signedIn({
      'GET /api/v1/tenants': (req) => {
        const q = new URLSearchParams(req.search);
        const offset = Number(q.get('offset')), limit = Number(q.get('limit'));
        return json({ items: all.slice(offset, offset + limit), total: all.length });
      },
    });
    const tenants = useTenantsStore();
    await tenants.load();
    expect(tenants.rows).toHaveLength(2500);
    // A first page of 100 (rows on screen at once), then pages of 1000.
    expect(server.sent.filter((s) => s.path === '/api/v1/tenants').map((s) => new URLSearchParams(s.search).get('limit'))).toEqual(['100', '1000', '1000', '1000']);
    expect(tenants.counts).toEqual({ active: 2000, inactive: 500 });
    tenants.statusFilter = 'Inactive';
    tenants.typeFilter = 'Complete';
    tenants.search = 'tenant 123';
    expect(tenants.rows.map((t) => t.name)).toEqual(['Tenant 1230']);
  });

  it('reloads when a tenant task finishes, not on every progress tick', async () => {
    vi.useFakeTimers();
    try {
      let loads = 0;
      await signedIn({ 'GET /api/v1/tenants': () => (loads++, json({ items: [tenant(1)], total: 1 })) });
      const tenants = useTenantsStore();
      await tenants.load();
      const live = useLiveStore();
      const task = { id: 't', type: 'ChangeTenantActivation', state: 'Running', progress: 50 } as never;
      live.dispatch({ name: 'task.changed', data: task });
      live.dispatch({ name: 'task.changed', data: { ...(task as object), type: 'SelfTest', state: 'Completed' } as never });
      await vi.advanceTimersByTimeAsync(1000);
      expect(loads).toBe(1);
      live.dispatch({ name: 'task.changed', data: { ...(task as object), state: 'Completed' } as never });
      await vi.advanceTimersByTimeAsync(1000);
      expect(loads).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('hands back a refusal as the server worded it', async () => {
    await signedIn({
      'POST /api/v1/tenants': () => json({ statusCode: 409, code: 'VIRMT_TenantWithSpecifiedNameAlreadyExists', error: 'Conflict', message: "A tenant named 'Acme' already exists." }, 409),
    });
    expect(await useTenantsStore().create({ name: 'Acme', type: 'Simple' })).toEqual({ ok: false, message: "A tenant named 'Acme' already exists." });
  });
});

describe('what switching a tenant does, said before it is done', () => {
  it('warns that deactivating a Complete tenant takes its VMs off protection', () => {
    expect(activationConsequence(tenant(1, { name: 'Acme', vmCount: 3 }), 'deactivate')).toMatch(/3 registered VMs of Acme lose protection/);
    expect(activationConsequence(tenant(1, { vmCount: 1 }), 'activate')).toMatch(/1 registered VM of .* get SVMs again/);
  });

  it('says that a Simple tenant status changes no protection', () => {
    expect(activationConsequence(tenant(1, { type: 'Simple', vKsc: null }), 'deactivate')).toMatch(/Simple tenant.*keep the SVMs they have/);
  });

  it('says whether the virtual Administration Server goes too', () => {
    expect(deletionConsequence(tenant(1), true)).toMatch(/deleted too\. This cannot be undone/);
    expect(deletionConsequence(tenant(1), false)).toMatch(/is kept/);
  });
});
