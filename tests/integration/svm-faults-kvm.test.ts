// A fault injected at every stage of a deployment on the lab's real sshd + libvirtd + QEMU:
// afterwards the host holds exactly what it held before (domains, files in the image directory),
// the registry is empty, and the task's error says why in the admin's words. Also cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshSession, shellQuote } from '../../main/connectors/ssh/ssh-session.ts';
import { loadPeersEnv } from '../lab/peers-env.ts';
import { startCuttingProxy } from '../support/cutting-proxy.ts';
import { atAddressStage, conflictingRegistration, klconfigFault, neverAddress } from '../support/svm-faults.ts';
import { deployRequest, labKvmInfrastructure, startSvmLab, type SvmLab } from '../support/svm-lab.ts';

const env = loadPeersEnv('ssh', 'svm', 'libvirt');
const prefix = `lk-flt-${process.pid}`;
const imageDir = `${env.get('LK_KVM_IMAGE_DIR')}/${prefix}`;
let lab: SvmLab;
let host: SshSession;
let infraId: string;

const sh = async (line: string) => (await host.exec(line)).stdout;
const virsh = (args: string) => sh(`virsh -q -c ${shellQuote(env.get('LK_LIBVIRT_URI'))} ${args}`);
const hostState = async () => ({
  domains: (await virsh('list --all --name')).split('\n').filter((n) => n.startsWith(prefix)).sort(),
  files: (await sh(`ls -A ${shellQuote(imageDir)}`)).split('\n').filter(Boolean).sort(),
});

