// The KVM connector against the lab's real sshd + libvirtd + QEMU (KVM, or TCG where /dev/kvm is not
// usable): image upload, a whole VM lifecycle with a small blank qcow2, inventory, reconfigure, and
// that nothing of the VM is left afterwards. Also the factory's answer for the other platforms.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HypervisorError,
  PLATFORM_IDS,
  PLATFORMS,
  PlatformNotSupportedError,
  connectHypervisor,
  supportedPlatforms,
  type HypervisorConnection,
  type TransferProgress,
  type UploadedImage,
  type VmRef,
} from '../../main/connectors/hypervisor.ts';
import { KvmConnector } from '../../main/connectors/kvm/kvm-connector.ts';
import { SshSession, shellQuote } from '../../main/connectors/ssh/ssh-session.ts';
import { loadPeersEnv } from '../lab/peers-env.ts';

const env = loadPeersEnv('ssh', 'libvirt');
const imageDir = env.get('LK_KVM_IMAGE_DIR');
const connection: HypervisorConnection = {
  platform: 'kvm',
  address: env.get('LK_SSH_HOST'),
  port: env.num('LK_SSH_PORT'),
  account: env.get('LK_SSH_USER'),
  credential: { privateKey: readFileSync(env.get('LK_SSH_USER_KEY'), 'utf8') },
  fingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT'),
  options: { libvirtUri: env.get('LK_LIBVIRT_URI'), imageDir },
};
const prefix = `lk-it-${process.pid}`;

let kvm: KvmConnector;
/** A second, independent look at the host: what the connector says must be what is there. */
let host: SshSession;
let work: string;

const sh = async (line: string) => (await host.exec(line)).stdout;
const virsh = (args: string) => sh(`virsh -q -c ${shellQuote(env.get('LK_LIBVIRT_URI'))} ${args}`);
const exists = async (path: string) => (await host.exec(`test -e ${shellQuote(path)}`)).code === 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lk-kvm-test-'));
  const connector = await connectHypervisor(connection);
  expect(connector).toBeInstanceOf(KvmConnector);
  kvm = connector as KvmConnector;
  host = await SshSession.connect({
    host: connection.address,
    port: connection.port!,
    username: connection.account,
    auth: { password: env.get('LK_SSH_PASSWORD') },
    hostKeyFingerprint: connection.fingerprint,
  });
});

afterAll(async () => {
  // Whatever a failed test left behind goes, so the next run starts from a clean host.
  if (host) {
    for (const name of (await virsh('list --all --name')).split('\n').filter((n) => n.startsWith(prefix))) {
      await virsh(`destroy ${name}`).catch(() => undefined);
      await virsh(`undefine ${name}`).catch(() => undefined);
    }
    await sh(`rm -f ${shellQuote(imageDir)}/${prefix}*`);
    host.dispose();
  }
  await kvm?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('connector factory', () => {
  it('names every platform of seed 002 and refuses the ones not built with a clear error', async () => {
    for (const title of ['VMware vSphere', 'Microsoft Hyper-V', 'KVM', 'Proxmox VE', 'OpenStack', 'Basis', 'Skala-R', 'HUAWEI FusionSphere', 'Nutanix Acropolis', 'VK Cloud', 'TIONIX Cloud Platform', 'XenServer']) {
      expect(Object.values(PLATFORMS).map((p) => p.title)).toContain(title);
    }
    expect(supportedPlatforms()).toContain('kvm');
    for (const platform of PLATFORM_IDS.filter((p) => !supportedPlatforms().includes(p))) {
      const attempt = connectHypervisor({ ...connection, platform });
      await expect(attempt).rejects.toBeInstanceOf(PlatformNotSupportedError);
      await expect(attempt).rejects.toThrow(`${PLATFORMS[platform].title} is not supported yet`);
    }
  });

  it('refuses an API token for KVM, which is reached over SSH', async () => {
    await expect(connectHypervisor({ ...connection, credential: { apiToken: 't' } })).rejects.toThrow(/over SSH/);
  });
});

describe('KVM host', () => {
  it('checkAccess passes every check on the lab host', async () => {
    const report = await kvm.checkAccess();
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['virsh', 'qemu-img', 'libvirt', 'image-dir', 'free-space', 'acceleration']));
  });

  it('picks the domain type the lab found usable (kvm, or qemu TCG without /dev/kvm)', async () => {
    expect(await kvm.domainType()).toBe(env.get('LK_KVM_DOMAIN_TYPE'));
  });
});

