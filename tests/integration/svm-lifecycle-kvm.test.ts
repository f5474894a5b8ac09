// Acceptance of issue 8 on the lab's real sshd + libvirtd + QEMU: infrastructure connection with a
// confirmed host key, image import, deploy 3 SVMs (domains run, every klconfig command OK),
// reconfigure one, remove all, and the host holds exactly what it held before.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labResults } from '../../main/lab/svm/lab-svm-host.ts';
import { SshSession, shellQuote } from '../../main/connectors/ssh/ssh-session.ts';
import { loadPeersEnv } from '../lab/peers-env.ts';
import { deployRequest, startSvmLab, type SvmLab } from '../support/svm-lab.ts';

const env = loadPeersEnv('ssh', 'svm', 'libvirt');
const prefix = `lk-acc-${process.pid}`;
const imageDir = `${env.get('LK_KVM_IMAGE_DIR')}/${prefix}`;
let lab: SvmLab;
let host: SshSession;
let infraId: string;

const sh = async (line: string) => (await host.exec(line)).stdout;
const virsh = (args: string) => sh(`virsh -q -c ${shellQuote(env.get('LK_LIBVIRT_URI'))} ${args}`);
/** What the host holds that a deployment could touch: our domains and the files in our image dir. */
const hostState = async () => ({
  domains: (await virsh('list --all --name')).split('\n').filter((n) => n.startsWith(prefix)).sort(),
  files: (await sh(`ls -A ${shellQuote(imageDir)}`)).split('\n').filter(Boolean).sort(),
});

