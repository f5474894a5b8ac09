/**
 * Pre-flight of the wizard (issue 8 item 6): every check runs, nothing changes anywhere. Each check
 * says ok, warning (the action may go on) or failed (it may not), in the admin's words.
 */
import type { Inventory } from '../connectors/hypervisor.ts';
import type { DeployRequest, PreflightCheck, PreflightReport } from '../contract/svm-deployment.ts';
import { checkPassword } from '../domain/password-policy.ts';
import { describeFault } from './lifecycle-faults.ts';
import type { SvmLifecycleDeps } from './svm-lifecycle-deps.ts';

const report = (checks: PreflightCheck[]): PreflightReport => ({ ok: checks.every((c) => c.result !== 'failed'), checks });

function passwordChecks(checks: PreflightCheck[], label: string, id: string, password: string): void {
  const { errors, warnings } = checkPassword(password);
  if (errors.length) checks.push({ id, result: 'failed', message: `The ${label}: ${errors.map((e) => e.message).join(' ')}` });
  else if (warnings.length) checks.push({ id, result: 'warning', message: `The ${label} is accepted, but: ${warnings.map((w) => w.message).join(' ')}` });
  else checks.push({ id, result: 'ok', message: `The ${label} follows the password rule.` });
}

/** Checks the connection (reachable, identity pinned, login, rights) and returns the inventory when it works. */
async function accessChecks(deps: SvmLifecycleDeps, infrastructureId: string, checks: PreflightCheck[]): Promise<Inventory | null> {
  const infra = await deps.store.infrastructures.get(infrastructureId);
  if (!infra) {
    checks.push({ id: 'infrastructure', result: 'failed', message: `No infrastructure connection ${infrastructureId}: add it first.` });
    return null;
  }
  checks.push({ id: 'infrastructure', result: 'ok', message: `Infrastructure "${infra.name}" (${infra.address}:${infra.port}).` });
  try {
    return await deps.infrastructures.open(infrastructureId).then(async ({ connector }) => {
      try {
        checks.push({ id: 'host-key', result: 'ok', message: `${infra.address}:${infra.port} is reachable and presented the pinned identity ${infra.fingerprint}.` });
        const access = await connector.checkAccess();
        for (const c of access.checks) checks.push({ id: `access:${c.id}`, result: c.ok ? 'ok' : c.warning ? 'warning' : 'failed', message: c.detail });
        return await connector.inventory();
      } finally {
        await connector.close().catch(() => undefined);
      }
    });
  } catch (e) {
    const message = describeFault(e);
    const id = /has changed/.test(message) ? 'host-key' : /refused|login|authentication/i.test(message) ? 'credentials' : 'reachable';
    checks.push({ id, result: 'failed', message });
    return null;
  }
}

