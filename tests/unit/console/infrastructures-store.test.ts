import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { Value } from 'typebox/value';
import { AddInfrastructureRequestSchema } from '../../../main/contract/infrastructure.ts';
import { useLiveStore } from '../../../renderer/src/features/live/live-store.ts';
import { addRequestOf, credentialKindsOf, draftProblem, useInfrastructuresStore, type ConnectionDraft } from '../../../renderer/src/features/infrastructures/infrastructures-store.ts';
import { formatBytes } from '../../../renderer/src/shell/format.ts';
import { json } from './fake-server.ts';
import { signedIn } from './signed-in.ts';

const ID = '11111111-1111-4111-8111-111111111111';
const at = '2026-11-25T12:00:00.000Z';
const FP = 'SHA256:Bcj7O29Advmm0nxvAztWGjkhV4gWHQKJhGJfaHOu8dI';
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n';
const stored = { id: ID, name: 'Lab KVM', platform: 'kvm', address: '127.0.0.1', port: 2222, account: 'labuser', credentialKind: 'privateKey', fingerprint: FP, options: { imageDir: '/srv/svm' }, created: at, updated: at };
const draft = (over: Partial<ConnectionDraft> = {}): ConnectionDraft => ({
  name: 'Lab KVM', platform: 'kvm', address: ' 127.0.0.1 ', port: 2222, account: 'labuser', credentialKind: 'privateKey', secret: KEY, passphrase: '', options: { imageDir: '/srv/svm', libvirtUri: ' ', node: 'ignored' }, ...over,
});

beforeEach(() => setActivePinia(createPinia()));

describe('the connection form', () => {
  it('sends one credential, only the options the platform reads and that were filled in, and the confirmed identity', () => {
    const r = addRequestOf(draft(), FP);
    expect(Value.Check(AddInfrastructureRequestSchema, r)).toBe(true);
    expect(r).toEqual({ name: 'Lab KVM', platform: 'kvm', address: '127.0.0.1', port: 2222, account: 'labuser', privateKey: KEY, options: { imageDir: '/srv/svm' }, fingerprint: FP });
    const proxmox = addRequestOf(draft({ platform: 'proxmox-ve', port: null, credentialKind: 'apiToken', secret: 'root@pam!lk=secret', options: { node: 'pve1' } }));
    expect(proxmox).toEqual({ name: 'Lab KVM', platform: 'proxmox-ve', address: '127.0.0.1', port: 8006, account: 'labuser', apiToken: 'root@pam!lk=secret', options: { node: 'pve1' } });
  });

  it('offers the credentials the transport takes and names what is missing', () => {
    expect(credentialKindsOf('kvm')).toEqual(['password', 'privateKey']);
    expect(credentialKindsOf('proxmox-ve')).toEqual(['password', 'apiToken']);
    expect(draftProblem(draft({ name: ' ' }))).toMatch(/name/);
    expect(draftProblem(draft({ secret: '' }))).toMatch(/Paste the private key/);
    expect(draftProblem(draft())).toBeUndefined();
  });
});

describe('the infrastructures store', () => {
  it('shows the host key first, then adds with it; the list never holds the secret', async () => {
    const server = await signedIn(
      {
        'GET /api/v1/infrastructures': () => json({ items: [] }),
        'GET /api/v1/svm-images': () => json({ items: [] }),
        'POST /api/v1/infrastructures/probe': () => json({ kind: 'ssh-host-key', fingerprint: FP, detail: 'ssh-ed25519 host key' }),
        'POST /api/v1/infrastructures': () => json(stored, 201),
      },
      ['/api/v1/svm-images'],
    );
    const store = useInfrastructuresStore();
    await store.load();
    expect(store.loaded).toBe(true);
    const probe = await store.probe(draft());
    expect(probe).toEqual({ ok: true, value: { kind: 'ssh-host-key', fingerprint: FP, detail: 'ssh-ed25519 host key' } });
    expect(server.sent.at(-1)!.body).toEqual({ platform: 'kvm', address: '127.0.0.1', port: 2222 });
    const added = await store.add(draft(), FP);
    expect(added.ok).toBe(true);
    expect(server.sent.at(-1)!.body).toMatchObject({ fingerprint: FP, privateKey: KEY });
    expect(store.items).toEqual([stored]);
    expect(JSON.stringify(store.$state)).not.toContain('PRIVATE KEY');
  });

  it("hands back the server's refusal, and removes, re-pins and imports", async () => {
    const NEW = 'SHA256:new';
    await signedIn({
      'GET /api/v1/infrastructures': () => json({ items: [stored] }),
      'POST /api/v1/infrastructures/probe': () => json({ statusCode: 502, code: 'LK_InfrastructureUnreachable', error: 'Bad Gateway', message: '127.0.0.1:2222 refused the connection: is sshd running there?' }, 502),
      [`POST /api/v1/infrastructures/${ID}/fingerprint`]: (req) => json({ ...stored, fingerprint: (req.body as { fingerprint: string }).fingerprint }),
      [`DELETE /api/v1/infrastructures/${ID}`]: () => new Response(null, { status: 204 }),
      'POST /api/v1/svm-images': () => json({ id: ID, name: 'svm.qcow2', format: 'qcow2', bytes: 10, sha256: 'a'.repeat(64), version: null, versionSource: 'none', imported: at }, 201),
    });
    const store = useInfrastructuresStore();
    await store.load();
    expect(await store.probe(draft())).toEqual({ ok: false, message: expect.stringContaining('refused the connection') });
    expect((await store.repin(ID, NEW)).ok).toBe(true);
    expect(store.items[0]!.fingerprint).toBe(NEW);
    const importing = store.importImage({ path: '/srv/svm.qcow2' });
    expect(store.importing?.path).toBe('/srv/svm.qcow2');
    // The server's live progress of this import is kept; another path's is not.
    const live = useLiveStore();
    live.dispatch({ name: 'svm-image.import', data: { path: '/srv/other.qcow2', phase: 'copying', copiedBytes: 1, totalBytes: 10 } });
    expect(store.importProgress).toBeNull();
    live.dispatch({ name: 'svm-image.import', data: { path: '/srv/svm.qcow2', phase: 'copying', copiedBytes: 4, totalBytes: 10 } });
    expect(store.importProgress).toMatchObject({ copiedBytes: 4, totalBytes: 10 });
    expect((await importing).ok).toBe(true);
    expect(store.importing).toBeNull();
    expect(store.importProgress).toBeNull();
    expect(store.images.map((i) => i.name)).toEqual(['svm.qcow2']);
    expect((await store.remove(ID)).ok).toBe(true);
    expect(store.items).toEqual([]);
  });
});

describe('image sizes', () => {
  it('are shown in the unit that keeps the number readable', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(200_704)).toMatch(/^196 KiB$/);
    expect(formatBytes(1.5 * 2 ** 30)).toMatch(/^1[.,]5 GiB$/);
  });
});
