import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { flushPromises } from '@vue/test-utils';
import { ACCOUNT_NAMES } from '../../../../main/contract/accounts.ts';
import FirstRunSetup from '../../../../renderer/src/features/connect/FirstRunSetup.vue';
import { fakeFetch, json, type Route } from '../fake-server.ts';
import { click, fill, mountInConsole, pageText } from './mount-console.ts';

let wrapper: ReturnType<typeof mountInConsole> | undefined;
beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

async function setup(answer: Route) {
  const server = fakeFetch({ 'POST /api/v1/setup': answer });
  vi.stubGlobal('fetch', server.fetch);
  const done: Array<[string, string[]]> = [];
  wrapper = mountInConsole(FirstRunSetup, { baseUrl: '', onDone: (admin: string, warnings: string[]) => done.push([admin, warnings]) });
  await flushPromises();
  return { server, done };
}
const submit = () => click('Set up and sign in as admin');
const error = () => document.body.querySelector('[data-setup-error]')?.textContent?.trim();

describe('FirstRunSetup', () => {
  it('asks for the setup token first, then names every account still without a password', async () => {
    const { server } = await setup(() => json({ warnings: [] }));
    await submit();
    expect(error()).toContain('Enter the setup token');
    await fill('input[aria-label="Setup token"]', 'tok-123');
    await fill('input[aria-label="Password for admin"]', 'Adm1n-Pa55word');
    await submit();
    expect(error()).toContain('Choose a password for multitenancy, svm, agent, viewer');
    expect(server.sent).toHaveLength(0);
  });

  it("sends the token and each account's password, and signs in as admin with the rule's warnings", async () => {
    const { server, done } = await setup(() => json({ warnings: [{ account: 'agent', message: 'The password has fewer than 8 characters; a longer one is recommended.' }] }));
    await fill('input[aria-label="Setup token"]', '  tok-123 ');
    for (const n of ACCOUNT_NAMES) await fill(`input[aria-label="Password for ${n}"]`, n === 'agent' ? 'Ag3nt!' : `${n}-Pa55word!`);
    await submit();
    expect(server.sent.map((s) => s.body)).toEqual([
      { token: 'tok-123', passwords: { admin: 'admin-Pa55word!', multitenancy: 'multitenancy-Pa55word!', svm: 'svm-Pa55word!', agent: 'Ag3nt!', viewer: 'viewer-Pa55word!' } },
    ]);
    expect(server.sent[0]!.headers.get('x-requested-with')).toBe('XMLHttpRequest');
    expect(done).toEqual([['admin-Pa55word!', ['agent: The password has fewer than 8 characters; a longer one is recommended.']]]);
  });

  it("shows the server's refusal of a wrong token, and signs in no one", async () => {
    const { done } = await setup(() => json({ statusCode: 403, code: 'SETUP_TOKEN_WRONG', error: 'Forbidden', message: 'That is not the setup token this server printed when it started.' }, 403));
    await fill('input[aria-label="Setup token"]', 'guess');
    for (const n of ACCOUNT_NAMES) await fill(`input[aria-label="Password for ${n}"]`, `${n}-Pa55word!`);
    await submit();
    expect(error()).toBe('That is not the setup token this server printed when it started.');
    expect(done).toEqual([]);
    expect(pageText()).toContain('only someone who can see that terminal can set it up');
  });

  it('takes the token from the desktop app when it runs there', async () => {
    vi.stubGlobal('lightkeeper', { serverInfo: async () => ({ setupToken: 'from-desktop' }) });
    await setup(() => json({ warnings: [] }));
    expect(document.body.querySelector<HTMLInputElement>('input[aria-label="Setup token"]')?.value).toBe('from-desktop');
  });
});
