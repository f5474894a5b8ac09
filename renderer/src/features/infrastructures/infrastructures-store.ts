import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AccessReportBody, AddInfrastructureRequest, Infrastructure, PeerIdentity } from '../../../../main/contract/infrastructure.ts';
import { PLATFORM_TRANSPORT, defaultPort, type Platform } from '../../../../main/contract/platforms.ts';
import type { ImageUploadOptions, ImportImageRequest, SvmImage, SvmImageImportProgress } from '../../../../main/contract/svm-images.ts';
import { messageOf } from '../../api/api-error.ts';
import { useSessionStore } from '../connect/session-store.ts';
import { useLiveStore } from '../live/live-store.ts';

export type Outcome<T = undefined> = { ok: true; value: T } | { ok: false; message: string };

/** What the connection form collects; the credential kind decides which secret is sent. */
export type ConnectionDraft = {
  name: string;
  platform: Platform;
  address: string;
  port: number | null;
  account: string;
  credentialKind: 'password' | 'privateKey' | 'apiToken';
  secret: string;
  passphrase: string;
  options: Record<string, string>;
};

/** The platform options the connectors read (main/connectors): anything else is ignored by the server. */
export const PLATFORM_OPTIONS: Partial<Record<Platform, Array<{ key: string; label: string; placeholder: string }>>> = {
  kvm: [
    { key: 'libvirtUri', label: 'libvirt URI', placeholder: 'qemu:///system' },
    { key: 'imageDir', label: 'Folder for SVM disks on the host', placeholder: '/var/lib/libvirt/images' },
    { key: 'domainType', label: 'Domain type (kvm, qemu or auto)', placeholder: 'auto' },
  ],
  'proxmox-ve': [{ key: 'node', label: 'Node', placeholder: 'the first node' }],
};

/** The credential kinds a platform's transport takes: SSH (password or key), HTTPS (password or API token). */
export const credentialKindsOf = (platform: Platform): Array<ConnectionDraft['credentialKind']> =>
  PLATFORM_TRANSPORT[platform] === 'ssh' ? ['password', 'privateKey'] : ['password', 'apiToken'];

/** The add request for a draft: one credential, only the options that were filled in, the confirmed identity. */
export function addRequestOf(draft: ConnectionDraft, fingerprint?: string): AddInfrastructureRequest {
  const options = Object.fromEntries(
    (PLATFORM_OPTIONS[draft.platform] ?? []).map((o) => [o.key, (draft.options[o.key] ?? '').trim()] as const).filter(([, v]) => v !== ''),
  );
  return {
    name: draft.name.trim(),
    platform: draft.platform,
    address: draft.address.trim(),
    port: draft.port ?? defaultPort(draft.platform),
    account: draft.account.trim(),
    ...(draft.credentialKind === 'password' ? { password: draft.secret } : {}),
    ...(draft.credentialKind === 'privateKey' ? { privateKey: draft.secret, ...(draft.passphrase ? { passphrase: draft.passphrase } : {}) } : {}),
    ...(draft.credentialKind === 'apiToken' ? { apiToken: draft.secret } : {}),
    ...(Object.keys(options).length ? { options } : {}),
    ...(fingerprint ? { fingerprint } : {}),
  };
}

/** What is missing from a draft before the server is asked anything, in the admin's words. */
export function draftProblem(draft: ConnectionDraft): string | undefined {
  if (!draft.name.trim()) return 'Give the connection a name.';
  if (!draft.address.trim()) return 'Give the address of the hypervisor or its management server.';
  if (!draft.account.trim()) return 'Give the account Lightkeeper signs in with.';
  if (!draft.secret) return draft.credentialKind === 'privateKey' ? 'Paste the private key (PEM or OpenSSH).' : draft.credentialKind === 'apiToken' ? 'Give the API token.' : 'Give the password.';
  return undefined;
}

/**
 * Hypervisor connections and SVM images. Adding a connection is two calls, as on the CLI: `probe`
 * shows the identity the host presents, `add` stores it only with the fingerprint the admin
 * confirmed. Secrets go to the server and are dropped here; the server never sends them back.
 */
