/**
 * Proxmox VE over its HTTPS API (proxmox-api.md): a standalone node. Images go to a storage with
 * `import` content (PVE ≥ 8.4 takes qcow2 there), VM disks are imported from them with
 * `import-from` onto a storage with `images` content; every mutation is a UPID task waited for.
 * VM ids are `<node>/<vmid>`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  HypervisorError,
  type AccessCheck,
  type AccessReport,
  type CreatedVm,
  type HypervisorConnection,
  type HypervisorConnector,
  type ImageUploadRequest,
  type Inventory,
  type StopOptions,
  type UploadedImage,
  type VmPowerState,
  type VmRef,
  type VmResources,
  type VmSpec,
} from '../hypervisor.ts';
import { ProxmoxClient, ProxmoxError, type ProxmoxAuth } from './proxmox-client.ts';

type NodeInfo = { node: string; status: string; maxcpu?: number; maxmem?: number };
type StorageInfo = { storage: string; type: string; content: string; active?: number; enabled?: number; shared?: number; total?: number; avail?: number; path?: string };
type VmListItem = { vmid: number; name?: string; status: string; cpus?: number; maxmem?: number };
type VmConfig = Record<string, string | number | undefined> & { smbios1?: string; cores?: number; memory?: string | number; digest?: string };

const VM_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;
const SAFE_FILE = /[^a-zA-Z0-9\-.+=_]/g;

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const contentOf = (s: StorageInfo) => s.content.split(',').map((c) => c.trim());
const notFound = (e: unknown) => e instanceof ProxmoxError && (e.status === 500 || e.status === 404) && /does not exist|no such/i.test(e.message);

export class ProxmoxConnector implements HypervisorConnector {
  readonly platform = 'proxmox-ve' as const;
  readonly #api: ProxmoxClient;
  readonly #preferredNode: string | undefined;

  constructor(api: ProxmoxClient, options: { node?: string } = {}) {
    this.#api = api;
    this.#preferredNode = options.node;
  }

  get endpoint(): string {
    return this.#api.endpoint;
  }

  async #node(hostId?: string): Promise<string> {
    if (hostId) return hostId;
    if (this.#preferredNode) return this.#preferredNode;
    const nodes = await this.#api.call<NodeInfo[]>('GET', '/nodes');
    const online = nodes.find((n) => n.status === 'online');
    if (!online) throw new HypervisorError('not-found', `Proxmox VE at ${this.endpoint} has no online node.`);
    return online.node;
  }

  #ref(vm: VmRef): { node: string; vmid: string } {
    const [node, vmid] = vm.id.split('/');
    if (!node || !vmid || !/^\d+$/.test(vmid)) throw new HypervisorError('bad-request', `"${vm.id}" is not a Proxmox VM id (node/vmid).`);
    return { node, vmid };
  }

  async #storages(node: string): Promise<StorageInfo[]> {
    return this.#api.call<StorageInfo[]>('GET', `/nodes/${node}/storage`, { enabled: 1 });
  }

  async #storageFor(node: string, content: 'import' | 'images', wanted?: string): Promise<StorageInfo> {
    const all = await this.#storages(node);
    const fit = all.filter((s) => contentOf(s).includes(content) && s.active !== 0);
    const pick = wanted ? fit.find((s) => s.storage === wanted) : fit[0];
    if (!pick) {
      const why = wanted ? `storage "${wanted}" does not exist or does not allow "${content}" content` : `no storage allows "${content}" content`;
      throw new HypervisorError('not-found', `On Proxmox VE node ${node} at ${this.endpoint} ${why}. Enable it under Datacenter → Storage → Content.`);
    }
    return pick;
  }

  // --- access and inventory ----------------------------------------------------------------------

  async checkAccess(): Promise<AccessReport> {
    const checks: AccessCheck[] = [];
    try {
      const v = await this.#api.call<{ version: string }>('GET', '/version');
      checks.push({ id: 'login', ok: true, detail: `Logged in to Proxmox VE ${v.version} at ${this.endpoint}.` });
      const node = await this.#node();
      checks.push({ id: 'node', ok: true, detail: `Node ${node} is online.` });
      const storages = await this.#storages(node);
      const importable = storages.filter((s) => contentOf(s).includes('import'));
      const images = storages.filter((s) => contentOf(s).includes('images'));
      checks.push(importable.length
        ? { id: 'import-storage', ok: true, detail: `Images can be uploaded to ${importable.map((s) => s.storage).join(', ')}.` }
        : { id: 'import-storage', ok: false, detail: `No storage on ${node} allows "import" content: enable it on a directory storage (PVE 8.4 or later) so that SVM images can be uploaded.` });
      checks.push(images.length
        ? { id: 'vm-storage', ok: true, detail: `VM disks can be made on ${images.map((s) => s.storage).join(', ')}.` }
        : { id: 'vm-storage', ok: false, detail: `No storage on ${node} allows "images" content: SVM disks have nowhere to go.` });
      try {
        await this.#api.call('GET', '/cluster/nextid');
        checks.push({ id: 'allocate', ok: true, detail: 'The account may allocate VM ids (VM.Allocate).' });
      } catch (e) {
        checks.push({ id: 'allocate', ok: false, detail: `The account may not allocate VMs: ${(e as Error).message}. Grant VM.Allocate, VM.Config.*, VM.PowerMgmt, Datastore.AllocateSpace and Datastore.AllocateTemplate on / to the account (or token).` });
      }
    } catch (e) {
      const kind = e instanceof ProxmoxError ? e.kind : 'failed';
      const id = kind === 'auth-failed' ? 'login' : kind === 'certificate-changed' ? 'certificate' : kind === 'forbidden' ? 'rights' : 'reachable';
      checks.push({ id, ok: false, detail: (e as Error).message });
    }
    return { ok: checks.every((c) => c.ok || c.warning), checks };
  }

  async inventory(): Promise<Inventory> {
    const nodes = await this.#api.call<NodeInfo[]>('GET', '/nodes');
    const inv: Inventory = { platform: 'proxmox-ve', datacenters: [], clusters: [], hosts: [], storage: [], networks: [], vms: [] };
    for (const n of nodes) {
      inv.hosts.push({ id: n.node, name: n.node, datacenterId: null, clusterId: null, cpus: n.maxcpu ?? null, memoryMiB: n.maxmem ? Math.round(n.maxmem / 2 ** 20) : null, hypervisor: 'Proxmox VE (QEMU/KVM)' });
      if (n.status !== 'online') continue;
      for (const s of await this.#storages(n.node)) {
        inv.storage.push({ id: s.storage, name: s.storage, kind: `${s.type} (${s.content})`, hostIds: [n.node], path: s.path ?? null, capacityBytes: s.total ?? null, freeBytes: s.avail ?? null });
      }
      const bridges = await this.#api.call<Array<{ iface: string; active?: number }>>('GET', `/nodes/${n.node}/network`, { type: 'any_bridge' });
      for (const b of bridges) inv.networks.push({ id: b.iface, name: b.iface, hostIds: [n.node], active: b.active === undefined ? null : b.active === 1 });
      for (const vm of await this.#api.call<VmListItem[]>('GET', `/nodes/${n.node}/qemu`)) {
        const config = await this.#api.call<VmConfig>('GET', `/nodes/${n.node}/qemu/${vm.vmid}/config`);
        const uuid = /(?:^|,)uuid=([0-9a-f-]{36})/i.exec(String(config.smbios1 ?? ''))?.[1] ?? null;
        inv.vms.push({ id: `${n.node}/${vm.vmid}`, name: vm.name ?? `VM ${vm.vmid}`, biosUuid: uuid, hostId: n.node, state: vm.status === 'running' ? 'running' : vm.status === 'stopped' ? 'stopped' : 'unknown', vcpus: vm.cpus ?? null, memoryMiB: vm.maxmem ? Math.round(vm.maxmem / 2 ** 20) : null });
      }
    }
    return inv;
  }

  // --- images ------------------------------------------------------------------------------------

  async uploadImage(request: ImageUploadRequest): Promise<UploadedImage> {
    const node = await this.#node();
    const storage = await this.#storageFor(node, 'import', request.storageId);
    const sha = request.sha256?.toLowerCase() ?? (await sha256File(request.localPath));
    const { size } = await stat(request.localPath);
    // The checksum is in the name: an identical image already on the storage is reused, not sent again.
    const base = (request.name ?? basename(request.localPath)).replace(/\.qcow2$/i, '').replace(SAFE_FILE, '_');
    const name = `${base}-${sha.slice(0, 12)}.qcow2`;
    const volid = `${storage.storage}:import/${name}`;
    const present = await this.#api.call<Array<{ volid: string; size: number }>>('GET', `/nodes/${node}/storage/${storage.storage}/content`, { content: 'import' });
    if (present.some((v) => v.volid === volid && v.size === size)) {
      request.onProgress?.({ transferredBytes: size, totalBytes: size });
      return { id: `${node}/${volid}`, name, bytes: size, sha256: sha, transferred: false };
    }
    if (storage.avail !== undefined && storage.avail < size) {
      throw new HypervisorError('no-space', `Not enough space on storage ${storage.storage} of ${node}: the image needs ${Math.ceil(size / 2 ** 20)} MiB, ${Math.floor(storage.avail / 2 ** 20)} MiB are free.`);
    }
    try {
      await this.#api.upload(node, storage.storage, {
        localPath: request.localPath,
        filename: name,
        content: 'import',
        sha256: sha,
        ...(request.onProgress ? { onProgress: (t: number, total: number) => request.onProgress!({ transferredBytes: t, totalBytes: total }) } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (e) {
      if (e instanceof ProxmoxError && /checksum mismatch/i.test(e.message)) {
        throw new HypervisorError('integrity', `The image arrived damaged on ${this.endpoint} (${e.message}); Proxmox discarded it. Upload it again.`, { cause: e });
      }
      throw e;
    }
    return { id: `${node}/${volid}`, name, bytes: size, sha256: sha, transferred: true };
  }

  async deleteImage(imageId: string): Promise<void> {
    const slash = imageId.indexOf('/');
    const node = imageId.slice(0, slash);
    const volid = imageId.slice(slash + 1);
    const storage = volid.split(':')[0]!;
    try {
      await this.#api.run('DELETE', `/nodes/${node}/storage/${storage}/content/${encodeURIComponent(volid)}`);
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  }

  async discardPartialUpload(): Promise<void> {
    // pveproxy spools an upload to /var/tmp/pveupload-* and removes it itself when the request breaks;
    // the volume appears only after the checksum matched, so nothing partial is ever ours to delete.
  }

  // --- VMs ---------------------------------------------------------------------------------------

  async vmState(vm: VmRef): Promise<VmPowerState | 'absent'> {
    const { node, vmid } = this.#ref(vm);
    try {
      const s = await this.#api.call<{ status: string; qmpstatus?: string }>('GET', `/nodes/${node}/qemu/${vmid}/status/current`);
      if (s.qmpstatus === 'paused') return 'paused';
      return s.status === 'running' ? 'running' : s.status === 'stopped' ? 'stopped' : 'unknown';
    } catch (e) {
      if (notFound(e)) return 'absent';
      throw e;
    }
  }

  async createVm(spec: VmSpec): Promise<CreatedVm> {
    if (!VM_NAME.test(spec.name)) throw new HypervisorError('bad-request', `"${spec.name}" cannot be a Proxmox VM name: use up to 63 letters, digits, "." and "-" (a DNS name).`);
    if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1) throw new HypervisorError('bad-request', `A VM needs a whole number of vCPUs, at least 1 (got ${spec.vcpus}).`);
    if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB < 16) throw new HypervisorError('bad-request', `A VM needs at least 16 MiB of RAM (got ${spec.memoryMiB}).`);
    const node = await this.#node(spec.hostId);
    const vms = await this.#api.call<VmListItem[]>('GET', `/nodes/${node}/qemu`);
    if (vms.some((v) => v.name === spec.name)) throw new HypervisorError('conflict', `A VM named "${spec.name}" already exists on Proxmox VE node ${node}.`);
    const target = await this.#storageFor(node, 'images', spec.storageId);
    let disk: string;
    if ('imageId' in spec.disk) {
      const volid = spec.disk.imageId.slice(spec.disk.imageId.indexOf('/') + 1);
      disk = `${target.storage}:0,import-from=${volid}`;
    } else {
      disk = `${target.storage}:${Math.max(1, Math.ceil(spec.disk.blankGiB))}`;
    }
    const uuid = randomUUID();
    // /cluster/nextid reserves nothing: parallel deploys may draw the same id, so a taken id is drawn again.
    for (let attempt = 0; ; attempt++) {
      const vmid = await this.#api.call<string>('GET', '/cluster/nextid');
      try {
        await this.#api.run('POST', `/nodes/${node}/qemu`, {
          vmid,
          name: spec.name,
          memory: spec.memoryMiB,
          cores: spec.vcpus,
          sockets: 1,
          ostype: 'l26',
          scsihw: 'virtio-scsi-single',
          scsi0: disk,
          boot: 'order=scsi0',
          serial0: 'socket',
          agent: 1,
          smbios1: `uuid=${uuid}`,
          ...(spec.networkId ? { net0: `virtio,bridge=${spec.networkId}` } : {}),
        });
        const config = await this.#api.call<VmConfig>('GET', `/nodes/${node}/qemu/${vmid}/config`);
        const disks = Object.entries(config).filter(([k, v]) => /^(scsi|virtio|sata|ide)\d+$/.test(k) && typeof v === 'string' && !v.includes('media=cdrom')).map(([, v]) => String(v).split(',')[0]!);
        return { ref: { id: `${node}/${vmid}`, name: spec.name }, biosUuid: uuid, disks };
      } catch (e) {
        if (attempt < 5 && e instanceof ProxmoxError && /already exists/i.test(e.message)) continue;
        // A create that failed half-way must not leave a VM behind that nobody knows about.
        if (e instanceof ProxmoxError && e.kind === 'task-failed') await this.destroyVm({ id: `${node}/${vmid}`, name: spec.name }).catch(() => undefined);
        throw e;
      }
    }
  }

  async startVm(vm: VmRef): Promise<void> {
    const { node, vmid } = this.#ref(vm);
    const state = await this.vmState(vm);
    if (state === 'absent') throw new HypervisorError('not-found', `There is no VM ${vmid} ("${vm.name}") on Proxmox VE node ${node}.`);
    if (state === 'running') return;
    await this.#api.run('POST', `/nodes/${node}/qemu/${vmid}/status/${state === 'paused' ? 'resume' : 'start'}`);
  }

  async stopVm(vm: VmRef, options: StopOptions = {}): Promise<void> {
    const { node, vmid } = this.#ref(vm);
    const state = await this.vmState(vm);
    if (state === 'absent') throw new HypervisorError('not-found', `There is no VM ${vmid} ("${vm.name}") on Proxmox VE node ${node}.`);
    if (state === 'stopped') return;
    if (options.force === false) {
      await this.#api.run('POST', `/nodes/${node}/qemu/${vmid}/status/shutdown`, { timeout: Math.ceil((options.timeoutMs ?? 120_000) / 1000), forceStop: 1 }, options.signal);
    } else {
      await this.#api.run('POST', `/nodes/${node}/qemu/${vmid}/status/stop`, {}, options.signal);
    }
  }

  async destroyVm(vm: VmRef): Promise<{ removedDisks: string[] }> {
    const { node, vmid } = this.#ref(vm);
    const state = await this.vmState(vm);
    if (state === 'absent') return { removedDisks: [] };
    const config = await this.#api.call<VmConfig>('GET', `/nodes/${node}/qemu/${vmid}/config`);
    const disks = Object.entries(config).filter(([k, v]) => /^(scsi|virtio|sata|ide)\d+$/.test(k) && typeof v === 'string' && !v.includes('media=cdrom')).map(([, v]) => String(v).split(',')[0]!);
    if (state !== 'stopped') await this.#api.run('POST', `/nodes/${node}/qemu/${vmid}/status/stop`);
    await this.#api.run('DELETE', `/nodes/${node}/qemu/${vmid}`, { purge: 1, 'destroy-unreferenced-disks': 1 });
    return { removedDisks: disks };
  }

  async reconfigure(vm: VmRef, resources: VmResources): Promise<{ restartRequired: boolean }> {
    const { node, vmid } = this.#ref(vm);
    const { vcpus, memoryMiB } = resources;
    if (vcpus !== undefined && (!Number.isInteger(vcpus) || vcpus < 1)) throw new HypervisorError('bad-request', `vCPUs must be a whole number, at least 1 (got ${vcpus}).`);
    if (memoryMiB !== undefined && (!Number.isInteger(memoryMiB) || memoryMiB < 16)) throw new HypervisorError('bad-request', `RAM must be whole MiB, at least 16 (got ${memoryMiB}).`);
    const state = await this.vmState(vm);
    if (state === 'absent') throw new HypervisorError('not-found', `There is no VM ${vmid} ("${vm.name}") on Proxmox VE node ${node}.`);
    const config = await this.#api.call<VmConfig>('GET', `/nodes/${node}/qemu/${vmid}/config`);
    await this.#api.call('PUT', `/nodes/${node}/qemu/${vmid}/config`, { ...(vcpus !== undefined ? { cores: vcpus } : {}), ...(memoryMiB !== undefined ? { memory: memoryMiB } : {}), ...(config.digest ? { digest: config.digest } : {}) });
    return { restartRequired: state !== 'stopped' && (vcpus !== undefined || memoryMiB !== undefined) };
  }

  async guestAddresses(vm: VmRef): Promise<string[]> {
    const { node, vmid } = this.#ref(vm);
    try {
      const r = await this.#api.call<{ result: Array<{ name: string; 'ip-addresses'?: Array<{ 'ip-address-type': string; 'ip-address': string }> }> }>('GET', `/nodes/${node}/qemu/${vmid}/agent/network-get-interfaces`);
      return r.result.flatMap((i) => i['ip-addresses'] ?? []).filter((a) => a['ip-address-type'] === 'ipv4' && !a['ip-address'].startsWith('127.')).map((a) => a['ip-address']);
    } catch (e) {
      // Until the guest agent runs, Proxmox answers 500 "QEMU guest agent is not running".
      if (e instanceof ProxmoxError && e.status === 500) return [];
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.#api.close();
  }
}

function authOf(connection: HypervisorConnection): ProxmoxAuth {
  const c = connection.credential;
  if ('apiToken' in c) {
    // Either the whole `USER@REALM!TOKENID=SECRET`, or the secret with the token id as the account.
    return { apiToken: c.apiToken.includes('=') ? c.apiToken : `${connection.account}=${c.apiToken}` };
  }
  if ('password' in c) return { username: connection.account.includes('@') ? connection.account : `${connection.account}@pam`, password: c.password };
  throw new HypervisorError('bad-request', 'Proxmox VE is reached over its HTTPS API: give a password or an API token, not an SSH key.');
}

export async function connectProxmox(connection: HypervisorConnection): Promise<ProxmoxConnector> {
  if (connection.platform !== 'proxmox-ve') throw new HypervisorError('bad-request', `connectProxmox was given a ${connection.platform} connection.`);
  const node = typeof connection.options?.node === 'string' ? connection.options.node : undefined;
  const client = new ProxmoxClient({ address: connection.address, port: connection.port ?? 8006, auth: authOf(connection), fingerprint: connection.fingerprint });
  // Connect now, like the SSH connectors: a changed certificate or a refused login fails here, named as such.
  try {
    await client.call('GET', '/version');
  } catch (e) {
    await client.close().catch(() => undefined);
    throw e;
  }
  return new ProxmoxConnector(client, node ? { node } : {});
}
