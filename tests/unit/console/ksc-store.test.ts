import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { useKscStore } from '../../../renderer/src/features/settings/ksc-store.ts';
import { json } from './fake-server.ts';
import { signedIn } from './signed-in.ts';

const FP = 'AB:'.repeat(31) + 'AB';
const unset = { configured: false, address: null, port: null, user: null, pinnedFingerprint: null, passwordSet: false };
const set = { configured: true, address: 'ksc.lab', port: 13299, user: 'lk', pinnedFingerprint: FP, passwordSet: true };

beforeEach(() => setActivePinia(createPinia()));

describe('the Administration Server connection store', () => {
  it('shows the certificate first, then saves with the confirmed fingerprint; the password is never kept', async () => {
    let view: object = unset;
    const server = await signedIn({
      'GET /api/v1/ksc': () => json(view),
      'POST /api/v1/ksc/probe': () => json({ fingerprint: FP }),
      'PUT /api/v1/ksc': () => ((view = set), json(set)),
    });
    const ksc = useKscStore();
    await ksc.load();
    expect(ksc.view).toEqual(unset);
    const draft = { address: ' ksc.lab ', port: null, user: 'lk', password: 'Secret-1' };
    expect(await ksc.save(draft)).toMatch(/Show the certificate first/);
    expect(await ksc.probe(draft)).toBeUndefined();
    expect(ksc.presented).toEqual({ address: 'ksc.lab', port: 13299, fingerprint: FP });
    expect(server.sent.at(-1)!.body).toEqual({ address: 'ksc.lab', port: 13299 });
    expect(await ksc.save(draft)).toBeUndefined();
    expect(server.sent.at(-1)).toMatchObject({ method: 'PUT', body: { address: 'ksc.lab', port: 13299, user: 'lk', password: 'Secret-1', pinnedFingerprint: FP } });
    expect(ksc.view).toEqual(set);
    expect(ksc.presented).toBeNull();
    expect(JSON.stringify(ksc.$state)).not.toContain('Secret-1');
  });

  it('names what is missing and hands back an unreachable server as the server worded it', async () => {
    await signedIn({
      'POST /api/v1/ksc/probe': () => json({ statusCode: 502, code: 'KSC_Unreachable', error: 'Bad Gateway', message: 'connect ECONNREFUSED 192.0.2.1:13299' }, 502),
      'POST /api/v1/ksc/test': () => json({ statusCode: 409, code: 'KSC_ServiceNotConfigured', error: 'Conflict', message: 'No Administration Server connection is configured.' }, 409),
      'DELETE /api/v1/ksc': () => new Response(null, { status: 204 }),
      'GET /api/v1/ksc': () => json(unset),
    });
    const ksc = useKscStore();
    expect(await ksc.probe({ address: '', port: null, user: 'lk', password: 'x' })).toMatch(/address/);
    expect(await ksc.probe({ address: 'h', port: null, user: 'lk', password: '' })).toMatch(/password/);
    expect(await ksc.probe({ address: '192.0.2.1', port: null, user: 'lk', password: 'x' })).toBe('Cannot reach the Administration Server at 192.0.2.1:13299 (connect ECONNREFUSED 192.0.2.1:13299). Check the address and the port (its OpenAPI listens on 13299 by default) and that no firewall is in between.');
    expect(ksc.presented).toBeNull();
    await ksc.runTest();
    expect(ksc.error).toBe('No Administration Server connection is configured.');
    expect(await ksc.clear()).toBeUndefined();
    expect(ksc.view).toEqual(unset);
  });
});