beforeAll(async () => {
  // A real 32 MiB image, so that an upload can be cut half-way.
  lab = await startSvmLab({ imageMiB: 32, preallocate: true });
  host = await SshSession.connect({ host: env.get('LK_SSH_HOST'), port: env.num('LK_SSH_PORT'), username: env.get('LK_SSH_USER'), auth: { password: env.get('LK_SSH_PASSWORD') }, hostKeyFingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT') });
  await sh(`mkdir -p ${shellQuote(imageDir)}`);
  const added = await lab.api<{ id: string }>('POST', '/api/v1/infrastructures', labKvmInfrastructure(env, 'lab-kvm', imageDir));
  infraId = added.body.id;
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

async function scenario(name: string, inject: () => Promise<(() => void | Promise<void>) | void>, cause: RegExp, extra: Record<string, unknown> = {}) {
  const before = await hostState();
  const restore = await inject();
  let message = '';
  try {
    const r = await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/deploy', deployRequest(infraId, lab.imageId, [name], extra));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const task = await lab.waitTask(r.body.id);
    expect(task.state).toBe('Failed');
    message = task.error!.message;
  } finally {
    await restore?.();
  }
  expect(message).toMatch(cause);
  expect(message).not.toMatch(/Rollback was incomplete/);
  expect(await hostState()).toEqual(before);
  expect((await lab.api<{ items: unknown[] }>('GET', '/api/v1/deployed-svms')).body.items).toHaveLength(0);
}

describe('a fault at every stage leaves the KVM host as it was', () => {
  it('pre-flight: the name is taken by a VM on the host', async () => {
    await sh(`qemu-img create -q -f qcow2 ${shellQuote(`${imageDir}/${prefix}-taken.qcow2`)} 16M`);
    await virsh(`define /dev/stdin <<'EOF'
<domain type='qemu'><name>${prefix}-taken</name><memory unit='MiB'>32</memory><os><type arch='x86_64'>hvm</type></os></domain>
EOF`);
    try {
      await scenario(`${prefix}-taken`, async () => undefined, /A VM named "lk-flt-\d+-taken" already exists/);
    } finally {
      await virsh(`undefine ${prefix}-taken`);
      await sh(`rm -f ${shellQuote(`${imageDir}/${prefix}-taken.qcow2`)}`);
    }
  });

  it('upload: the host cannot store the file', () =>
    scenario(
      `${prefix}-up`,
      async () => {
        // A directory where the upload's .part file must go: SFTP cannot open it for writing.
        const part = `${imageDir}/lightkeeper-svm-${(await lab.api<{ items: Array<{ sha256: string }> }>('GET', '/api/v1/svm-images')).body.items[0]!.sha256.slice(0, 12)}.qcow2.part`;
        await sh(`mkdir ${shellQuote(part)}`);
        return async () => void (await sh(`rmdir ${shellQuote(part)}`));
      },
      /Uploading the SVM image failed: Upload of .* failed/,
    ));

  it('upload: the SSH connection drops half-way; the partial file is removed', async () => {
    const proxy = await startCuttingProxy({ host: env.get('LK_SSH_HOST'), port: env.num('LK_SSH_PORT') });
    const viaProxy = await lab.api<{ id: string }>('POST', '/api/v1/infrastructures', labKvmInfrastructure(env, 'lab-kvm-flaky', imageDir, { address: '127.0.0.1', port: proxy.port }));
    try {
      const before = await hostState();
      proxy.cutAfter(8 * 2 ** 20);
      const r = await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/deploy', deployRequest(viaProxy.body.id, lab.imageId, [`${prefix}-drop`]));
      const task = await lab.waitTask(r.body.id);
      expect(proxy.cuts()).toBe(1);
      expect(task.state).toBe('Failed');
      expect(task.error!.message).toMatch(/Uploading the SVM image failed: The SSH connection to 127\.0\.0\.1:\d+ was lost/);
      expect(task.error!.message).not.toMatch(/Rollback was incomplete/);
      expect(await hostState()).toEqual(before);
    } finally {
      await lab.api('DELETE', `/api/v1/infrastructures/${viaProxy.body.id}`);
      await proxy.stop();
    }
  });

  it('create: the VM disk exists already (virsh/qemu-img refuse)', () =>
    scenario(
      `${prefix}-disk`,
      async () => {
        await sh(`touch ${shellQuote(`${imageDir}/${prefix}-disk.qcow2`)}`);
        return async () => void (await sh(`rm -f ${shellQuote(`${imageDir}/${prefix}-disk.qcow2`)}`));
      },
      /Creating VM "lk-flt-\d+-disk" failed: The disk .* already exists/,
    ));

  it('start: libvirt cannot start the VM (its network is not active)', () =>
    scenario(`${prefix}-net`, async () => undefined, /Starting VM "lk-flt-\d+-net" failed: virsh start failed on the KVM host/, { svms: [{ name: `${prefix}-net`, vcpus: 1, memoryMiB: 64, networkId: 'default', ip: { mode: 'dhcp' } }] }));

  it('wait for address: the SVM never shows one', () => scenario(`${prefix}-addr`, async () => neverAddress(lab), /reported no IP address within 2 s/));

  it('configure: klconfig answers FAILED', () =>
    scenario(`${prefix}-kl`, async () => klconfigFault(lab, 'nagent', { message: 'The klnagent End User Agreement is not accepted' }), /klconfig "nagent" failed on the SVM: The klnagent End User Agreement is not accepted/));

  it('register: the name was registered meanwhile', async () => {
    const other = conflictingRegistration(lab, infraId, `${prefix}-reg`);
    await scenario(
      `${prefix}-reg`,
      async () => {
        const restore = atAddressStage(lab, async () => other.insert());
        return () => {
          restore();
          other.remove();
        };
      },
      /Another SVM named "lk-flt-\d+-reg" was registered/,
    );
  });

  it('cancel during the upload rolls back and says so', async () => {
    const before = await hostState();
    const r = await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/deploy', deployRequest(infraId, lab.imageId, [`${prefix}-cancel`]));
    await lab.api('POST', `/api/v1/tasks/${r.body.id}/cancel`);
    const task = await lab.waitTask(r.body.id);
    expect(task.state).toBe('Canceled');
    expect(task.error!.message).toMatch(/canceled/);
    expect(await hostState()).toEqual(before);
  });

  it('a changed host key is refused with a message that says so', async () => {
    const bad = await lab.api<{ id: string }>('POST', '/api/v1/infrastructures', {
      name: 'lab-kvm-other-key', platform: 'kvm', address: env.get('LK_SSH_HOST'), port: env.num('LK_SSH_PORT'), account: env.get('LK_SSH_USER'), password: env.get('LK_SSH_PASSWORD'), fingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT'),
    });
    // Simulates a replaced host key: the stored pin no longer matches what the host presents.
    const db = new (await import('node:sqlite')).DatabaseSync(`${lab.lab.dataDir}/lightkeeper.sqlite`);
    db.prepare('UPDATE infrastructures SET fingerprint = ? WHERE id = ?').run('SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', bad.body.id);
    db.close();
    const test = await lab.api<{ ok: boolean; checks: Array<{ id: string; detail: string }> }>('POST', `/api/v1/infrastructures/${bad.body.id}/test`);
    expect(test.body.ok).toBe(false);
    expect(test.body.checks[0]).toMatchObject({ id: 'identity' });
    expect(test.body.checks[0]!.detail).toMatch(/The SSH host key of .* has changed/);
    await lab.api('DELETE', `/api/v1/infrastructures/${bad.body.id}`);
  });
});
