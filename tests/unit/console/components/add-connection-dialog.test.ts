import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia, getActivePinia, setActivePinia } from 'pinia';
import { flushPromises, mount } from '@vue/test-utils';
import { defineComponent, h, ref } from 'vue';
import { NDialogProvider, NMessageProvider } from 'naive-ui';
import AddConnectionDialog from '../../../../renderer/src/features/infrastructures/AddConnectionDialog.vue';
import { json } from '../fake-server.ts';
import { signedIn } from '../signed-in.ts';
import { click, el, fill, pageText } from './mount-console.ts';

const FP = 'SHA256:Bcj7O29Advmm0nxvAztWGjkhV4gWHQKJhGJfaHOu8dI';
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n';
const at = '2026-11-25T12:00:00.000Z';
let wrapper: { unmount(): void } | undefined;

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

async function open() {
  const server = await signedIn({
    'POST /api/v1/infrastructures/probe': () => json({ kind: 'ssh-host-key', fingerprint: FP, detail: 'ssh-ed25519 host key of 192.0.2.7:22' }),
    'POST /api/v1/infrastructures': (req) => json({ id: '11111111-1111-4111-8111-111111111111', name: 'Lab KVM', platform: 'kvm', address: '192.0.2.7', port: 22, account: 'labuser', credentialKind: 'privateKey', fingerprint: (req.body as { fingerprint: string }).fingerprint, options: {}, created: at, updated: at }, 201),
  });
  // The dialog held as the page holds it (v-model:show), so closing and opening it again is real.
  const show = ref(true);
  const Host = defineComponent({
    setup: () => () =>
      h(NMessageProvider, null, {
        default: () => h(NDialogProvider, null, { default: () => h(AddConnectionDialog, { show: show.value, 'onUpdate:show': (v: boolean) => (show.value = v) }) }),
      }),
  });
  wrapper = mount(Host, { attachTo: document.body, global: { plugins: [getActivePinia()!] } });
  await flushPromises();
  return { server, show, posted: () => server.sent.filter((s) => s.method === 'POST').map((s) => [s.path, s.body] as const) };
}

describe('AddConnectionDialog', () => {
  it('names what is missing before asking the host anything', async () => {
    const { posted } = await open();
    await click('Show host identity');
    expect(pageText()).toContain('Give the connection a name.');
    await fill('input[aria-label="Connection name"]', 'Lab KVM');
    await fill('input[aria-label="Address"]', '192.0.2.7');
    await fill('input[aria-label="Account"]', 'labuser');
    await click('Show host identity');
    expect(pageText()).toContain('Give the password.');
    expect(posted()).toEqual([]);
  });

  it('shows the host key first, pins exactly that one when confirmed, and never shows the key back', async () => {
    const { posted, show } = await open();
    await fill('input[aria-label="Connection name"]', 'Lab KVM');
    await fill('input[aria-label="Address"]', '192.0.2.7');
    await fill('input[aria-label="Account"]', 'labuser');
    await click(el('input[type="radio"][value="privateKey"]'));
    await fill('textarea[aria-label="Private key"]', KEY);
    await fill('input[aria-label="Folder for SVM disks on the host"]', '/srv/svm');
    await click('Show host identity');
    expect(el('[data-presented-fingerprint]').textContent).toBe(FP);
    expect(pageText()).toContain('Check the host key before you pin it');
    expect(posted()).toEqual([['/api/v1/infrastructures/probe', { platform: 'kvm', address: '192.0.2.7', port: 22 }]]);
    expect(pageText()).not.toContain('PRIVATE KEY');

    await click('Pin and add connection');
    expect(posted()[1]).toEqual([
      '/api/v1/infrastructures',
      { name: 'Lab KVM', platform: 'kvm', address: '192.0.2.7', port: 22, account: 'labuser', privateKey: KEY, options: { imageDir: '/srv/svm' }, fingerprint: FP },
    ]);
    expect(show.value).toBe(false);
    await flushPromises();
    // Opened again, the form is empty: the key did not outlive the dialog.
    show.value = true;
    await flushPromises();
    expect(el<HTMLInputElement>('input[aria-label="Connection name"]').value).toBe('');
    expect(el<HTMLInputElement>('input[aria-label="Password"]').value).toBe('');
  });
});
