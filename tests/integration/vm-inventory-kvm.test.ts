// Our VM inventory against the lab's real sshd + libvirtd: a VM defined on the KVM host is placed on
// that host by what libvirt says, and discovery and svm-info use that place over the agent's own.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshSession, shellQuote } from '../../main/connectors/ssh/ssh-session.ts';
import type { Inventory } from '../../main/connectors/hypervisor.ts';
import { loadPeersEnv } from '../lab/peers-env.ts';
import { discoverRequest, svmReport } from '../support/agent-fixtures.ts';
import { inProcessServer } from '../support/in-process-server.ts';
import { labKvmInfrastructure } from '../support/svm-lab.ts';

const env = loadPeersEnv('ssh', 'libvirt');
const name = `lk-inv-${process.pid}`;
const biosUuid = randomUUID();
let ctx: Awaited<ReturnType<typeof inProcessServer>>;
let host: SshSession;
let hypervisorName: string;
const virsh = async (args: string) => (await host.exec(`virsh -q -c ${shellQuote(env.get('LK_LIBVIRT_URI'))} ${args}`)).stdout;
const api = async (method: 'GET' | 'POST', url: string, account: 'admin' | 'svm' | 'agent', body?: unknown) => {
  const r = await ctx.server.app.inject({ method, url, headers: ctx.auth(account), ...(body !== undefined ? { payload: body as object } : {}) });
  return { status: r.statusCode, body: r.json() };
};

beforeAll(async () => {
  host = await SshSession.connect({ host: env.get('LK_SSH_HOST'), port: env.num('LK_SSH_PORT'), username: env.get('LK_SSH_USER'), auth: { password: env.get('LK_SSH_PASSWORD') }, hostKeyFingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT') });
  // Defined, never started: the inventory lists stopped VMs too.
  const xml = `<domain type='qemu'><name>${name}</name><uuid>${biosUuid}</uuid><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`;
  await host.exec(`cat > /tmp/${name}.xml && virsh -q -c ${shellQuote(env.get('LK_LIBVIRT_URI'))} define /tmp/${name}.xml && rm -f /tmp/${name}.xml`, { stdin: xml });
  ctx = await inProcessServer();
  const added = await api('POST', '/api/v1/infrastructures', 'admin', labKvmInfrastructure(env, 'lab-kvm', env.get('LK_KVM_IMAGE_DIR')));
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  const inventory = (await api('GET', `/api/v1/infrastructures/${added.body.id}/inventory`, 'admin')).body as Inventory;
  hypervisorName = inventory.hosts[0]!.name;
});

afterAll(async () => {
  if (host) {
    await virsh(`undefine ${name}`).catch(() => undefined);
    host.dispose();
  }
  await ctx?.server.stop();
});

describe('the VM inventory from a real KVM host', () => {
  it('places the VM defined there on that hypervisor, by its BIOS UUID in any case', async () => {
    expect(await ctx.server.services.vmInventory.refresh()).toMatchObject({ unreadable: [] });
    expect(ctx.server.services.vmInventory.pathOfVm(biosUuid.toUpperCase())).toEqual({ kind: 'virtualization', hypervisor: hypervisorName, cluster: null, datacenter: null });
    // Discovery asks with the id lowered once already, and the lookup takes it as it is.
    expect(ctx.server.services.vmInventory.pathOfStoredVm(biosUuid.toLowerCase())).toMatchObject({ hypervisor: hypervisorName });
    expect(ctx.server.services.vmInventory.pathOfStoredVm(biosUuid.toUpperCase())).toBeUndefined();
  });

  it('gives discovery the inventory’s place over the one the agent sent, and svm-info says where it came from', async () => {
    const here = { kind: 'virtualization' as const, hypervisor: hypervisorName, cluster: null, datacenter: null };
    const elsewhere = { kind: 'virtualization' as const, hypervisor: 'somewhere-else', cluster: null, datacenter: null };
    expect((await api('POST', '/api/agents/v1/svm/report', 'svm', svmReport(1, { path: elsewhere, connectedAgents: 0 }))).status).toBe(200);
    expect((await api('POST', '/api/agents/v1/svm/report', 'svm', svmReport(2, { path: here, connectedAgents: 50 }))).status).toBe(200);
    const answer = await api('POST', '/api/agents/v1/agent/discover', 'agent', { ...discoverRequest(1, { path: elsewhere }), vmBiosId: biosUuid, vmName: name });
    expect(answer.body.svms.map((s: { name: string }) => s.name)).toEqual(['svm-0002', 'svm-0001']);
    const info = await api('GET', `/api/v1/diagnostics/svm-info?vm=${name}`, 'admin');
    expect(info.body).toMatchObject({ pathSource: 'inventory', svm: { name: 'svm-0002' } });
  });

  it('keeps the VM placed while its infrastructure cannot be read', async () => {
    const store = ctx.server.services.svmLifecycle.infrastructures;
    const real = store.inventory;
    store.inventory = async () => {
      throw new Error('connection refused');
    };
    try {
      expect(await ctx.server.services.vmInventory.refresh()).toEqual({ vms: expect.any(Number), unreadable: ['lab-kvm'] });
      expect(ctx.server.services.vmInventory.pathOfVm(biosUuid)).toMatchObject({ hypervisor: hypervisorName });
    } finally {
      store.inventory = real;
    }
  });
});
