/**
 * KVM over SSH: a standalone libvirt host driven with `virsh` and `qemu-img` through one pinned
 * SSH session (lab.md §1–2). Images and VM disks live in one directory on the host (`imageDir`);
 * the connector only ever deletes files inside it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { SshSession, shellQuote, type ExecResult, type SshAuth } from '../ssh/ssh-session.ts';
import {
  HypervisorError,
  type AccessCheck,
  type AccessReport,
  type CreatedVm,
  type HypervisorConnection,
  type HypervisorConnector,
  type ImageUploadRequest,
  type Inventory,
  type InventoryNetwork,
  type InventoryStorage,
  type InventoryVm,
  type StopOptions,
  type UploadedImage,
  type VmPowerState,
  type VmRef,
  type VmResources,
  type VmSpec,
} from '../hypervisor.ts';
import { domainXml, parseCapabilities, type DomainType } from './libvirt-xml.ts';
import { parseDomblklist, parseDominfo, parseNetInfo, parseNodeinfo, parsePoolInfo, powerState, splitSections } from './virsh-output.ts';

export type KvmOptions = {
  /** Default `qemu:///system`. */
  libvirtUri?: string;
  /** Where images are uploaded and VM disks are made; default `/var/lib/libvirt/images`. */
  imageDir?: string;
  /** `auto` (default): `kvm` when libvirt offers it for x86_64 guests, QEMU TCG (`qemu`) otherwise. */
  domainType?: DomainType | 'auto';
};

/** What the connector needs from the SSH session. */
export type KvmTransport = Pick<SshSession, 'exec' | 'upload' | 'dispose' | 'endpoint'>;

const VM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_FOUND = /failed to get domain|Domain not found|no domain with matching/i;
const NOT_RUNNING = /domain is not running|is not active/i;
const POLL_MS = 1000;

const firstLine = (text: string) => text.trim().split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' });

type InactiveXml = { domain?: { vcpu?: number | { '#text'?: number }; memory?: number | { '#text'?: number; '@_unit'?: string } } };

function scalar(node: number | { '#text'?: number } | undefined): number | null {
  const value = typeof node === 'object' ? node['#text'] : node;
  return typeof value === 'number' ? value : null;
}

export class KvmConnector implements HypervisorConnector {
  readonly platform = 'kvm' as const;
  readonly libvirtUri: string;
  readonly imageDir: string;
  readonly #ssh: KvmTransport;
  readonly #domainTypeOption: DomainType | 'auto';
  #domainType: DomainType | null = null;

  constructor(transport: KvmTransport, options: KvmOptions = {}) {
    this.#ssh = transport;
    this.libvirtUri = options.libvirtUri ?? 'qemu:///system';
    this.imageDir = (options.imageDir ?? '/var/lib/libvirt/images').replace(/\/+$/, '');
    this.#domainTypeOption = options.domainType ?? 'auto';
    if (!this.imageDir.startsWith('/') || this.imageDir.split('/').includes('..')) {
      throw new HypervisorError('bad-request', `The KVM image directory must be an absolute path without "..": ${this.imageDir}`);
    }
  }

  get endpoint(): string {
    return this.#ssh.endpoint;
  }

  // --- plumbing ----------------------------------------------------------------------------------

