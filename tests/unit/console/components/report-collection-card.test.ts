import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { flushPromises } from '@vue/test-utils';
import ReportCollectionCard from '../../../../renderer/src/features/settings/ReportCollectionCard.vue';
import { json } from '../fake-server.ts';
import { signedIn } from '../signed-in.ts';
import { click, el, mountInConsole, pageText } from './mount-console.ts';

let wrapper: ReturnType<typeof mountInConsole> | undefined;
beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

describe('protection report collection in Settings', () => {
  it('switches collection on, sending only what changed, and says when counting starts', async () => {
    let stored = { enabled: false, periodsLifetimeDays: 90, reportLifetimeHours: 24 };
    const server = await signedIn({
      'GET /api/v1/settings/protection-reports': () => json(stored),
      'PATCH /api/v1/settings/protection-reports': (req) => ((stored = { ...stored, ...(req.body as object) }), json(stored)),
    });
    wrapper = mountInConsole(ReportCollectionCard);
    await flushPromises();
    expect(el<HTMLInputElement>('input[aria-label="Keep periods for (days)"]').value).toBe('90');
    await click(el('[data-report-collection]'));
    await click('Save');
    expect(server.sent.filter((s) => s.method === 'PATCH').map((s) => s.body)).toEqual([{ enabled: true }]);
    expect(stored.enabled).toBe(true);
    expect(pageText()).toContain('connection periods are collected from the SVMs’ next reports');
  });

  it('shows the server’s refusal and keeps the form', async () => {
    await signedIn({
      'GET /api/v1/settings/protection-reports': () => json({ enabled: true, periodsLifetimeDays: 90, reportLifetimeHours: 24 }),
      'PATCH /api/v1/settings/protection-reports': () => json({ statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: "The account 'viewer' may not use this part of the API." }, 403),
    });
    wrapper = mountInConsole(ReportCollectionCard);
    await flushPromises();
    await click(el('[data-report-collection]'));
    await click('Save');
    expect(pageText()).toContain('may not use this part of the API');
    expect(el('[data-report-collection]')).toBeTruthy();
  });
});