export async function preflightDeploy(deps: SvmLifecycleDeps, req: DeployRequest): Promise<PreflightReport> {
  const checks: PreflightCheck[] = [];
  passwordChecks(checks, 'root password', 'password:root', req.passwords.root);
  passwordChecks(checks, 'configuration password', 'password:config', req.passwords.config);

  const image = await deps.store.svmImages.get(req.imageId);
  if (!image) checks.push({ id: 'image', result: 'failed', message: `No SVM image ${req.imageId}: import it first.` });
  else {
    const v = await deps.images.verify(req.imageId);
    checks.push({ id: 'image', result: v.ok ? 'ok' : 'failed', message: v.message });
    if (image.initialConfigPassword === null) {
      checks.push({ id: 'image:config-password', result: 'failed', message: `Image "${image.name}" has no factory configuration password, so a fresh SVM cannot be configured: import it again with its initial configuration password (or a metadata file that has it).` });
    }
  }

  const names = new Map<string, number>();
  for (const s of req.svms) names.set(s.name.toLowerCase(), (names.get(s.name.toLowerCase()) ?? 0) + 1);
  for (const [name, n] of names) if (n > 1) checks.push({ id: 'name-unique', result: 'failed', svm: name, message: `The name "${name}" is given to ${n} SVMs in this request.` });
  const ips = new Map<string, string>();
  for (const s of req.svms) {
    if (s.ip.mode !== 'static') continue;
    const other = ips.get(s.ip.ip);
    if (other) checks.push({ id: 'ip-unique', result: 'failed', svm: s.name, message: `SVMs "${other}" and "${s.name}" would both get ${s.ip.ip}.` });
    ips.set(s.ip.ip, s.name);
  }

  const inventory = await accessChecks(deps, req.infrastructureId, checks);
  if (inventory) {
    const registered = new Set((await deps.store.deployedSvms.list({ infrastructureId: req.infrastructureId })).map((s) => s.name.toLowerCase()));
    const onHost = new Set(inventory.vms.map((v) => v.name.toLowerCase()));
    for (const s of req.svms) {
      const key = s.name.toLowerCase();
      if (onHost.has(key) || registered.has(key)) checks.push({ id: 'name-free', result: 'failed', svm: s.name, message: `A VM named "${s.name}" already exists on the infrastructure.` });
      else checks.push({ id: 'name-free', result: 'ok', svm: s.name, message: `The name "${s.name}" is free.` });
      if (s.hostId && !inventory.hosts.some((h) => h.id === s.hostId)) checks.push({ id: 'host', result: 'failed', svm: s.name, message: `There is no host "${s.hostId}"; known hosts: ${inventory.hosts.map((h) => h.id).join(', ')}.` });
      if (s.storageId && !inventory.storage.some((st) => st.id === s.storageId)) checks.push({ id: 'storage', result: 'failed', svm: s.name, message: `There is no storage "${s.storageId}"; known: ${inventory.storage.map((st) => st.id).join(', ')}.` });
      if (s.networkId && !inventory.networks.some((n) => n.id === s.networkId)) checks.push({ id: 'network', result: 'failed', svm: s.name, message: `There is no network "${s.networkId}"; known: ${inventory.networks.map((n) => n.id).join(', ') || 'none'}.` });
    }
    // Free space: the upload plus one full copy per SVM on the storage the disks go to.
    if (image) {
      const byStorage = new Map<string, number>();
      for (const s of req.svms) {
        // Without a choice the platform's default: Proxmox puts disks on the first storage with `images` content.
        const st = s.storageId
          ? inventory.storage.find((x) => x.id === s.storageId)
          : (inventory.storage.find((x) => /\bimages\b/.test(x.kind)) ?? inventory.storage.find((x) => x.freeBytes !== null));
        if (st) byStorage.set(st.id, (byStorage.get(st.id) ?? image.bytes) + image.bytes);
      }
      for (const [id, need] of byStorage) {
        const st = inventory.storage.find((x) => x.id === id)!;
        if (st.freeBytes === null) checks.push({ id: 'free-space', result: 'warning', message: `Storage "${st.name}" does not report its free space; about ${Math.ceil(need / 2 ** 20)} MiB are needed.` });
        else if (st.freeBytes < need) checks.push({ id: 'free-space', result: 'failed', message: `Storage "${st.name}" has ${Math.floor(st.freeBytes / 2 ** 20)} MiB free; the image and ${req.svms.length} SVM disk(s) need about ${Math.ceil(need / 2 ** 20)} MiB.` });
        else checks.push({ id: 'free-space', result: 'ok', message: `Storage "${st.name}" has ${Math.floor(st.freeBytes / 2 ** 20)} MiB free; about ${Math.ceil(need / 2 ** 20)} MiB are needed.` });
      }
    }
    // Two SVMs of one cluster on one host: one host failure would take both (a warning, as the issue asks).
    const seen = new Map<string, string>();
    for (const s of req.svms) {
      const hostId = s.hostId ?? inventory.hosts[0]?.id;
      const host = inventory.hosts.find((h) => h.id === hostId);
      if (!host?.clusterId) continue;
      const key = `${host.clusterId}/${host.id}`;
      const other = seen.get(key);
      if (other) checks.push({ id: 'anti-affinity', result: 'warning', svm: s.name, message: `SVMs "${other}" and "${s.name}" of cluster ${host.clusterId} would both run on host ${host.name}: if that host fails, both are gone.` });
      seen.set(key, s.name);
    }
  }
  return report(checks);
}

export async function preflightExisting(deps: SvmLifecycleDeps, svmIds: readonly string[], passwords?: { root?: string; config?: string }): Promise<PreflightReport> {
  const checks: PreflightCheck[] = [];
  if (passwords?.root) passwordChecks(checks, 'root password', 'password:root', passwords.root);
  if (passwords?.config) passwordChecks(checks, 'configuration password', 'password:config', passwords.config);
  const infraIds = new Set<string>();
  for (const id of svmIds) {
    const svm = await deps.store.deployedSvms.get(id);
    if (!svm) checks.push({ id: 'svm', result: 'failed', message: `No SVM ${id} was deployed by this server.` });
    else {
      checks.push({ id: 'svm', result: 'ok', svm: svm.name, message: `SVM "${svm.name}" (${svm.vmId}).` });
      infraIds.add(svm.infrastructureId);
    }
  }
  for (const infraId of infraIds) await accessChecks(deps, infraId, checks);
  return report(checks);
}
