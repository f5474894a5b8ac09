import { randomBytes } from 'node:crypto';
import type { Task } from '../../contract/tasks.ts';
import type { LabClient } from './lab-client.ts';
import type { LabAgentSpec } from './lab-topology.ts';

/** Where the lab's Administration Server simulator listens, and its main administrator. */
export type LabKsc = { port: number; user: string; password: string; fingerprint: string };
export type LabTenant = { name: string; type: 'Complete' | 'Simple'; id: string };

const VMS_PER_REQUEST = 1000;

async function finished(client: LabClient, task: Task): Promise<Task> {
  for (;;) {
    const r = await client.get<Task>(`/api/v1/tasks/${task.id}`);
    if (['Completed', 'Failed', 'Canceled'].includes(r.body.state)) return r.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runTask(client: LabClient, what: string, started: { status: number; body: unknown }): Promise<Task> {
  if (started.status !== 202) throw new Error(`${what}: HTTP ${started.status} ${JSON.stringify(started.body)}`);
  const task = await finished(client, started.body as Task);
  if (task.state !== 'Completed') throw new Error(`${what}: task ${task.state}: ${task.error?.message ?? ''}`);
  return task;
}

/**
 * The lab's tenants, made the way an administrator makes them: through the JSON API as admin,
 * with the Administration Server simulator behind the Complete ones. Odd-numbered tenants are
 * Complete (deactivating them cuts their agents off), even-numbered ones Simple. Each gets its
 * agents' VMs registered and is activated.
 */
export async function createLabTenants(client: LabClient, ksc: LabKsc, agents: readonly LabAgentSpec[], names: readonly string[]): Promise<LabTenant[]> {
  const set = await client.send('PUT', '/api/v1/ksc', { address: '127.0.0.1', port: ksc.port, user: ksc.user, password: ksc.password, pinnedFingerprint: ksc.fingerprint });
  if (set.status !== 200) throw new Error(`Administration Server settings: HTTP ${set.status} ${JSON.stringify(set.body)}`);
  const out: LabTenant[] = [];
  for (const [i, name] of names.entries()) {
    const type = i % 2 === 0 ? 'Complete' : 'Simple';
    const admin = type === 'Complete' ? { admin: { name: `${name}-admin`, password: `Lk-7${randomBytes(12).toString('base64url')}` } } : {};
    const created = await runTask(client, `create tenant ${name}`, await client.post('/api/v1/tenants', { name, type, ...admin }));
    const id = (created.result as { id: string }).id;
    const vms = agents.filter((a) => a.tenant === name).map((a) => ({ biosId: a.request.vmBiosId, name: a.request.vmName }));
    for (let at = 0; at < vms.length; at += VMS_PER_REQUEST) {
      const r = await client.post(`/api/v1/tenants/${id}/vms`, vms.slice(at, at + VMS_PER_REQUEST));
      if (r.status !== 201) throw new Error(`register VMs of ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    }
    out.push({ name, type, id });
  }
  for (const t of out) await setTenantActive(client, t, true);
  return out;
}

export async function setTenantActive(client: LabClient, tenant: LabTenant, active: boolean): Promise<void> {
  await runTask(client, `${active ? 'activate' : 'deactivate'} ${tenant.name}`, await client.post(`/api/v1/tenants/${tenant.id}/${active ? 'activate' : 'deactivate'}`, {}));
}
