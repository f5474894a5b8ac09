// `lightkeeper infra …` as an admin runs it: the host key is shown and nothing stored until it is
// accepted, secrets never printed, `test` lists what is there and what is missing, images are
// imported with their checksum and version, OVA/VHDX refused with the reason.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { setUpDataFolder } from '../../main/services/setup.ts';
import { loadPeersEnv } from '../lab/peers-env.ts';
import { runCli, tempDir, testPasswords } from '../support/lightkeeper-process.ts';

const env = loadPeersEnv('ssh', 'libvirt');
const data = tempDir('lk-infra-cli-');
const work = tempDir('lk-infra-cli-work-');
const lk = (...args: string[]) => runCli([...args, '--data', data]);

beforeAll(async () => {
  await setUpDataFolder(data, testPasswords(), { force: false });
});

describe('lightkeeper infra', () => {
  it('adds a KVM host only after its key is accepted, lists it without secrets, tests and removes it', async () => {
    const pwFile = join(work, 'pw');
    writeFileSync(pwFile, `${env.get('LK_SSH_PASSWORD')}\n`, { mode: 0o600 });
    const add = ['infra', 'add', '--name', 'lab', '--platform', 'kvm', '--address', env.get('LK_SSH_HOST'), '--port', String(env.num('LK_SSH_PORT')), '--account', env.get('LK_SSH_USER'), '--password-file', pwFile, '--option', `imageDir=${env.get('LK_KVM_IMAGE_DIR')}`, `libvirtUri=${env.get('LK_LIBVIRT_URI')}`];
    const first = await lk(...add);
    expect(first.code, first.stderr).toBe(2);
    expect(first.stdout).toContain(env.get('LK_SSH_HOST_KEY_FINGERPRINT'));
    expect(first.stdout).toContain('Nothing was stored.');
    expect((await lk('infra', 'list')).stdout).toContain('No connections yet');

    const second = await lk(...add, '--accept-fingerprint', env.get('LK_SSH_HOST_KEY_FINGERPRINT'));
    expect(second.code, second.stderr).toBe(0);
    const list = await lk('infra', 'list');
    expect(list.stdout).toMatch(/lab\s+kvm/);
    expect(list.stdout).not.toContain(env.get('LK_SSH_PASSWORD'));
    const id = list.stdout.split(/\s+/)[0]!;

    const test = await lk('infra', 'test', id);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^ok {3}identity/m);
    expect(test.stdout).toContain('ready for SVM deployment');
    expect((await lk('infra', 'remove', id)).code).toBe(0);
  });

  it('says exactly what is missing when the account may not use libvirt', async () => {
    const pwFile = join(work, 'pw');
    const add = ['infra', 'add', '--name', 'nolibvirt', '--platform', 'kvm', '--address', env.get('LK_SSH_HOST'), '--port', String(env.num('LK_SSH_PORT')), '--account', env.get('LK_SSH_USER'), '--password-file', pwFile, '--accept-fingerprint', env.get('LK_SSH_HOST_KEY_FINGERPRINT'), '--option', 'libvirtUri=qemu:///nowhere', 'imageDir=/nonexistent/images'];
    expect((await lk(...add)).code).toBe(0);
    const id = (await lk('infra', 'list')).stdout.split(/\s+/)[0]!;
    const test = await lk('infra', 'test', id);
    expect(test.code).toBe(1);
    expect(test.stdout).toMatch(/^Missing: /m);
    expect(test.stdout).toMatch(/^FAIL /m);
  });

  it('refuses an unsupported platform with a clear message', async () => {
    const r = await lk('infra', 'add', '--name', 'vc', '--platform', 'vmware-vsphere', '--address', '127.0.0.1', '--account', 'a', '--password-file', join(work, 'pw'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/VMware vSphere is not supported yet/);
  });
});

describe('lightkeeper infra images', () => {
  it('imports a qcow2 with its SHA-256 and the version from the metadata file', async () => {
    const file = join(work, 'svm-6.3.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '16M']);
    writeFileSync(`${file}.json`, JSON.stringify({ version: '6.3.0.12' }));
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    writeFileSync(`${file}.sha256`, `${'0'.repeat(64)}  svm-6.3.qcow2\n`);
    const bad = await lk('infra', 'images', 'import', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/SHA-256 of svm-6\.3\.qcow2 is [0-9a-f]{64}, but 0{64} was expected/);
    writeFileSync(`${file}.sha256`, `${sha}  svm-6.3.qcow2\n`);
    const ok = await lk('infra', 'images', 'import', file);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`SHA-256 ${sha}, version 6.3.0.12`);
    const list = await lk('infra', 'images', 'list');
    expect(list.stdout).toContain('6.3.0.12');
    expect((await lk('infra', 'images', 'remove', list.stdout.split(/\s+/)[0]!)).code).toBe(0);
  });

  it('recognises OVA and VHDX and refuses them with the reason and the way out', async () => {
    const vhdx = join(work, 'svm.vhdx');
    execFileSync('qemu-img', ['create', '-q', '-f', 'vhdx', vhdx, '16M']);
    const r1 = await lk('infra', 'images', 'import', vhdx);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/Hyper-V VHDX disk.*need the qcow2 SVM image.*qemu-img convert -O qcow2/);
    const ova = join(work, 'svm.ova');
    writeFileSync(join(work, 'svm.ovf'), '<Envelope/>');
    execFileSync('tar', ['-cf', ova, '-C', work, 'svm.ovf']);
    const r2 = await lk('infra', 'images', 'import', ova);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/is an OVA package.*VMware vSphere is not supported yet/);
  });
});