describe('images', () => {
  let image: UploadedImage;

  it('uploads a qcow2 with progress; the host has it with the same SHA-256', async () => {
    const local = join(work, `${prefix}-image.qcow2`);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', local, '64M']);
    const sha = createHash('sha256').update(readFileSync(local)).digest('hex');
    const progress: TransferProgress[] = [];
    image = await kvm.uploadImage({ localPath: local, onProgress: (p) => progress.push(p) });
    expect(image).toMatchObject({ id: `${imageDir}/${prefix}-image.qcow2`, sha256: sha, transferred: true });
    expect(progress.at(-1)).toEqual({ transferredBytes: image.bytes, totalBytes: image.bytes });
    expect((await sh(`sha256sum ${shellQuote(image.id)}`)).split(' ')[0]).toBe(sha);
    expect(await exists(`${image.id}.part`)).toBe(false);

    // The same image again, checksum known: nothing is sent.
    const again = await kvm.uploadImage({ localPath: local, sha256: sha });
    expect(again).toMatchObject({ id: image.id, transferred: false, sha256: sha });
  });

  it('refuses a checksum that does not match, and leaves no partial file', async () => {
    const local = join(work, `${prefix}-other.bin`);
    execFileSync('dd', ['if=/dev/urandom', `of=${local}`, 'bs=1024', 'count=256', 'status=none']);
    const wrong = createHash('sha256').update(randomBytes(8)).digest('hex');
    const attempt = kvm.uploadImage({ localPath: local, sha256: wrong });
    await expect(attempt).rejects.toBeInstanceOf(HypervisorError);
    await expect(attempt).rejects.toMatchObject({ code: 'integrity' });
    expect(await exists(`${imageDir}/${prefix}-other.bin`)).toBe(false);
    expect(await exists(`${imageDir}/${prefix}-other.bin.part`)).toBe(false);
  });

  it('creates, runs and destroys a VM from the uploaded image; deleting the image leaves nothing', async () => {
    const created = await kvm.createVm({ name: `${prefix}-from-image`, vcpus: 1, memoryMiB: 128, disk: { imageId: image.id } });
    const disk = created.disks[0]!;
    expect(await exists(disk)).toBe(true);
    expect(disk).not.toBe(image.id);
    await kvm.startVm(created.ref);
    expect(await kvm.vmState(created.ref)).toBe('running');
    await kvm.destroyVm(created.ref);
    expect(await exists(disk)).toBe(false);
    await kvm.deleteImage(image.id);
    expect(await exists(image.id)).toBe(false);
  });
});

