import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { flushPromises } from '@vue/test-utils';
import type { Tenant } from '../../../../main/contract/tenants.ts';
import TenantsPage from '../../../../renderer/src/features/tenants/TenantsPage.vue';
import { json } from '../fake-server.ts';
import { signedIn } from '../signed-in.ts';
import { click, el, mountInConsole, pageText } from './mount-console.ts';

// happy-dom lays nothing out, so the virtual table would think it has no room for a row: give every
// observed element the size of a real window (before Naive UI's resize delegate is created).
vi.hoisted(() => {
  class SizedResizeObserver {
    readonly callback: ResizeObserverCallback;
    constructor(callback: ResizeObserverCallback) {
      this.callback = callback;
    }
    observe(target: Element) {
      const entry = { target, contentRect: { height: 600, width: 1200 }, borderBoxSize: [{ blockSize: 600, inlineSize: 1200 }] };
      queueMicrotask(() => this.callback([entry as unknown as ResizeObserverEntry], this as unknown as ResizeObserver));
    }
    unobserve() {}
    disconnect() {}
  }
  globalThis.ResizeObserver = SizedResizeObserver as unknown as typeof ResizeObserver;
  globalThis.window.ResizeObserver = globalThis.ResizeObserver;
});

const tenant = (name: string, over: Partial<Tenant>): Tenant => ({
  id: `00000000-0000-4000-8000-${String(name.length).padStart(12, '0')}`,
  name,
  description: '',
  userData: '',
  preferredViisAddress: null,
  type: 'Complete',
  status: 'Active',
  vKsc: { id: 7, adminName: 'admin' },
  vmCount: 3,
  created: '2026-11-25T12:00:00.000Z',
  updated: '2026-11-25T12:00:00.000Z',
  ...over,
});
const acme = tenant('Acme', { status: 'Active', vmCount: 3 });
const beta = tenant('Beta Shop', { status: 'Inactive', vmCount: 1 });
const gamma = tenant('Gamma billing', { type: 'Simple', status: 'Active', vKsc: null, vmCount: 12 });
let wrapper: ReturnType<typeof mountInConsole> | undefined;

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

async function page() {
  const server = await signedIn({
    'GET /api/v1/tenants': () => json({ items: [acme, beta, gamma], total: 3 }),
    'POST /api/v1/tenants/00000000-0000-4000-8000-000000000004/deactivate': () => json({ id: 'task-1', type: 'ChangeTenantActivation', state: 'Queued', progress: 0 }, 202),
  });
  wrapper = mountInConsole(TenantsPage);
  await flushPromises();
  return server;
}
const actionOf = (name: string, label: string) => {
  const row = el(`tr[data-tenant="${name}"]`);
  const b = [...row.querySelectorAll('button')].find((x) => x.textContent?.trim() === label);
  if (!b) throw new Error(`no ${label} in the row of ${name}`);
  return b;
};
const dialogText = () => (el('.n-dialog').textContent ?? '').replace(/\s+/g, ' ');

describe('the tenant activation confirmation', () => {
  it('says that deactivating a Complete tenant takes its VMs off protection, and only then deactivates', async () => {
    const server = await page();
    await click(actionOf('Acme', 'Deactivate…'));
    expect(dialogText()).toContain('Deactivate Acme?');
    expect(dialogText()).toContain('The 3 registered VMs of Acme lose protection: at their next discovery (within 5 minutes)');
    expect(dialogText()).toContain('Protected time stops counting');
    expect(server.sent.some((s) => s.method === 'POST')).toBe(false);
    await click('Deactivate');
    expect(server.sent.filter((s) => s.method === 'POST').map((s) => s.path)).toEqual(['/api/v1/tenants/00000000-0000-4000-8000-000000000004/deactivate']);
    expect(pageText()).toContain('Deactivating Acme: the task runs now');
  });

  it('says that activating gives the VMs SVMs again, in the singular for one VM', async () => {
    await page();
    await click(actionOf('Beta Shop', 'Activate…'));
    expect(dialogText()).toContain('Activate Beta Shop?');
    expect(dialogText()).toContain('The 1 registered VM of Beta Shop get SVMs again at their next discovery');
  });

  it('says that a Simple tenant keeps its SVMs either way, and sends nothing when kept as it is', async () => {
    const server = await page();
    await click(actionOf('Gamma billing', 'Deactivate…'));
    expect(dialogText()).toContain('Gamma billing is a Simple tenant: its status is a label for billing and scripts, and its 12 registered VMs keep the SVMs they have either way.');
    await click('Keep as it is');
    expect(server.sent.some((s) => s.method === 'POST')).toBe(false);
  });

  it('offers no activation to the read-only viewer', async () => {
    await page();
    const { useSessionStore } = await import('../../../../renderer/src/features/connect/session-store.ts');
    useSessionStore().account = 'viewer';
    await flushPromises();
    expect(el('tr[data-tenant="Acme"]').textContent).not.toContain('Deactivate');
  });
});
