/**
 * One connector interface for every virtualization platform the SVM Management Wizard targets
 * (seed 002, "SVM deployment options"; domain.md §4.3). Services see only HypervisorConnector;
 * each platform's connector lives in its own folder and is loaded on demand by connectHypervisor().
 */

import { isPlatform, PLATFORM_IDS, PLATFORMS, type Platform } from '../contract/platforms.ts';

// The platform list is part of the contract (the console shows it); re-exported for the connectors' users.
export { isPlatform, PLATFORM_IDS, PLATFORMS, type Platform };

// --- inventory -----------------------------------------------------------------------------------

export type VmPowerState = 'running' | 'stopped' | 'paused' | 'suspended' | 'stopping' | 'crashed' | 'unknown';

export type InventoryDatacenter = { id: string; name: string };
export type InventoryCluster = { id: string; name: string; datacenterId: string | null };
export type InventoryHost = {
  id: string;
  name: string;
  datacenterId: string | null;
  clusterId: string | null;
  cpus: number | null;
  memoryMiB: number | null;
  /** The hypervisor as the platform names it, e.g. `QEMU/KVM (libvirt)`, `ESXi 8.0`. */
  hypervisor: string;
};
export type InventoryStorage = {
  id: string;
  name: string;
  kind: string;
  /** Hosts that can use it (a shared datastore lists several). */
  hostIds: string[];
  path: string | null;
  capacityBytes: number | null;
  freeBytes: number | null;
};
export type InventoryNetwork = { id: string; name: string; hostIds: string[]; active: boolean | null };
export type InventoryVm = {
  /** The platform's own id for the VM (libvirt UUID, vSphere moref, Proxmox vmid, …). */
  id: string;
  name: string;
  /** The SMBIOS system UUID the guest sees: Light Agents report it, SVM locality matches on it. */
  biosUuid: string | null;
  hostId: string | null;
  state: VmPowerState;
  vcpus: number | null;
  memoryMiB: number | null;
};

export type Inventory = {
  platform: Platform;
  datacenters: InventoryDatacenter[];
  clusters: InventoryCluster[];
  hosts: InventoryHost[];
  storage: InventoryStorage[];
  networks: InventoryNetwork[];
  vms: InventoryVm[];
};

// --- operations ----------------------------------------------------------------------------------

export type TransferProgress = { transferredBytes: number; totalBytes: number };

export type ImageUploadRequest = {
  localPath: string;
  /** File name on the platform; default the local file's name. */
  name?: string;
  /** Expected SHA-256 (hex); computed from the local file when absent. Checked on the platform side. */
  sha256?: string;
  storageId?: string;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
};

export type UploadedImage = {
  /** The platform's handle for the image (a path on the KVM host, a volume id on Proxmox, …). */
  id: string;
  name: string;
  bytes: number;
  sha256: string;
  /** False when an identical image was already there and nothing was sent. */
  transferred: boolean;
};

export type VmDisk = { imageId: string } | { blankGiB: number };

export type VmSpec = {
  name: string;
  vcpus: number;
  memoryMiB: number;
  disk: VmDisk;
  hostId?: string;
  storageId?: string;
  /** A virtual network / port group; absent means a VM without a NIC. */
  networkId?: string;
};

export type VmRef = { id: string; name: string };

export type CreatedVm = {
  ref: VmRef;
  biosUuid: string | null;
  /** What was made on the platform for this VM, so that a rollback can check it is all gone. */
  disks: string[];
};

