import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { nextTick } from 'vue';
import { Value } from 'typebox/value';
import { DeployRequestSchema, ReconfigureRequestSchema, RemoveRequestSchema } from '../../../main/contract/svm-deployment.ts';
import type { Task } from '../../../main/contract/tasks.ts';
import { useLiveStore } from '../../../renderer/src/features/live/live-store.ts';
import { adviceFor } from '../../../renderer/src/features/svm-wizard/preflight-advice.ts';
import { newDraft, requestOf, stepProblem, useSvmWizardStore } from '../../../renderer/src/features/svm-wizard/svm-wizard-store.ts';
import { json } from './fake-server.ts';
import { signedIn } from './signed-in.ts';

const INFRA = '11111111-1111-4111-8111-111111111111';
const IMAGE = '22222222-2222-4222-8222-222222222222';
const SVM = '33333333-3333-4333-8333-333333333333';
const PARENT = '44444444-4444-4444-8444-444444444444';
const at = '2026-11-25T12:00:00.000Z';
const task = (over: Partial<Task> = {}): Task => ({
  id: PARENT, type: 'DeploySvm', state: 'Created', stage: '', progress: 0, parentId: null, createdBy: 'admin', created: at, stateChanged: at, changed: at, result: null, error: null, ...over,
});
const infra = { id: INFRA, name: 'Lab KVM', platform: 'kvm', address: '127.0.0.1', port: 22, account: 'labuser', credentialKind: 'privateKey', fingerprint: 'SHA256:x', options: {}, created: at, updated: at };
const image = { id: IMAGE, name: 'svm.qcow2', format: 'qcow2', bytes: 1 << 26, sha256: 'a'.repeat(64), version: '6.2.0.70', versionSource: 'metadata', imported: at };
const passing = { ok: true, checks: [{ id: 'image', result: 'ok', message: 'present' }] };

function fullDraft() {
  const d = newDraft();
  Object.assign(d, { infrastructureId: INFRA, imageId: IMAGE, kscAddress: '192.0.2.10', rootPassword: 'Root-pass-1', configPassword: 'Config-pass-1', timezone: 'Europe/Berlin', dnsServers: '192.0.2.53, 192.0.2.54', dnsSearch: 'lab.example.com' });
  d.svms[0]!.name = 'svm-a';
  return d;
}

beforeEach(() => setActivePinia(createPinia()));

