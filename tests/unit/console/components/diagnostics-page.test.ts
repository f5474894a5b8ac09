import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { flushPromises } from '@vue/test-utils';
import DiagnosticsPage from '../../../../renderer/src/features/diagnostics/DiagnosticsPage.vue';
import type { SvmInfo, SvmInfoSameName } from '../../../../main/contract/svms.ts';
import { json } from '../fake-server.ts';
import { signedIn } from '../signed-in.ts';
import { button, click, el, fill, mountInConsole, pageText } from './mount-console.ts';

let wrapper: { unmount(): void } | undefined;

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

const CLONES = ['0000a900-0000-4000-8000-000000000002', '0000a900-0000-4000-8000-000000000001'];
const sameName: SvmInfoSameName = {
  statusCode: 409,
  code: 'VM_NAME_AMBIGUOUS',
  error: 'Conflict',
  message: `2 VMs named 'gold-image' have asked this Integration Server for SVMs: …`,
  vms: CLONES.map((biosId, i) => ({ biosId, name: 'Gold-Image', lastAskedAt: `2026-12-02T10:0${5 - i}:00.000Z` })),
};
const infoFor = (biosId: string): SvmInfo => ({
  vm: { biosId, name: 'Gold-Image' },
  lastAskedAt: '2026-12-02T10:05:00.000Z',
  integrationServer: 'https://is.example:7271',
  discoveryMethod: 'Integration Server',
  algorithm: { kind: 'standard' },
  connectionTag: null,
  connectionProtection: false,
  osKind: 'desktop',
  osFamily: 'windows',
  agentVersion: '12.1.0.1',
  path: null,
  pathSource: 'unknown',
  tenant: null,
  outcome: 'none',
  svm: null,
  alternatives: [],
  connectedTo: null,
  rejected: [],
});

describe('DiagnosticsPage', () => {
  it('offers each VM that shares the name asked for, and explains the one chosen by its BIOS UUID', async () => {
    const server = await signedIn({
      'GET /api/v1/diagnostics/svm-info': (req) => {
        const vm = new URLSearchParams(req.search).get('vm')!;
        return CLONES.includes(vm) ? json(infoFor(vm)) : json(sameName, 409);
      },
    });
    wrapper = mountInConsole(DiagnosticsPage);
    await fill('input[aria-label="VM BIOS UUID or name"]', 'gold-image');
    await click('Explain');
    await flushPromises();
    expect(el('[data-diagnostics-error]').textContent).toContain('2 VMs named ‘gold-image’ have asked for SVMs. Choose one:');
    const offered = [...el('[data-same-name]').querySelectorAll('button')].map((b) => b.textContent?.trim());
    expect(offered).toEqual([expect.stringContaining(CLONES[0]!), expect.stringContaining(CLONES[1]!)]);

    button(new RegExp(CLONES[1]!)).click();
    await flushPromises();
    const asked = server.sent.filter((s) => s.path === '/api/v1/diagnostics/svm-info').map((s) => new URLSearchParams(s.search).get('vm'));
    expect(asked).toEqual(['gold-image', CLONES[1]]);
    expect(document.body.querySelector('[data-diagnostics-error]')).toBeNull();
    expect(pageText()).toContain(`Gold-Image (${CLONES[1]})`);
  });

  it('says the sentinel of an inactive tenant is unreachable on purpose, not how busy it is', async () => {
    const sentinel = { id: '00000000-0000-0000-0000-000000000000', name: 'No SVM available', address: '192.0.2.1', ports: [80] };
    const real = { id: '0000005e-0000-4000-8000-000000000001', name: 'svm-01', address: '10.0.0.1', ports: [9876] };
    const info: SvmInfo = {
      ...infoFor(CLONES[0]!),
      tenant: { type: 'Complete', status: 'Inactive' },
      outcome: 'sentinel',
      svm: { ...sentinel, version: '0', licence: { edition: null, keyType: 'none', valid: false }, local: false, path: null, connectedAgents: 0, averageLoad: 0 },
      rejected: [{ ...real, state: 'fresh', reasons: [{ code: 'TENANT_INACTIVE', message: 'The VM\'s Complete tenant is inactive.' }] }],
    };
    await signedIn({ 'GET /api/v1/diagnostics/svm-info': () => json(info) });
    wrapper = mountInConsole(DiagnosticsPage);
    await fill('input[aria-label="VM BIOS UUID or name"]', CLONES[0]!);
    await click('Explain');
    await flushPromises();
    expect(pageText()).toContain("192.0.2.1:80 unreachable on purpose: the VM's Complete tenant is inactive");
    expect(pageText()).not.toContain('not local · 0 agents');
  });

  it('shows any other refusal as it is, with nothing to choose', async () => {
    await signedIn({
      'GET /api/v1/diagnostics/svm-info': () => json({ statusCode: 404, code: 'VM_NOT_KNOWN', error: 'Not Found', message: "No Light Agent with BIOS UUID or VM name 'web-01' has asked." }, 404),
    });
    wrapper = mountInConsole(DiagnosticsPage);
    await fill('input[aria-label="VM BIOS UUID or name"]', 'web-01');
    await click('Explain');
    await flushPromises();
    expect(el('[data-diagnostics-error]').textContent).toContain("No Light Agent with BIOS UUID or VM name 'web-01' has asked.");
    expect(document.body.querySelector('[data-same-name]')).toBeNull();
  });
});