export type StopOptions = {
  /** Power off at once (default); false asks the guest OS to shut down first. */
  force?: boolean;
  /** How long a graceful shutdown may take before the VM is powered off; default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
};

export type VmResources = { vcpus?: number; memoryMiB?: number };

export type AccessCheck = { id: string; ok: boolean; detail: string; warning?: boolean };
export type AccessReport = { ok: boolean; checks: AccessCheck[] };

export interface HypervisorConnector {
  readonly platform: Platform;
  /** Reachability, credentials and rights: every check, each saying what is missing. */
  checkAccess(): Promise<AccessReport>;
  inventory(): Promise<Inventory>;
  uploadImage(request: ImageUploadRequest): Promise<UploadedImage>;
  deleteImage(imageId: string): Promise<void>;
  /** Removes what an interrupted uploadImage of `name` may have left (never a complete image). */
  discardPartialUpload(name: string): Promise<void>;
  createVm(spec: VmSpec): Promise<CreatedVm>;
  startVm(vm: VmRef): Promise<void>;
  stopVm(vm: VmRef, options?: StopOptions): Promise<void>;
  /** Powers off if needed, deletes the VM and the disks made for it. Absent VMs are not an error. */
  destroyVm(vm: VmRef): Promise<{ removedDisks: string[] }>;
  /** `absent` when the platform no longer knows the VM. */
  vmState(vm: VmRef): Promise<VmPowerState | 'absent'>;
  /** Applies at once where the platform can; otherwise at the next start (`restartRequired`). */
  reconfigure(vm: VmRef, resources: VmResources): Promise<{ restartRequired: boolean }>;
  /** The guest's IP addresses as the platform sees them (guest agent or DHCP lease); empty while it has none. */
  guestAddresses(vm: VmRef): Promise<string[]>;
  close(): Promise<void>;
}

// --- connections and the factory ----------------------------------------------------------------

export type Credential = { password: string } | { privateKey: string; passphrase?: string } | { apiToken: string };

export type HypervisorConnection = {
  platform: Platform;
  address: string;
  port?: number;
  account: string;
  credential: Credential;
  /** The pinned identity the admin confirmed: SSH host key or TLS certificate, `SHA256:…`. */
  fingerprint: string;
  /** Platform settings, e.g. KVM: libvirtUri, imageDir, domainType. */
  options?: Readonly<Record<string, string | number | boolean | undefined>>;
};

export type HypervisorErrorCode =
  | 'not-supported'
  | 'bad-request'
  | 'not-found'
  | 'conflict'
  | 'command-failed'
  | 'integrity'
  | 'no-space'
  | 'aborted';

/** An error worded for a provider's admin. Transport errors (SshError, …) pass through as they are. */
export class HypervisorError extends Error {
  readonly code: HypervisorErrorCode;
  constructor(code: HypervisorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HypervisorError';
    this.code = code;
  }
}

type ConnectorBuilder = (connection: HypervisorConnection) => Promise<HypervisorConnector>;

// Loaded on demand: a platform's client libraries are only loaded when it is used.
const BUILDERS: Partial<Record<Platform, ConnectorBuilder>> = {
  kvm: async (connection) => (await import('./kvm/kvm-connector.ts')).connectKvm(connection),
  'proxmox-ve': async (connection) => (await import('./proxmox/proxmox-connector.ts')).connectProxmox(connection),
};

export const supportedPlatforms = (): Platform[] => PLATFORM_IDS.filter((p) => BUILDERS[p] !== undefined);

export class PlatformNotSupportedError extends HypervisorError {
  readonly platform: Platform;
  constructor(platform: Platform) {
    const supported = supportedPlatforms().map((p) => PLATFORMS[p].title).join(', ');
    super('not-supported', `${PLATFORMS[platform].title} is not supported yet: Lightkeeper cannot deploy SVMs there. Supported platforms: ${supported}.`);
    this.name = 'PlatformNotSupportedError';
    this.platform = platform;
  }
}

/** Connects to the platform of `connection`; throws PlatformNotSupportedError for the others. */
export async function connectHypervisor(connection: HypervisorConnection): Promise<HypervisorConnector> {
  if (!isPlatform(connection.platform)) throw new HypervisorError('bad-request', `Unknown platform "${String(connection.platform)}".`);
  const build = BUILDERS[connection.platform];
  if (!build) throw new PlatformNotSupportedError(connection.platform);
  return build(connection);
}
