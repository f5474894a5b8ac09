import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { flushPromises } from '@vue/test-utils';
import { ACCOUNT_NAMES, ACCOUNT_PURPOSE } from '../../../../main/contract/accounts.ts';
import { useSessionStore } from '../../../../renderer/src/features/connect/session-store.ts';
import SettingsPage from '../../../../renderer/src/features/settings/SettingsPage.vue';
import { json } from '../fake-server.ts';
import { signedIn } from '../signed-in.ts';
import { click, el, fill, mountInConsole, pageText } from './mount-console.ts';

let wrapper: ReturnType<typeof mountInConsole> | undefined;
beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

const accounts = (changed: string | null) => ACCOUNT_NAMES.map((name) => ({ name, purpose: ACCOUNT_PURPOSE[name], passwordSet: true, passwordChanged: name === 'viewer' ? changed : null }));

async function settingsPage() {
  let changed: string | null = null;
  const server = await signedIn({
    'GET /api/v1/accounts': () => json(accounts(changed)),
    'PUT /api/v1/accounts/viewer/password': () => ((changed = '2026-11-25T15:00:00.000Z'), json({ account: 'viewer', passwordChanged: changed, warnings: [] })),
  });
  wrapper = mountInConsole(SettingsPage);
  await flushPromises();
  return server;
}
const changeButtons = () => [...document.body.querySelectorAll('[data-change-password-of]')].map((b) => b.getAttribute('data-change-password-of'));

describe('the accounts on the Settings page', () => {
  it('offers admin a password change for every account, and reloads the list after one', async () => {
    const server = await settingsPage();
    expect(changeButtons()).toEqual([...ACCOUNT_NAMES]);
    await click(el('[data-change-password-of="viewer"]'));
    expect(pageText()).toContain('Change the password of viewer');
    await fill('input[aria-label="New password"]', 'Vi3wer-Pa55!');
    await fill('input[aria-label="New password again"]', 'Vi3wer-Pa55!');
    await click('Change password');
    expect(server.sent.filter((s) => s.path === '/api/v1/accounts').length).toBe(2);
    expect(pageText()).toContain('The password of viewer was changed.');
  });

  it('offers the read-only viewer no password change', async () => {
    await settingsPage();
    useSessionStore().account = 'viewer';
    await flushPromises();
    expect(changeButtons()).toEqual([]);
  });
});