describe('VM lifecycle with a blank qcow2', () => {
  const name = `${prefix}-blank`;
  let ref: VmRef;
  let disk: string;

  it('creates the VM: a defined, stopped domain of the lab type, no NIC, its disk in the image directory', async () => {
    const created = await kvm.createVm({ name, vcpus: 1, memoryMiB: 128, disk: { blankGiB: 1 } });
    ref = created.ref;
    disk = created.disks[0]!;
    expect(ref.name).toBe(name);
    expect(ref.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.biosUuid).toBe(ref.id);
    expect(disk).toBe(`${imageDir}/${name}.qcow2`);
    expect(await sh(`qemu-img info ${shellQuote(disk)}`)).toMatch(/file format: qcow2[\s\S]*virtual size: 1 GiB/);
    expect((await virsh(`domuuid ${name}`)).trim()).toBe(ref.id);
    const xml = await virsh(`dumpxml ${name}`);
    expect(xml).toContain(`<domain type='${env.get('LK_KVM_DOMAIN_TYPE')}'`);
    expect(xml).not.toContain('<interface');
    expect(await kvm.vmState(ref)).toBe('stopped');
  });

  it('refuses a second VM of the same name and a name that is not one', async () => {
    await expect(kvm.createVm({ name, vcpus: 1, memoryMiB: 128, disk: { blankGiB: 1 } })).rejects.toMatchObject({ code: 'conflict' });
    await expect(kvm.createVm({ name: 'bad name; rm -rf /', vcpus: 1, memoryMiB: 128, disk: { blankGiB: 1 } })).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('starts it: the state is running, and QEMU really runs it', async () => {
    await kvm.startVm(ref);
    expect(await kvm.vmState(ref)).toBe('running');
    expect((await virsh(`domstate ${ref.id}`)).trim()).toBe('running');
    await kvm.startVm(ref); // already running: nothing to do
  });

  it('lists it in the inventory with its BIOS UUID, on the one KVM host', async () => {
    const inventory = await kvm.inventory();
    expect(inventory.platform).toBe('kvm');
    expect(inventory.hosts).toHaveLength(1);
    const hostId = inventory.hosts[0]!.id;
    expect(inventory.storage.find((s) => s.id === `dir:${imageDir}`)).toMatchObject({ kind: 'directory', hostIds: [hostId] });
    expect(inventory.storage.find((s) => s.id === `dir:${imageDir}`)!.freeBytes).toBeGreaterThan(0);
    const vm = inventory.vms.find((v) => v.id === ref.id);
    expect(vm).toEqual({ id: ref.id, name, biosUuid: ref.id, hostId, state: 'running', vcpus: 1, memoryMiB: 128 });
  });

  it('reconfigures vCPU and RAM: for the next start while it runs', async () => {
    expect(await kvm.reconfigure(ref, { vcpus: 2, memoryMiB: 256 })).toEqual({ restartRequired: true });
  });

  it('stops it (power off)', async () => {
    await kvm.stopVm(ref, { force: true });
    expect(await kvm.vmState(ref)).toBe('stopped');
    await kvm.stopVm(ref); // already stopped: nothing to do
  });

  it('has the new vCPU and RAM once stopped, and can lower them again', async () => {
    let vm = (await kvm.inventory()).vms.find((v) => v.id === ref.id);
    expect(vm).toMatchObject({ vcpus: 2, memoryMiB: 256, state: 'stopped' });
    expect(await kvm.reconfigure(ref, { vcpus: 1, memoryMiB: 192 })).toEqual({ restartRequired: false });
    vm = (await kvm.inventory()).vms.find((v) => v.id === ref.id);
    expect(vm).toMatchObject({ vcpus: 1, memoryMiB: 192 });
  });

  it('destroys it: the domain is undefined and its disk removed', async () => {
    await kvm.startVm(ref);
    expect(await kvm.vmState(ref)).toBe('running');
    const { removedDisks } = await kvm.destroyVm(ref);
    expect(removedDisks).toEqual([disk]);
    expect(await kvm.vmState(ref)).toBe('absent');
    expect((await virsh('list --all --name')).split('\n')).not.toContain(name);
    expect(await exists(disk)).toBe(false);
    expect((await kvm.inventory()).vms.find((v) => v.id === ref.id)).toBeUndefined();
  });

  it('treats an absent VM as gone for destroy, and as not found for start, stop and reconfigure', async () => {
    expect(await kvm.destroyVm(ref)).toEqual({ removedDisks: [] });
    await expect(kvm.startVm(ref)).rejects.toMatchObject({ code: 'not-found' });
    await expect(kvm.stopVm(ref)).rejects.toMatchObject({ code: 'not-found' });
    await expect(kvm.reconfigure(ref, { vcpus: 2 })).rejects.toMatchObject({ code: 'not-found' });
  });
});