describe('the requests the wizard builds', () => {
  it('builds a deploy request the server schema accepts, with only the filled-in options', () => {
    const d = fullDraft();
    d.svms.push({ ...d.svms[0]!, name: 'svm-b', ipMode: 'static', ip: '192.0.2.20', netmask: '255.255.255.0', broadcast: '192.0.2.255', gateway: '', hostId: 'host1' });
    const r = requestOf(d);
    expect(Value.Check(DeployRequestSchema, r)).toBe(true);
    expect(r).toMatchObject({
      infrastructureId: INFRA,
      imageId: IMAGE,
      dns: { servers: ['192.0.2.53', '192.0.2.54'], search: ['lab.example.com'] },
      ksc: { address: '192.0.2.10', sslPort: 13000, port: 14000 },
      svms: [
        { name: 'svm-a', vcpus: 2, memoryMiB: 2048, ip: { mode: 'dhcp' } },
        { name: 'svm-b', hostId: 'host1', ip: { mode: 'static', ip: '192.0.2.20', netmask: '255.255.255.0', broadcast: '192.0.2.255' } },
      ],
    });
    expect(JSON.stringify(r)).not.toContain('gateway');
  });

  it('builds remove and reconfigure requests the server schema accepts; reconfigure sends only what changes', () => {
    const d = newDraft();
    d.svmIds = [SVM];
    d.action = 'remove';
    expect(Value.Check(RemoveRequestSchema, requestOf(d))).toBe(true);
    d.action = 'reconfigure';
    expect(stepProblem('changes', d)).toMatch(/Nothing would change/);
    d.newMemoryMiB = 4096;
    d.configPassword = 'Config-pass-2';
    const r = requestOf(d);
    expect(Value.Check(ReconfigureRequestSchema, r)).toBe(true);
    expect(r).toEqual({ svmIds: [SVM], memoryMiB: 4096, passwords: { config: 'Config-pass-2' }, parallelism: 3 });
  });

  it('names what a step lacks before the server is asked', () => {
    const d = newDraft();
    expect(stepProblem('infrastructure', d)).toMatch(/Choose the infrastructure/);
    expect(stepProblem('image', d)).toMatch(/Choose the SVM image/);
    d.svms[0]!.name = 'bad name';
    expect(stepProblem('settings', d)).toMatch(/not a usable SVM name/);
    d.svms[0]!.name = 'ok';
    d.svms[0]!.ipMode = 'static';
    expect(stepProblem('settings', d)).toMatch(/IP address as four numbers/);
    expect(stepProblem('connection', d)).toMatch(/Administration Server's address/);
    expect(stepProblem('connection', fullDraft())).toBeUndefined();
  });

  it('says how to fix a failed check, and nothing for a passing one', () => {
    expect(adviceFor({ id: 'password:root', result: 'failed' })).toMatch(/Administration Server and passwords/);
    expect(adviceFor({ id: 'host-key', result: 'failed' })).toMatch(/Re-pin on the Infrastructures page/);
    expect(adviceFor({ id: 'name-free', result: 'failed' })).toMatch(/another SVM name/);
    expect(adviceFor({ id: 'image', result: 'ok' })).toBeUndefined();
  });
});

describe('the wizard store', () => {
  it('walks the deploy steps, picks the only infrastructure and image, and stops at a step that lacks something', async () => {
    await signedIn(
      {
        'GET /api/v1/infrastructures': () => json({ items: [infra] }),
        'GET /api/v1/svm-images': () => json({ items: [image] }),
        'GET /api/v1/deployed-svms': () => json({ items: [] }),
        'GET /api/v1/ksc': () => json({ configured: true, address: 'ksc.lab', port: 13299, user: 'u', pinnedFingerprint: 'f', passwordSet: true }),
        [`GET /api/v1/infrastructures/${INFRA}/inventory`]: () => json({ platform: 'kvm', datacenters: [], clusters: [], hosts: [], storage: [], networks: [], vms: [] }),
      },
      ['/api/v1/ksc'],
    );
    const wizard = useSvmWizardStore();
    await wizard.load();
    expect(wizard.draft.infrastructureId).toBe(INFRA);
    expect(wizard.draft.imageId).toBe(IMAGE);
    expect(wizard.draft.kscAddress).toBe('ksc.lab');
    expect(wizard.steps).toEqual(['action', 'infrastructure', 'image', 'settings', 'connection', 'preflight', 'progress']);
    for (const step of ['infrastructure', 'image', 'settings', 'connection']) {
      expect(wizard.next()).toBe(true);
      expect(wizard.step).toBe(step);
    }
    expect(wizard.next()).toBe(false);
    expect(wizard.problem).toMatch(/root password/);
    wizard.draft.rootPassword = 'Root-pass-1';
    wizard.draft.configPassword = 'Config-pass-1';
    expect(wizard.next()).toBe(true);
    expect(wizard.step).toBe('preflight');
    // Pre-flight is where Next stops: only start goes on to progress.
    expect(wizard.next()).toBe(true);
    expect(wizard.step).toBe('preflight');
  });

  it('starts only after a passing pre-flight, forgets the passwords, and follows the run and its children live', async () => {
    const server = await signedIn({
      'GET /api/v1/infrastructures': () => json({ items: [infra] }),
      'GET /api/v1/svm-images': () => json({ items: [image] }),
      'GET /api/v1/deployed-svms': () => json({ items: [] }),
      'POST /api/v1/svm-wizard/deploy/preflight': () => json(passing),
      'POST /api/v1/svm-wizard/deploy': () => json(task(), 202),
    });
    const wizard = useSvmWizardStore();
    await wizard.load();
    Object.assign(wizard.draft, fullDraft());
    expect(await wizard.start()).toBe(false);
    await wizard.runPreflight();
    expect(wizard.preflight?.ok).toBe(true);
    // Any change makes the pre-flight stale: it must run again.
    wizard.draft.timezone = 'UTC';
    await nextTick();
    expect(wizard.preflight).toBeNull();
    await wizard.runPreflight();
    expect(await wizard.start()).toBe(true);
    const sent = server.sent.find((s) => s.method === 'POST' && s.path === '/api/v1/svm-wizard/deploy')!;
    expect(sent.body).toMatchObject({ passwords: { root: 'Root-pass-1', config: 'Config-pass-1' }, timezone: 'UTC' });
    expect(wizard.draft.rootPassword).toBe('');
    expect(wizard.draft.configPassword).toBe('');
    expect(wizard.step).toBe('progress');
    expect(wizard.runLabels).toEqual(['svm-a']);

    const live = useLiveStore();
    live.dispatch({ name: 'task.changed', data: task({ state: 'Running', stage: 'Deploying the SVMs', progress: 40, changed: '2026-11-25T12:00:01.000Z' }) });
    live.dispatch({ name: 'task.changed', data: task({ id: SVM, type: 'DeploySingleSvm', parentId: PARENT, state: 'Running', stage: 'Creating the VM', progress: 30 }) });
    expect(wizard.task).toMatchObject({ state: 'Running', progress: 40 });
    expect(wizard.children.map((c) => c.stage)).toEqual(['Creating the VM']);
    expect(wizard.finished).toBe(false);
    live.dispatch({ name: 'task.changed', data: task({ state: 'Completed', stage: 'Completed', progress: 100, changed: '2026-11-25T12:00:09.000Z', result: { svms: [] } }) });
    expect(wizard.finished).toBe(true);
  });

  it('hands back a refused start as the server worded it', async () => {
    await signedIn({
      'POST /api/v1/svm-wizard/remove/preflight': () => json(passing),
      'POST /api/v1/svm-wizard/remove': () => json({ statusCode: 404, code: 'LK_SvmNotFound', error: 'Not Found', message: 'No SVM 333 was deployed by this server.' }, 404),
    });
    const wizard = useSvmWizardStore();
    wizard.draft.action = 'remove';
    await nextTick();
    wizard.draft.svmIds = [SVM];
    await wizard.runPreflight();
    expect(await wizard.start()).toBe(false);
    expect(wizard.startError).toBe('No SVM 333 was deployed by this server.');
    expect(wizard.taskId).toBeNull();
  });
});

describe('a run survives a reload of the tab', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('resumes following the started task after a reload, and forgets it on a new run', async () => {
    const kept = new Map<string, string>();
    vi.stubGlobal('sessionStorage', { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v), removeItem: (k: string) => void kept.delete(k) });
    const routes = {
      'GET /api/v1/infrastructures': () => json({ items: [infra] }),
      'GET /api/v1/svm-images': () => json({ items: [image] }),
      'GET /api/v1/deployed-svms': () => json({ items: [] }),
      'POST /api/v1/svm-wizard/deploy/preflight': () => json(passing),
      'POST /api/v1/svm-wizard/deploy': () => json(task(), 202),
      [`GET /api/v1/tasks/${PARENT}`]: () => json(task({ state: 'Running', stage: 'Uploading the image', progress: 20, changed: '2026-11-25T12:00:02.000Z' })),
    };
    await signedIn(routes);
    const first = useSvmWizardStore();
    Object.assign(first.draft, fullDraft());
    await first.runPreflight();
    expect(await first.start()).toBe(true);
    expect(JSON.parse(kept.get('lightkeeper.svm-wizard.run')!)).toEqual({ taskId: PARENT, action: 'deploy', labels: ['svm-a'] });

    // A reload: a new Pinia, the same tab storage.
    setActivePinia(createPinia());
    await signedIn(routes);
    const again = useSvmWizardStore();
    expect(again.step).toBe('progress');
    expect(again.taskId).toBe(PARENT);
    expect(again.runLabels).toEqual(['svm-a']);
    await again.load();
    expect(again.task).toMatchObject({ stage: 'Uploading the image', progress: 20 });
    again.restart();
    expect(kept.has('lightkeeper.svm-wizard.run')).toBe(false);
    expect(again.step).toBe('action');
  });
});
