import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { flushPromises } from '@vue/test-utils';
import CreateTenantDialog from '../../../../renderer/src/features/tenants/CreateTenantDialog.vue';
import { json, type Sent } from '../fake-server.ts';
import { signedIn } from '../signed-in.ts';
import { click, el, fill, mountInConsole, pageText } from './mount-console.ts';

const task = { id: 'task-1', type: 'CreateTenant', state: 'Queued', progress: 0 };
let wrapper: ReturnType<typeof mountInConsole> | undefined;

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

async function open(answer: (req: Sent) => Response = () => json(task, 202)) {
  const server = await signedIn({ 'POST /api/v1/tenants': answer });
  const shown: boolean[] = [];
  wrapper = mountInConsole(CreateTenantDialog, { show: true, 'onUpdate:show': (v: boolean) => shown.push(v) });
  await flushPromises();
  return { server, shown, posted: () => server.sent.filter((s) => s.method === 'POST') };
}

describe('CreateTenantDialog', () => {
  it('asks a Complete tenant for its administrator before sending anything', async () => {
    const { posted } = await open();
    await click('Create tenant');
    expect(pageText()).toContain('Give the tenant a name.');
    await fill('input[aria-label="Tenant name"]', 'Acme');
    await click('Create tenant');
    expect(pageText()).toContain('A Complete tenant needs the account of its administrator');
    expect(posted()).toHaveLength(0);
  });

  it('sends a Complete tenant with its administrator, then closes and forgets the password', async () => {
    const { posted, shown } = await open();
    await fill('input[aria-label="Tenant name"]', '  Acme ');
    await fill('input[aria-label="Administrator name"]', 'acme-admin');
    await fill('input[aria-label="Administrator password"]', 'Acme-Pa55word');
    await click('Create tenant');
    expect(posted().map((s) => s.body)).toEqual([{ name: 'Acme', type: 'Complete', admin: { name: 'acme-admin', password: 'Acme-Pa55word' } }]);
    expect(shown).toEqual([false]);
    expect(pageText()).toContain('Creating Acme: follow the task in Tasks');
  });

  it('sends a Simple tenant without an administrator, with its description', async () => {
    const { posted } = await open();
    await click(el('input[type="radio"][value="Simple"]'));
    expect(pageText()).toContain('Simple: VMs registered for billing only');
    expect(document.body.querySelector('input[aria-label="Administrator name"]')).toBeNull();
    await fill('input[aria-label="Tenant name"]', 'Billing only');
    await fill('textarea', 'for the invoices');
    await click('Create tenant');
    expect(posted().map((s) => s.body)).toEqual([{ name: 'Billing only', type: 'Simple', description: 'for the invoices' }]);
  });

  it("shows the server's refusal and stays open", async () => {
    const { shown } = await open(() => json({ statusCode: 400, code: 'VIRMT_VKscCredentialsNotSpecified', error: 'Bad Request', message: 'The Administration Server connection is not set.' }, 400));
    await fill('input[aria-label="Tenant name"]', 'Acme');
    await fill('input[aria-label="Administrator name"]', 'a');
    await fill('input[aria-label="Administrator password"]', 'b');
    await click('Create tenant');
    expect(document.body.querySelector('[role="alert"]')?.textContent).toContain('The Administration Server connection is not set.');
    expect(shown).toEqual([]);
  });
});
