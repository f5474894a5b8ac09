// The wizard's JSON API on bad input and unusable infrastructure, without the lab SVMs: schema
// refusals, an unreachable host, an unsupported platform, a missing image file, a Proxmox node
// whose storage is too small (pre-flight says so, the task fails at Pre-flight, nothing is made).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProxmox, type FakeProxmox } from '../../main/lab/proxmox/fake-proxmox-server.ts';
import { inProcessServer } from '../support/in-process-server.ts';
import { deployRequest } from '../support/svm-lab.ts';

let lab: Awaited<ReturnType<typeof inProcessServer>>;
let pve: FakeProxmox;
let dir: string;
const token = randomUUID();

const api = async <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
  const r = await lab.server.app.inject({ method, url, headers: lab.auth('admin'), ...(body !== undefined ? { payload: body as object } : {}) });
  return { status: r.statusCode, body: JSON.parse(r.body || 'null') as T };
};

beforeAll(async () => {
  lab = await inProcessServer();
  dir = mkdtempSync(join(tmpdir(), 'lk-wizard-'));
  pve = await startFakeProxmox({ dir: join(dir, 'pve'), tokens: { 'root@pam!deploy': token }, capacity: 8 * 2 ** 20 });
});

afterAll(async () => {
  await pve?.stop();
  await lab?.server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('bad input', () => {
  it('refuses an invalid request by its schema, naming the field', async () => {
    const r = await api<{ message: string }>('POST', '/api/v1/svm-wizard/deploy', { ...deployRequest(randomUUID(), randomUUID(), ['bad name!']) });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/svms\/0\/name/);
  });

  it('names an unreachable host and an unsupported platform', async () => {
    const down = await api<{ code: string; message: string }>('POST', '/api/v1/infrastructures/probe', { platform: 'kvm', address: '127.0.0.1', port: 1 });
    expect(down.status).toBe(502);
    expect(down.body.message).toMatch(/Cannot connect to 127\.0\.0\.1:1 over SSH: nothing listens on that port/);
    const vc = await api<{ message: string }>('POST', '/api/v1/infrastructures/probe', { platform: 'nutanix-acropolis', address: '127.0.0.1' });
    expect(vc.status).toBe(422);
    expect(vc.body.message).toMatch(/Nutanix Acropolis is not supported yet/);
  });

  it('refuses a credential that does not fit the platform', async () => {
    const r = await api<{ code: string; message: string }>('POST', '/api/v1/infrastructures', { name: 'x', platform: 'proxmox-ve', address: '127.0.0.1', port: pve.port, account: 'root@pam', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----' });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/reached over HTTPS: give a password or an API token/);
  });

  it('says which image file is missing', async () => {
    const r = await api<{ message: string }>('POST', '/api/v1/svm-images', { path: join(dir, 'nope.qcow2') });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/Cannot read .*nope\.qcow2: no such file/);
  });

  it('pre-flight of unknown ids fails every check it cannot make, and changes nothing', async () => {
    const r = await api<{ ok: boolean; checks: Array<{ id: string; result: string }> }>('POST', '/api/v1/svm-wizard/deploy/preflight', deployRequest(randomUUID(), randomUUID(), ['svm-a']));
    expect(r.body.ok).toBe(false);
    expect(r.body.checks.filter((c) => c.result === 'failed').map((c) => c.id)).toEqual(['image', 'infrastructure']);
  });
});

describe('a storage too small', () => {
  it('is found by pre-flight, and the task stops there with nothing made', async () => {
    const image = join(dir, 'svm.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'preallocation=full', image, '12M']);
    const img = await api<{ id: string }>('POST', '/api/v1/svm-images', { path: image, initialConfigPassword: 'x' });
    expect(img.status).toBe(201);
    const infra = await api<{ id: string }>('POST', '/api/v1/infrastructures', { name: 'small-pve', platform: 'proxmox-ve', address: '127.0.0.1', port: pve.port, account: 'root@pam!deploy', apiToken: token, fingerprint: pve.fingerprint });
    expect(infra.status, JSON.stringify(infra.body)).toBe(201);
    const request = deployRequest(infra.body.id, img.body.id, ['svm-a', 'svm-b']);
    const pf = await api<{ ok: boolean; checks: Array<{ id: string; result: string; message: string }> }>('POST', '/api/v1/svm-wizard/deploy/preflight', request);
    expect(pf.body.ok).toBe(false);
    expect(pf.body.checks.find((c) => c.id === 'free-space')).toMatchObject({ result: 'failed' });
    const task = await api<{ id: string }>('POST', '/api/v1/svm-wizard/deploy', request);
    const done = await lab.server.services.tasks.waitUntilFinished(task.body.id);
    expect(done).toMatchObject({ state: 'Failed', error: { code: 'LK_PreflightFailed' } });
    expect(done.error!.message).toMatch(/Storage "local-lvm" has \d+ MiB free/);
    expect(pve.volumes()).toEqual([]);
    expect(pve.state.vms.size).toBe(0);

    const audit = await api<{ items: Array<{ action: string; target: string; taskId: string | null; details: Record<string, unknown> }> }>('GET', '/api/v1/audit?limit=100');
    const ours = audit.body.items.filter((e) => /^(infrastructure|svm-image|svm)\./.test(e.action));
    expect(ours.map((e) => e.action).sort()).toEqual(['infrastructure.add', 'svm-image.import', 'svm.deploy']);
    expect(ours.find((e) => e.action === 'svm.deploy')!.taskId).toBe(task.body.id);
    expect(JSON.stringify(ours)).not.toContain(token);
  });
});
