import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Tenant } from '../../../main/contract/tenants.ts';
import { useTenantsStore } from '../../../renderer/src/features/tenants/tenants-store.ts';
import { json } from './fake-server.ts';
import { signedIn } from './signed-in.ts';

const tenant = (n: number): Tenant => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  name: `Tenant ${String(n).padStart(5, '0')}`,
  description: '',
  userData: '',
  preferredViisAddress: null,
  type: 'Simple',
  status: 'Active',
  vKsc: null,
  vmCount: 0,
  created: '2026-11-25T12:00:00.000Z',
  updated: '2026-11-25T12:00:00.000Z',
});
const all = Array.from({ length: 2500 }, (_, i) => tenant(i));

beforeEach(() => setActivePinia(createPinia()));

describe('the first load of a large tenant list', () => {
  it('shows a first page of 100 while the rest is still loading, then all at once; a reload keeps the whole list until the new one is complete', async () => {
    let release: () => void = () => {};
    let gate = Promise.resolve();
    await signedIn({
      'GET /api/v1/tenants': async (req) => {
        const q = new URLSearchParams(req.search);
        const offset = Number(q.get('offset'));
        if (offset > 0) await gate;
        return json({ items: all.slice(offset, offset + Number(q.get('limit'))), total: all.length });
      },
    });
    const tenants = useTenantsStore();
    gate = new Promise((r) => (release = r));
    const first = tenants.load();
    await expect.poll(() => tenants.rows.length).toBe(100);
    expect(tenants.loaded).toBe(true);
    expect(tenants.loading).toBe(true);
    expect(tenants.total).toBe(2500);
    release();
    await first;
    expect(tenants.rows.length).toBe(2500);
    expect(tenants.loading).toBe(false);

    gate = new Promise((r) => (release = r));
    const again = tenants.load();
    await new Promise((r) => setTimeout(r, 20));
    expect(tenants.rows.length).toBe(2500);
    release();
    await again;
    expect(tenants.rows.length).toBe(2500);
  });
});