  #virshLine(args: readonly (string | number)[]): string {
    return `LC_ALL=C virsh -q -c ${shellQuote(this.libvirtUri)} ${args.map((a) => shellQuote(String(a))).join(' ')}`;
  }

  #fail(what: string, r: ExecResult): HypervisorError {
    const detail = firstLine(r.stderr) || firstLine(r.stdout) || `exit status ${r.code ?? r.signal}`;
    const code = /No space left on device|not enough space|ENOSPC/i.test(r.stderr) ? 'no-space' : 'command-failed';
    return new HypervisorError(code, `${what} failed on the KVM host ${this.endpoint}: ${detail}`);
  }

  /** Runs a command line; returns stdout, or throws with the command's own error message. */
  async #sh(what: string, line: string, options: { stdin?: string; signal?: AbortSignal } = {}): Promise<string> {
    const r = await this.#ssh.exec(line, options);
    if (r.code !== 0) throw this.#fail(what, r);
    return r.stdout;
  }

  #virsh(args: readonly (string | number)[], options: { stdin?: string; signal?: AbortSignal } = {}): Promise<string> {
    return this.#sh(`virsh ${args[0]}`, this.#virshLine(args), options);
  }

  /** libvirt takes a UUID, a name or an id; the UUID cannot be confused with another VM's name. */
  #domain(vm: VmRef): string {
    return UUID.test(vm.id) ? vm.id : vm.name;
  }

  #inImageDir(path: string): boolean {
    return path.startsWith(`${this.imageDir}/`) && !path.split('/').includes('..');
  }

  async domainType(): Promise<DomainType> {
    if (this.#domainTypeOption !== 'auto') return this.#domainTypeOption;
    if (!this.#domainType) {
      const caps = parseCapabilities(await this.#virsh(['capabilities']));
      this.#domainType = caps.domainTypes.includes('kvm') ? 'kvm' : 'qemu';
    }
    return this.#domainType;
  }

  // --- access and inventory ----------------------------------------------------------------------

  async checkAccess(): Promise<AccessReport> {
    const dir = shellQuote(this.imageDir);
    const probe = async (id: string, line: string, okDetail: (out: string) => string, failDetail: string): Promise<AccessCheck> => {
      const r = await this.#ssh.exec(line);
      return r.code === 0 ? { id, ok: true, detail: okDetail(r.stdout) } : { id, ok: false, detail: `${failDetail}${firstLine(r.stderr) ? `: ${firstLine(r.stderr)}` : ''}` };
    };
    const checks = await Promise.all([
      probe('virsh', 'command -v virsh', (o) => `virsh found at ${firstLine(o)}`, 'virsh is not installed on the host (package libvirt-clients)'),
      probe('qemu-img', 'command -v qemu-img', (o) => `qemu-img found at ${firstLine(o)}`, 'qemu-img is not installed on the host (package qemu-utils)'),
      probe('libvirt', this.#virshLine(['list', '--all', '--name']), () => `${this.libvirtUri} opens read-write`, `The account cannot manage ${this.libvirtUri} (add it to group libvirt, or check that libvirtd runs)`),
      probe('image-dir', `test -d ${dir} && test -w ${dir} && test -x ${dir}`, () => `${this.imageDir} is writable`, `The account cannot write to ${this.imageDir}`),
      probe('free-space', `df -P -B1 ${dir} | tail -n 1`, (o) => `${Math.floor(Number(o.trim().split(/\s+/)[3]) / 2 ** 20)} MiB free in ${this.imageDir}`, `Cannot read the free space of ${this.imageDir}`),
    ]);
    const libvirt = checks.find((c) => c.id === 'libvirt');
    if (libvirt?.ok) {
      const type = await this.domainType();
      checks.push(
        type === 'kvm'
          ? { id: 'acceleration', ok: true, detail: 'KVM acceleration is available' }
          : { id: 'acceleration', ok: true, warning: true, detail: 'KVM acceleration is not available: VMs run under QEMU TCG emulation, much slower' },
      );
    }
    return { ok: checks.every((c) => c.ok), checks };
  }

  async inventory(): Promise<Inventory> {
    const script = [
      'export LC_ALL=C',
      `v() { virsh -q -c ${shellQuote(this.libvirtUri)} "$@"; }`,
      'echo "@@hostname"; hostname -f 2>/dev/null || hostname',
      'echo "@@capabilities"; v capabilities || exit 1',
      'echo "@@nodeinfo"; v nodeinfo',
      `echo "@@imagedir"; df -P -B1 ${shellQuote(this.imageDir)} | tail -n 1`,
      'for u in $(v pool-list --all --uuid); do echo "@@pool $u"; v pool-info --bytes "$u"; echo "@@poolpath $u"; v pool-dumpxml "$u" | sed -n "s:.*<path>\\(.*\\)</path>.*:\\1:p" | head -n 1; done',
      'for u in $(v net-list --all --uuid); do echo "@@net $u"; v net-info "$u"; done',
      'for u in $(v list --all --uuid); do echo "@@vm $u"; v dominfo "$u"; done',
    ].join('\n');
    const parts = splitSections(await this.#sh('Reading the inventory', 'sh -s', { stdin: `${script}\n` }));
    const body = (section: string) => parts.find((p) => p.section === section)?.body ?? '';

    const hostName = firstLine(body('hostname')) || this.endpoint;
    const caps = parseCapabilities(body('capabilities'));
    const node = parseNodeinfo(body('nodeinfo'));
    const hostId = caps.hostUuid ?? hostName;
    const accelerated = caps.domainTypes.includes('kvm');

    const storage: InventoryStorage[] = [];
    const df = firstLine(body('imagedir')).split(/\s+/);
    storage.push({
      id: `dir:${this.imageDir}`,
      name: this.imageDir,
      kind: 'directory',
      hostIds: [hostId],
      path: this.imageDir,
      capacityBytes: df.length >= 4 ? Number(df[1]) : null,
      freeBytes: df.length >= 4 ? Number(df[3]) : null,
    });
    for (const part of parts.filter((p) => p.section === 'pool')) {
      const pool = parsePoolInfo(part.body);
      const path = firstLine(parts.find((p) => p.section === 'poolpath' && p.key === part.key)?.body ?? '');
      storage.push({ id: pool.name, name: pool.name, kind: 'libvirt-pool', hostIds: [hostId], path: path || null, capacityBytes: pool.capacityBytes, freeBytes: pool.freeBytes });
    }

    const networks: InventoryNetwork[] = parts
      .filter((p) => p.section === 'net')
      .map((p) => parseNetInfo(p.body))
      .map((n) => ({ id: n.name, name: n.name, hostIds: [hostId], active: n.active }));

    // libvirt gives the guest's SMBIOS system UUID the domain's UUID (unless <sysinfo> overrides it).
    const vms: InventoryVm[] = parts
      .filter((p) => p.section === 'vm')
      .map((p) => parseDominfo(p.body))
      .map((d) => ({ id: d.uuid, name: d.name, biosUuid: d.uuid || null, hostId, state: d.state, vcpus: d.vcpus, memoryMiB: d.maxMemoryMiB }));

    return {
      platform: 'kvm',
      datacenters: [],
      clusters: [],
      hosts: [{ id: hostId, name: hostName, datacenterId: null, clusterId: null, cpus: node.cpus, memoryMiB: node.memoryMiB, hypervisor: accelerated ? 'QEMU/KVM (libvirt)' : 'QEMU TCG (libvirt)' }],
      storage,
      networks,
      vms,
    };
  }

  // --- images ------------------------------------------------------------------------------------

  async uploadImage(request: ImageUploadRequest): Promise<UploadedImage> {
    const name = request.name ?? basename(request.localPath);
    if (!IMAGE_NAME.test(name)) throw new HypervisorError('bad-request', `"${name}" cannot be an image file name: use letters, digits, ".", "_", "+", "-".`);
    if (request.storageId !== undefined && request.storageId !== `dir:${this.imageDir}`) {
      throw new HypervisorError('not-supported', `The KVM connector keeps images in ${this.imageDir}; storage "${request.storageId}" cannot hold them.`);
    }
    const remote = `${this.imageDir}/${name}`;
    const part = `${remote}.part`;
    const expected = request.sha256?.toLowerCase();
    // Hash while uploading when no checksum was given: both read the same file once more at most.
    const localSha = expected !== undefined ? Promise.resolve(expected) : sha256File(request.localPath);
    localSha.catch(() => undefined);

    if (expected !== undefined) {
      const present = await this.#ssh.exec(`test -f ${shellQuote(remote)} && sha256sum -- ${shellQuote(remote)}`);
      if (present.code === 0 && present.stdout.trim().split(/\s+/)[0] === expected) {
        const size = Number((await this.#sh('Reading the image size', `stat -c %s -- ${shellQuote(remote)}`)).trim());
        request.onProgress?.({ transferredBytes: size, totalBytes: size });
        return { id: remote, name, bytes: size, sha256: expected, transferred: false };
      }
    }

    const { size } = await stat(request.localPath);
    const avail = Number(firstLine(await this.#sh('Reading the free space', `df -P -B1 ${shellQuote(this.imageDir)} | tail -n 1`)).split(/\s+/)[3]);
    if (Number.isFinite(avail) && avail < size) {
      throw new HypervisorError('no-space', `Not enough space in ${this.imageDir} on ${this.endpoint}: the image needs ${Math.ceil(size / 2 ** 20)} MiB, ${Math.floor(avail / 2 ** 20)} MiB are free.`);
    }

    try {
      await this.#ssh.upload(request.localPath, part, {
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      const sha = await localSha;
      const remoteSha = (await this.#sh('Checking the uploaded image', `sha256sum -- ${shellQuote(part)}`)).trim().split(/\s+/)[0];
      if (remoteSha !== sha) {
        throw new HypervisorError('integrity', `The image arrived damaged on ${this.endpoint}: SHA-256 ${remoteSha} instead of ${sha}. It was deleted; upload it again.`);
      }
      await this.#sh('Storing the uploaded image', `mv -f -- ${shellQuote(part)} ${shellQuote(remote)}`);
      return { id: remote, name, bytes: size, sha256: sha, transferred: true };
    } catch (err) {
      // Best effort: after a dropped connection the partial file stays, and the next upload overwrites it.
      await this.#ssh.exec(`rm -f -- ${shellQuote(part)}`).catch(() => undefined);
      throw err;
    }
  }

  async deleteImage(imageId: string): Promise<void> {
    if (!this.#inImageDir(imageId)) throw new HypervisorError('bad-request', `${imageId} is not in the image directory ${this.imageDir}; it was not deleted.`);
    await this.#sh('Deleting the image', `rm -f -- ${shellQuote(imageId)} ${shellQuote(`${imageId}.part`)}`);
  }

  async discardPartialUpload(name: string): Promise<void> {
    if (!IMAGE_NAME.test(name)) throw new HypervisorError('bad-request', `"${name}" cannot be an image file name.`);
    // Only a regular file: anything else at that path was not made by an upload.
    const part = shellQuote(`${this.imageDir}/${name}.part`);
    await this.#sh('Deleting a partial upload', `if [ -f ${part} ]; then rm -f -- ${part}; fi`);
  }

  // --- VMs ---------------------------------------------------------------------------------------

  async vmState(vm: VmRef): Promise<VmPowerState | 'absent'> {
    const r = await this.#ssh.exec(this.#virshLine(['domstate', this.#domain(vm)]));
    if (r.code !== 0) {
      if (NOT_FOUND.test(r.stderr)) return 'absent';
      throw this.#fail('virsh domstate', r);
    }
    return powerState(firstLine(r.stdout));
  }

  async #existingState(vm: VmRef): Promise<VmPowerState> {
    const state = await this.vmState(vm);
    if (state === 'absent') throw new HypervisorError('not-found', `There is no VM "${vm.name}" (${vm.id}) on the KVM host ${this.endpoint}.`);
    return state;
  }

  async createVm(spec: VmSpec): Promise<CreatedVm> {
    if (!VM_NAME.test(spec.name)) throw new HypervisorError('bad-request', `"${spec.name}" cannot be a VM name: use up to 64 letters, digits, ".", "_", "-".`);
    if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1) throw new HypervisorError('bad-request', `A VM needs a whole number of vCPUs, at least 1 (got ${spec.vcpus}).`);
    if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB < 16) throw new HypervisorError('bad-request', `A VM needs at least 16 MiB of RAM, in whole MiB (got ${spec.memoryMiB}).`);
    if (spec.storageId !== undefined && spec.storageId !== `dir:${this.imageDir}`) {
      throw new HypervisorError('not-supported', `The KVM connector puts VM disks in ${this.imageDir}; storage "${spec.storageId}" is not supported yet.`);
    }
    const name = spec.name;
    const exists = await this.#ssh.exec(this.#virshLine(['domuuid', name]));
    if (exists.code === 0) throw new HypervisorError('conflict', `A VM named "${name}" already exists on the KVM host ${this.endpoint}.`);
    const disk = `${this.imageDir}/${name}.qcow2`;
    if ((await this.#ssh.exec(`test -e ${shellQuote(disk)}`)).code === 0) {
      throw new HypervisorError('conflict', `The disk ${disk} already exists on ${this.endpoint}; it belongs to no VM named "${name}". Remove it or pick another name.`);
    }

    if ('imageId' in spec.disk) {
      const image = spec.disk.imageId;
      if (!this.#inImageDir(image)) throw new HypervisorError('bad-request', `The image ${image} is not in ${this.imageDir}.`);
      // A full copy, not a backing-file overlay: the image can then be deleted while SVMs run.
      await this.#sh('Copying the image to the VM disk', `qemu-img convert -q -O qcow2 -- ${shellQuote(image)} ${shellQuote(disk)}`);
    } else {
      const gib = spec.disk.blankGiB;
      if (!(gib > 0)) throw new HypervisorError('bad-request', `A blank disk needs a size above 0 GiB (got ${gib}).`);
      await this.#sh('Creating the VM disk', `qemu-img create -q -f qcow2 -- ${shellQuote(disk)} ${Math.ceil(gib * 1024)}M`);
    }

    try {
      const definition = domainXml({
        type: await this.domainType(),
        name,
        vcpus: spec.vcpus,
        memoryMiB: spec.memoryMiB,
        diskPath: disk,
        ...(spec.networkId !== undefined ? { network: spec.networkId } : {}),
      });
      await this.#virsh(['define', '/dev/stdin'], { stdin: definition });
      const uuid = firstLine(await this.#virsh(['domuuid', name]));
      return { ref: { id: uuid, name }, biosUuid: uuid, disks: [disk] };
    } catch (err) {
      await this.#ssh.exec(`rm -f -- ${shellQuote(disk)}`).catch(() => undefined);
      throw err;
    }
  }

  async startVm(vm: VmRef): Promise<void> {
    const state = await this.#existingState(vm);
    if (state === 'running') return;
    if (state === 'paused') {
      await this.#virsh(['resume', this.#domain(vm)]);
      return;
    }
    await this.#virsh(['start', this.#domain(vm)]);
  }

  async #powerOff(vm: VmRef): Promise<void> {
    const r = await this.#ssh.exec(this.#virshLine(['destroy', this.#domain(vm)]));
    if (r.code !== 0 && !NOT_RUNNING.test(r.stderr)) throw this.#fail('virsh destroy', r);
  }

  async stopVm(vm: VmRef, options: StopOptions = {}): Promise<void> {
    const state = await this.#existingState(vm);
    if (state === 'stopped') return;
    if (options.force === false && state === 'running') {
      const r = await this.#ssh.exec(this.#virshLine(['shutdown', this.#domain(vm)]));
      if (r.code !== 0 && !NOT_RUNNING.test(r.stderr)) throw this.#fail('virsh shutdown', r);
      const deadline = Date.now() + (options.timeoutMs ?? 120_000);
      while (Date.now() < deadline && !options.signal?.aborted) {
        const now = await this.vmState(vm);
        if (now === 'stopped' || now === 'absent') return;
        await sleep(POLL_MS);
      }
      if (options.signal?.aborted) throw new HypervisorError('aborted', `Stopping "${vm.name}" was canceled; the VM may still be shutting down.`);
    }
    await this.#powerOff(vm);
  }

  async destroyVm(vm: VmRef): Promise<{ removedDisks: string[] }> {
    const state = await this.vmState(vm);
    if (state === 'absent') return { removedDisks: [] };
    const domain = this.#domain(vm);
    const disks = parseDomblklist(await this.#virsh(['domblklist', domain, '--details']));
    if (state !== 'stopped') await this.#powerOff(vm);
    await this.#virsh(['undefine', domain]);
    const ours = disks.filter((d) => this.#inImageDir(d));
    if (ours.length > 0) await this.#sh('Deleting the VM disks', `rm -f -- ${ours.map(shellQuote).join(' ')}`);
    return { removedDisks: ours };
  }

  async reconfigure(vm: VmRef, resources: VmResources): Promise<{ restartRequired: boolean }> {
    const { vcpus, memoryMiB } = resources;
    if (vcpus !== undefined && (!Number.isInteger(vcpus) || vcpus < 1)) throw new HypervisorError('bad-request', `vCPUs must be a whole number, at least 1 (got ${vcpus}).`);
    if (memoryMiB !== undefined && (!Number.isInteger(memoryMiB) || memoryMiB < 16)) throw new HypervisorError('bad-request', `RAM must be whole MiB, at least 16 (got ${memoryMiB}).`);
    const state = await this.#existingState(vm);
    const domain = this.#domain(vm);
    // The persistent definition: what the VM gets at its next start.
    const current = (xml.parse(await this.#virsh(['dumpxml', '--inactive', domain])) as InactiveXml).domain;
    const currentVcpus = scalar(current?.vcpu) ?? 1;
    const memoryUnit = typeof current?.memory === 'object' ? current.memory['@_unit'] : 'KiB';
    const currentMemoryMiB = Math.round((scalar(current?.memory) ?? 0) / (memoryUnit === 'MiB' ? 1 : memoryUnit === 'GiB' ? 1 / 1024 : 1024));

    if (vcpus !== undefined && vcpus !== currentVcpus) {
      // The maximum must never fall below the current count: raise it first, lower it last.
      const steps: (string | number)[][] = [
        ['setvcpus', domain, vcpus, '--config', '--maximum'],
        ['setvcpus', domain, vcpus, '--config'],
      ];
      for (const step of vcpus > currentVcpus ? steps : steps.reverse()) await this.#virsh(step);
    }
    if (memoryMiB !== undefined && memoryMiB !== currentMemoryMiB) {
      const steps: (string | number)[][] = [
        ['setmaxmem', domain, `${memoryMiB}M`, '--config'],
        ['setmem', domain, `${memoryMiB}M`, '--config'],
      ];
      for (const step of memoryMiB > currentMemoryMiB ? steps : steps.reverse()) await this.#virsh(step);
    }
    return { restartRequired: state !== 'stopped' && (vcpus !== undefined || memoryMiB !== undefined) };
  }

  async guestAddresses(vm: VmRef): Promise<string[]> {
    const domain = this.#domain(vm);
    // The guest agent knows static addresses too; the DHCP lease table only libvirt's own networks.
    for (const source of ['agent', 'lease']) {
      const r = await this.#ssh.exec(this.#virshLine(['domifaddr', domain, '--source', source]));
      if (r.code !== 0) continue;
      const found = [...r.stdout.matchAll(/\bipv4\s+(\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!).filter((ip) => !ip.startsWith('127.'));
      if (found.length > 0) return found;
    }
    return [];
  }

  async close(): Promise<void> {
    this.#ssh.dispose();
  }
}

function authOf(connection: HypervisorConnection): SshAuth {
  const c = connection.credential;
  if ('password' in c) return { password: c.password };
  if ('privateKey' in c) return { privateKey: c.privateKey, ...(c.passphrase !== undefined ? { passphrase: c.passphrase } : {}) };
  throw new HypervisorError('bad-request', 'A KVM host is reached over SSH: give a password or a private key, not an API token.');
}

/** Opens the pinned SSH session and returns the connector (used by connectHypervisor). */
export async function connectKvm(connection: HypervisorConnection): Promise<KvmConnector> {
  if (connection.platform !== 'kvm') throw new HypervisorError('bad-request', `connectKvm was given a ${connection.platform} connection.`);
  const o = connection.options ?? {};
  const text = (key: string) => (typeof o[key] === 'string' ? (o[key] as string) : undefined);
  const domainType = text('domainType');
  if (domainType !== undefined && !['kvm', 'qemu', 'auto'].includes(domainType)) {
    throw new HypervisorError('bad-request', `domainType must be kvm, qemu or auto (got ${domainType}).`);
  }
  const options: KvmOptions = {
    ...(text('libvirtUri') ? { libvirtUri: text('libvirtUri') } : {}),
    ...(text('imageDir') ? { imageDir: text('imageDir') } : {}),
    ...(domainType ? { domainType: domainType as KvmOptions['domainType'] } : {}),
  };
  const session = await SshSession.connect({
    host: connection.address,
    port: connection.port ?? 22,
    username: connection.account,
    auth: authOf(connection),
    hostKeyFingerprint: connection.fingerprint,
  });
  try {
    return new KvmConnector(session, options);
  } catch (err) {
    session.dispose();
    throw err;
  }
}