beforeAll(async () => {
  lab = await startSvmLab();
  host = await SshSession.connect({ host: env.get('LK_SSH_HOST'), port: env.num('LK_SSH_PORT'), username: env.get('LK_SSH_USER'), auth: { password: env.get('LK_SSH_PASSWORD') }, hostKeyFingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT') });
  await sh(`mkdir -p ${shellQuote(imageDir)}`);
});

afterAll(async () => {
  if (host) {
    for (const name of (await virsh('list --all --name')).split('\n').filter((n) => n.startsWith(prefix))) {
      await virsh(`destroy ${name}`).catch(() => undefined);
      await virsh(`undefine ${name}`).catch(() => undefined);
    }
    await sh(`rm -rf ${shellQuote(imageDir)}`);
    host.dispose();
  }
  await lab?.stop();
});

describe('infrastructure connection', () => {
  it('shows the host key on first contact, stores it only when confirmed, and tests access', async () => {
    const base = {
      name: `lab-kvm-${process.pid}`,
      platform: 'kvm',
      address: env.get('LK_SSH_HOST'),
      port: env.num('LK_SSH_PORT'),
      account: env.get('LK_SSH_USER'),
      privateKey: readFileSync(env.get('LK_SSH_USER_KEY'), 'utf8'),
      options: { libvirtUri: env.get('LK_LIBVIRT_URI'), imageDir },
    };
    const probe = await lab.api<{ fingerprint: string; kind: string }>('POST', '/api/v1/infrastructures/probe', { platform: 'kvm', address: base.address, port: base.port });
    expect(probe.body).toMatchObject({ kind: 'ssh-host-key', fingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT') });

    const unconfirmed = await lab.api<{ code: string; message: string; presented: { fingerprint: string } }>('POST', '/api/v1/infrastructures', base);
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.code).toBe('LK_FingerprintNotConfirmed');
    expect(unconfirmed.body.presented.fingerprint).toBe(env.get('LK_SSH_HOST_KEY_FINGERPRINT'));
    expect((await lab.api<{ items: unknown[] }>('GET', '/api/v1/infrastructures')).body.items).toHaveLength(0);

    const wrong = await lab.api<{ code: string }>('POST', '/api/v1/infrastructures', { ...base, fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(wrong.body.code).toBe('LK_FingerprintMismatch');

    const added = await lab.api<{ id: string; credentialKind: string } & Record<string, unknown>>('POST', '/api/v1/infrastructures', { ...base, fingerprint: probe.body.fingerprint });
    expect(added.status).toBe(201);
    expect(added.body.credentialKind).toBe('privateKey');
    expect(JSON.stringify(added.body)).not.toContain('PRIVATE KEY');
    infraId = added.body.id;

    const test = await lab.api<{ ok: boolean; checks: Array<{ id: string; ok: boolean }> }>('POST', `/api/v1/infrastructures/${infraId}/test`);
    expect(test.body.ok, JSON.stringify(test.body)).toBe(true);
    expect(test.body.checks.map((c) => c.id)).toContain('identity');
  });

  it('a wrong password is reported as a refused login, with nothing else claimed', async () => {
    const bad = await lab.api<{ id: string }>('POST', '/api/v1/infrastructures', {
      name: `lab-kvm-badpw-${process.pid}`, platform: 'kvm', address: env.get('LK_SSH_HOST'), port: env.num('LK_SSH_PORT'), account: env.get('LK_SSH_USER'), password: 'not-the-password', fingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT'),
    });
    const test = await lab.api<{ ok: boolean; checks: Array<{ id: string; detail: string }> }>('POST', `/api/v1/infrastructures/${bad.body.id}/test`);
    expect(test.body.ok).toBe(false);
    expect(test.body.checks[0]).toMatchObject({ id: 'login' });
    expect(test.body.checks[0]!.detail).toMatch(/refused/);
    expect((await lab.api('DELETE', `/api/v1/infrastructures/${bad.body.id}`)).status).toBe(204);
  });
});

describe('deploy 3, reconfigure 1, remove all', () => {
  it('runs the whole lifecycle and leaves the host as it found it', async () => {
    const before = await hostState();
    const names = [1, 2, 3].map((i) => `${prefix}-svm${i}`);
    const request = deployRequest(infraId, lab.imageId, names);

    const preflight = await lab.api<{ ok: boolean; checks: Array<{ id: string; result: string; message: string }> }>('POST', '/api/v1/svm-wizard/deploy/preflight', request);
    expect(preflight.body.ok, JSON.stringify(preflight.body.checks.filter((c) => c.result !== 'ok'))).toBe(true);
    expect(preflight.body.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['password:root', 'password:config', 'image', 'host-key', 'name-free', 'free-space']));
    expect(await hostState()).toEqual(before);

    const submitted = await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/deploy', request);
    expect(submitted.status).toBe(202);
    const done = await lab.waitTask(submitted.body.id);
    expect(done.state, JSON.stringify(done.error)).toBe('Completed');
    const children = await lab.children(done.id);
    expect(children).toHaveLength(3);
    expect(children.every((c) => c.state === 'Completed' && c.type === 'DeploySingleSvm')).toBe(true);

    for (const name of names) expect((await virsh(`domstate ${name}`)).trim()).toBe('running');
    // The uploaded image was removed after the copies were made: only the VM disks remain.
    expect((await hostState()).files).toEqual(names.map((n) => `${n}.qcow2`).sort());
    const svms = (await lab.api<{ items: Array<{ id: string; name: string; imageVersion: string }> }>('GET', '/api/v1/deployed-svms')).body.items;
    expect(svms.map((s) => s.name).sort()).toEqual(names);
    expect(svms[0]!.imageVersion).toBe('6.2.0.70');

    for (const name of names) {
      const results = labResults(lab.host, lab.source.addressOf(name)!);
      expect(results.map((r) => r.command)).toEqual(['setsshkey', 'timezone', 'dhcp', 'dns', 'dnssearch', 'nagent', 'passwd', 'passwd']);
      expect(results.every((r) => r.result === 'OK')).toBe(true);
      expect(results.find((r) => r.command === 'nagent')!.args).toEqual(['192.0.2.10', '13000', '14000']);
    }

    const target = svms.find((s) => s.name === names[1])!;
    const reconf = await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/reconfigure', { svmIds: [target.id], vcpus: 2, memoryMiB: 96, ksc: { address: '192.0.2.11', sslPort: 13000 } });
    const reconfDone = await lab.waitTask(reconf.body.id);
    expect(reconfDone.state, JSON.stringify(reconfDone.error)).toBe('Completed');
    expect(await virsh(`dominfo ${names[1]}`)).toMatch(/CPU\(s\):\s+2/);
    expect((await virsh(`domstate ${names[1]}`)).trim()).toBe('running');
    const lastNagent = labResults(lab.host, lab.source.addressOf(names[1]!)!).filter((r) => r.command === 'nagent').at(-1)!;
    expect(lastNagent).toMatchObject({ args: ['192.0.2.11', '13000'], result: 'OK' });

    const removal = await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/remove', { svmIds: svms.map((s) => s.id) });
    const removed = await lab.waitTask(removal.body.id);
    expect(removed.state, JSON.stringify(removed.error)).toBe('Completed');
    expect(await hostState()).toEqual(before);
    expect((await lab.api<{ items: unknown[] }>('GET', '/api/v1/deployed-svms')).body.items).toHaveLength(0);
  });
});