export const useInfrastructuresStore = defineStore('infrastructures', () => {
  const session = useSessionStore();
  const live = useLiveStore();
  const items = ref<Infrastructure[]>([]);
  const images = ref<SvmImage[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<string | undefined>();
  const imagesError = ref<string | undefined>();
  /** The image import in flight (the server copies the file and checks its SHA-256 before answering). */
  /** The image being imported: read from a path on the server, or uploaded from this computer. */
  const importing = ref<{ source: 'server' | 'upload'; path: string; started: number } | null>(null);
  /** What the server reports of that import on the live channel (older servers report nothing). */
  const importProgress = ref<SvmImageImportProgress | null>(null);
  live.on('svm-image.import', (p) => {
    if (importing.value?.source === 'server' && p.path === importing.value.path) importProgress.value = p;
  });

  async function load(): Promise<void> {
    const api = session.api;
    if (!api) return;
    loading.value = true;
    const [infra, imgs] = await Promise.allSettled([api.infrastructures(), session.hasApi('/api/v1/svm-images') ? api.svmImages() : Promise.resolve({ items: [] })]);
    if (infra.status === 'fulfilled') {
      items.value = infra.value.items;
      error.value = undefined;
      loaded.value = true;
    } else error.value = messageOf(infra.reason);
    if (imgs.status === 'fulfilled') {
      images.value = imgs.value.items;
      imagesError.value = undefined;
    } else imagesError.value = messageOf(imgs.reason);
    loading.value = false;
  }

  async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      return { ok: false, message: messageOf(e) };
    }
  }

  /** The host key or certificate the host presents, before anything is stored. */
  const probe = (draft: Pick<ConnectionDraft, 'platform' | 'address' | 'port'>): Promise<Outcome<PeerIdentity>> =>
    attempt(() => session.api!.probeInfrastructure({ platform: draft.platform, address: draft.address.trim(), port: draft.port ?? defaultPort(draft.platform) }));

  async function add(draft: ConnectionDraft, fingerprint: string): Promise<Outcome<Infrastructure>> {
    const r = await attempt(() => session.api!.addInfrastructure(addRequestOf(draft, fingerprint)));
    if (r.ok) items.value = [...items.value.filter((i) => i.id !== r.value.id), r.value];
    return r;
  }

  const test = (id: string): Promise<Outcome<AccessReportBody>> => attempt(() => session.api!.testInfrastructure(id));

  async function remove(id: string): Promise<Outcome<null>> {
    const r = await attempt(() => session.api!.removeInfrastructure(id));
    if (r.ok) items.value = items.value.filter((i) => i.id !== id);
    return r;
  }

  /** Pins the identity the host presents now, after a deliberate key or certificate change. */
  async function repin(id: string, fingerprint: string): Promise<Outcome<Infrastructure>> {
    const r = await attempt(() => session.api!.pinInfrastructureIdentity(id, fingerprint));
    if (r.ok) items.value = items.value.map((i) => (i.id === id ? r.value : i));
    return r;
  }

  async function importImage(request: ImportImageRequest): Promise<Outcome<SvmImage>> {
    importing.value = { source: 'server', path: request.path, started: Date.now() };
    importProgress.value = null;
    try {
      const r = await attempt(() => session.api!.importSvmImage(request));
      if (r.ok) images.value = [...images.value.filter((i) => i.id !== r.value.id), r.value];
      return r;
    } finally {
      importing.value = null;
      importProgress.value = null;
    }
  }

  let uploadAbort: AbortController | undefined;
  /** Sends an image from this computer; its progress is what the browser has sent so far. */
  async function uploadImage(file: File, options: ImageUploadOptions): Promise<Outcome<SvmImage>> {
    importing.value = { source: 'upload', path: file.name, started: Date.now() };
    importProgress.value = { path: file.name, phase: 'copying', copiedBytes: 0, totalBytes: file.size };
    uploadAbort = new AbortController();
    const onProgress = (sent: number, total: number) => (importProgress.value = { path: file.name, phase: 'copying', copiedBytes: sent, totalBytes: total || file.size });
    try {
      const r = await attempt(() => session.api!.uploadSvmImage(file, options, onProgress, uploadAbort!.signal));
      if (r.ok) images.value = [...images.value.filter((i) => i.id !== r.value.id), r.value];
      return r;
    } finally {
      uploadAbort = undefined;
      importing.value = null;
      importProgress.value = null;
    }
  }
  const cancelUpload = (): void => uploadAbort?.abort();

  async function removeImage(id: string): Promise<Outcome<null>> {
    const r = await attempt(() => session.api!.removeSvmImage(id));
    if (r.ok) images.value = images.value.filter((i) => i.id !== id);
    return r;
  }

  return { items, images, loading, loaded, error, imagesError, importing, importProgress, load, probe, add, test, remove, repin, importImage, uploadImage, cancelUpload, removeImage };
});
