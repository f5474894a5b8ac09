/**
 * Shared set-up for the SVM lifecycle suites: a server in-process (JSON API through inject()),
 * lab SVMs (one sshd on several loopback addresses with the klconfig simulator), a small qcow2
 * SVM image with its metadata file, and helpers to call the API and wait for tasks.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '../../main/contract/tasks.ts';
import { labAddressSource } from '../../main/lab/svm/lab-address-source.ts';
import { startLabSvmHost, type LabSvmHost } from '../../main/lab/svm/lab-svm-host.ts';
import { loadPeersEnv, type PeersEnv } from '../lab/peers-env.ts';
import { inProcessServer } from './in-process-server.ts';

export type SvmLab = Awaited<ReturnType<typeof startSvmLab>>;

export async function startSvmLab(options: { svmCount?: number; imageMiB?: number; preallocate?: boolean } = {}) {
  const env = loadPeersEnv('svm');
  const work = mkdtempSync(join(tmpdir(), 'lk-svm-lab-'));
  // The simulator runs as the SVM's klconfig user and must reach its state below this folder.
  chmodSync(work, 0o755);
  const host: LabSvmHost = await startLabSvmHost({ dir: join(work, 'svms'), count: options.svmCount ?? 12, user: env.get('LK_SVM_USER') });
  const lab = await inProcessServer();
  const source = labAddressSource(host);
  lab.server.services.svmLifecycle.setAddressSource(source, { pollMs: 200, timeoutMs: 60_000 });
  const admin = lab.auth('admin');

  const api = async <T = unknown>(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const r = await lab.server.app.inject({ method, url, headers: admin, ...(body !== undefined ? { payload: body as object } : {}) });
    return { status: r.statusCode, body: (r.body ? JSON.parse(r.body) : null) as T };
  };
  const waitTask = (id: string) => lab.server.services.tasks.waitUntilFinished(id);

  const imagePath = join(work, 'svm-6.2.0.qcow2');
  // Preallocated, the image has its real size on disk (a real SVM image is a full disk, not a sparse stub).
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', ...(options.preallocate ? ['-o', 'preallocation=full'] : []), imagePath, `${options.imageMiB ?? 64}M`]);
  writeFileSync(join(work, 'svm-6.2.0.json'), JSON.stringify({ product: 'Lab SVM', version: '6.2.0.70' }));
  const image = await api<{ id: string; version: string; versionSource: string }>('POST', '/api/v1/svm-images', { path: imagePath, initialConfigPassword: env.get('LK_SVM_PASSWORD') });
  if (image.status !== 201) throw new Error(`image import failed: ${JSON.stringify(image.body)}`);

  return {
    env,
    work,
    host,
    source,
    lab,
    api,
    waitTask,
    imageId: image.body.id,
    image: image.body,
    /** Every child task of a parent, for stage and error checks. */
    async children(parentId: string): Promise<Task[]> {
      const { items } = await lab.server.services.tasks.list({ limit: 1000 });
      return items.filter((t) => t.parentId === parentId);
    },
    async stop() {
      await lab.server.stop();
      await host.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

export const deployRequest = (infrastructureId: string, imageId: string, names: string[], extra: Record<string, unknown> = {}) => ({
  infrastructureId,
  imageId,
  svms: names.map((name) => ({ name, vcpus: 1, memoryMiB: 64, ip: { mode: 'dhcp' as const } })),
  timezone: 'Europe/Berlin',
  dns: { servers: ['192.0.2.53'], search: ['lab.example.com'] },
  ksc: { address: '192.0.2.10', sslPort: 13000, port: 14000 },
  passwords: { root: 'Root-pass-1', config: 'Config-pass-1' },
  parallelism: 3,
  ...extra,
});

/**
 * The body that adds the lab's KVM host (sshd + libvirtd) as an infrastructure, its host key
 * already confirmed. `via` reaches it through another address (a fault-injecting proxy).
 */
export function labKvmInfrastructure(env: PeersEnv, name: string, imageDir: string, via?: { address: string; port: number }) {
  return {
    name,
    platform: 'kvm',
    address: via?.address ?? env.get('LK_SSH_HOST'),
    port: via?.port ?? env.num('LK_SSH_PORT'),
    account: env.get('LK_SSH_USER'),
    privateKey: readFileSync(env.get('LK_SSH_USER_KEY'), 'utf8'),
    fingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT'),
    options: { libvirtUri: env.get('LK_LIBVIRT_URI'), imageDir },
  };
}
