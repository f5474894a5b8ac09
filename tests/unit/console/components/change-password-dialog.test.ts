import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { flushPromises } from '@vue/test-utils';
import type { AccountName } from '../../../../main/contract/accounts.ts';
import { basicAuthorization } from '../../../../renderer/src/api/http-client.ts';
import { useSessionStore } from '../../../../renderer/src/features/connect/session-store.ts';
import ChangePasswordDialog from '../../../../renderer/src/features/settings/ChangePasswordDialog.vue';
import { json, type Route } from '../fake-server.ts';
import { signedIn } from '../signed-in.ts';
import { click, el, fill, mountInConsole, pageText } from './mount-console.ts';

let wrapper: ReturnType<typeof mountInConsole> | undefined;
beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

const changed = (name: AccountName, warnings: Array<{ code: string; message: string }> = []) => () => json({ account: name, passwordChanged: '2026-11-25T15:00:00.000Z', warnings });

async function dialogFor(account: AccountName, answer: Route) {
  const server = await signedIn({ [`PUT /api/v1/accounts/${account}/password`]: answer, 'GET /api/v1/accounts': () => json([]) });
  const events: string[] = [];
  wrapper = mountInConsole(ChangePasswordDialog, {
    account,
    onClose: () => events.push('close'),
    onChanged: (name: string, warnings: string[]) => events.push(`changed ${name}: ${warnings.join(' | ')}`),
  });
  await flushPromises();
  return { server, events, puts: () => server.sent.filter((s) => s.method === 'PUT') };
}
async function change(password: string, again = password) {
  await fill('input[aria-label="New password"]', password);
  await fill('input[aria-label="New password again"]', again);
  await click('Change password');
}

describe('ChangePasswordDialog', () => {
  it('sends nothing until the password is typed the same twice', async () => {
    const { puts } = await dialogFor('viewer', changed('viewer'));
    expect(pageText()).toContain('Change the password of viewer');
    await click('Change password');
    expect(el('[data-change-password] .n-form-item-feedback').textContent).toContain('Enter the new password.');
    await change('Vi3wer-Pa55!', 'Vi3wer-Pa55?');
    expect(el('[role="alert"]').textContent).toContain('The two passwords differ');
    expect(puts()).toHaveLength(0);
  });

  it("puts the rule's refusal under the field, marks it invalid, and stays open", async () => {
    const { events } = await dialogFor('viewer', () =>
      json({ statusCode: 400, code: 'PASSWORD_REFUSED', error: 'Bad Request', message: 'password: The password has 61 characters; at most 60 are allowed.' }, 400),
    );
    await change('x'.repeat(61));
    expect(el('[data-change-password] .n-form-item-feedback').textContent?.trim()).toBe('The password has 61 characters; at most 60 are allowed.');
    expect(el('input[aria-label="New password"]').getAttribute('aria-invalid')).toBe('true');
    expect(events).toEqual([]);
  });

  it("shows the rule's recommendations after the change and closes only when asked", async () => {
    const warnings = [
      { code: 'PASSWORD_SHORT', message: 'The password has fewer than 8 characters; a longer one is recommended.' },
      { code: 'PASSWORD_FEW_CLASSES', message: 'The password uses 1 of the 4 character classes (upper case, lower case, digits, special characters); at least 3 are recommended.' },
    ];
    const { puts, events } = await dialogFor('agent', changed('agent', warnings));
    await change('agent');
    expect(puts().map((s) => s.body)).toEqual([{ password: 'agent' }]);
    const shown = el('[data-password-warnings]').textContent ?? '';
    expect(shown).toContain('Password changed, but it does not follow the recommendations');
    for (const w of warnings) expect(shown).toContain(w.message);
    expect(events).toEqual([`changed agent: ${warnings.map((w) => w.message).join(' | ')}`]);
    await click('Close');
    expect(events.at(-1)).toBe('close');
  });

  it("closes at once when the rule has nothing to add, and another account's change leaves the session's own password alone", async () => {
    const { events, server } = await dialogFor('viewer', changed('viewer'));
    expect(pageText()).toContain('needs the new password at once');
    await change('Vi3wer-Pa55!');
    expect(events).toEqual(['changed viewer: ', 'close']);
    await useSessionStore().api!.accounts();
    expect(server.sent.at(-1)!.headers.get('authorization')).toBe(basicAuthorization({ account: 'admin', password: 'pw' }));
  });

  it('keeps the session working when admin changes its own password: later requests carry the new one', async () => {
    const { server } = await dialogFor('admin', changed('admin'));
    expect(pageText()).toContain('You are signed in with it: this console goes on with the new password.');
    await change('N3w-Admin-Pa55!');
    expect(server.sent.at(-1)!.headers.get('authorization')).toBe(basicAuthorization({ account: 'admin', password: 'pw' }));
    const session = useSessionStore();
    await session.api!.accounts();
    expect(server.sent.at(-1)!.headers.get('authorization')).toBe(basicAuthorization({ account: 'admin', password: 'N3w-Admin-Pa55!' }));
    expect(session.http!.authorization).toBe(basicAuthorization({ account: 'admin', password: 'N3w-Admin-Pa55!' }));
    expect(session.signedIn).toBe(true);
  });
});
