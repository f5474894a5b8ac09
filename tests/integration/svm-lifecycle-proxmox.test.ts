// Issue 8 against the Proxmox VE fake on a real HTTPS port: the connection (TLS fingerprint shown,
// confirmed, pinned; API token and ticket login), deploy 3 / reconfigure 1 / remove all, and a
// fault at every stage leaving the node exactly as it was, with the task saying why.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProxmox, type FakeProxmox } from '../../main/lab/proxmox/fake-proxmox-server.ts';
import { labResults } from '../../main/lab/svm/lab-svm-host.ts';
import { atAddressStage, conflictingRegistration, klconfigFault, neverAddress } from '../support/svm-faults.ts';
import { deployRequest, startSvmLab, type SvmLab } from '../support/svm-lab.ts';

let lab: SvmLab;
let pve: FakeProxmox;
let dir: string;
let infraId: string;
const token = randomUUID();

const nodeState = () => ({ vms: [...pve.state.vms.values()].map((v) => v.name).sort(), volumes: pve.volumes() });

beforeAll(async () => {
  lab = await startSvmLab();
  dir = mkdtempSync(join(tmpdir(), 'lk-pve-'));
  pve = await startFakeProxmox({ dir, users: { 'root@pam': 'pve-Secret-1' }, tokens: { 'root@pam!deploy': token }, taskMs: 10 });
});

afterAll(async () => {
  await pve?.stop();
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function deploy(names: string[], extra: Record<string, unknown> = {}) {
  const r = await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/deploy', deployRequest(infraId, lab.imageId, names, extra));
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return lab.waitTask(r.body.id);
}

describe('Proxmox VE connection', () => {
  it('shows the TLS certificate, pins it when confirmed, and logs in with an API token', async () => {
    const probe = await lab.api<{ kind: string; fingerprint: string }>('POST', '/api/v1/infrastructures/probe', { platform: 'proxmox-ve', address: '127.0.0.1', port: pve.port });
    expect(probe.body).toMatchObject({ kind: 'tls-certificate', fingerprint: pve.fingerprint });
    const added = await lab.api<{ id: string }>('POST', '/api/v1/infrastructures', {
      name: 'lab-pve', platform: 'proxmox-ve', address: '127.0.0.1', port: pve.port, account: 'root@pam!deploy', apiToken: token, fingerprint: probe.body.fingerprint.toLowerCase(),
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    infraId = added.body.id;
    const test = await lab.api<{ ok: boolean; checks: Array<{ id: string; ok: boolean }> }>('POST', `/api/v1/infrastructures/${infraId}/test`);
    expect(test.body.ok, JSON.stringify(test.body)).toBe(true);
    expect(test.body.checks.map((c) => c.id)).toEqual(['identity', 'login', 'node', 'import-storage', 'vm-storage', 'allocate']);
    const inv = await lab.api<{ hosts: Array<{ id: string }>; storage: Array<{ id: string }>; networks: Array<{ id: string }> }>('GET', `/api/v1/infrastructures/${infraId}/inventory`);
    expect(inv.status).toBe(200);
    expect(inv.body.hosts.map((h) => h.id)).toEqual(['pve']);
    expect(inv.body.storage.map((s) => s.id)).toEqual(['local', 'local-lvm']);
    expect(inv.body.networks.map((n) => n.id)).toEqual(['vmbr0']);
  });

  it('logs in with a ticket, and a wrong password is reported as a refused login', async () => {
    const base = { platform: 'proxmox-ve', address: '127.0.0.1', port: pve.port, account: 'root@pam', fingerprint: pve.fingerprint };
    const good = await lab.api<{ id: string }>('POST', '/api/v1/infrastructures', { ...base, name: 'pve-ticket', password: 'pve-Secret-1' });
    expect((await lab.api<{ ok: boolean }>('POST', `/api/v1/infrastructures/${good.body.id}/test`)).body.ok).toBe(true);
    const bad = await lab.api<{ id: string }>('POST', '/api/v1/infrastructures', { ...base, name: 'pve-badpw', password: 'wrong' });
    const test = await lab.api<{ ok: boolean; checks: Array<{ id: string; detail: string }> }>('POST', `/api/v1/infrastructures/${bad.body.id}/test`);
    expect(test.body.ok).toBe(false);
    expect(test.body.checks.at(-1)).toMatchObject({ id: 'login' });
    expect(test.body.checks.at(-1)!.detail).toMatch(/refused the login: authentication failure/);
    for (const id of [good.body.id, bad.body.id]) await lab.api('DELETE', `/api/v1/infrastructures/${id}`);
  });
});

describe('deploy 3, reconfigure 1, remove all on Proxmox VE', () => {
  it('leaves the node as it found it', async () => {
    const before = nodeState();
    const names = ['pve-svm1', 'pve-svm2', 'pve-svm3'];
    const preflight = await lab.api<{ ok: boolean; checks: Array<{ result: string }> }>('POST', '/api/v1/svm-wizard/deploy/preflight', deployRequest(infraId, lab.imageId, names));
    expect(preflight.body.ok, JSON.stringify(preflight.body)).toBe(true);
    expect(nodeState()).toEqual(before);

    // What the live channel (SSE) carries: each task's stages in order, the parent's percent rising to 100.
    const seen = new Map<string, Array<{ stage: string; progress: number; parentId: string | null }>>();
    const unsubscribe = lab.lab.server.services.events.subscribe((e) => {
      if (e.name !== 'task.changed') return;
      const list = seen.get(e.data.id) ?? [];
      if (list.at(-1)?.stage !== e.data.stage || list.at(-1)?.progress !== e.data.progress) list.push({ stage: e.data.stage, progress: e.data.progress, parentId: e.data.parentId });
      seen.set(e.data.id, list);
    });
    const done = await deploy(names);
    unsubscribe();
    expect(done.state, JSON.stringify(done.error)).toBe('Completed');
    const stagesOf = (id: string) => [...new Set(seen.get(id)!.map((x) => x.stage))];
    expect(stagesOf(done.id)).toEqual(['Queued', 'Pre-flight', 'Uploading the image', 'Deploying the SVMs', 'Cleaning up', 'Completed']);
    const percents = seen.get(done.id)!.map((x) => x.progress);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    expect(new Set(percents).size).toBeGreaterThan(4);
    const childIds = [...seen].filter(([, l]) => l[0]!.parentId === done.id).map(([id]) => id);
    expect(childIds).toHaveLength(3);
    for (const id of childIds) expect(stagesOf(id)).toEqual(['Queued', 'Creating the VM', 'Starting the VM', 'Waiting for the address', 'Configuring the SVM', 'Registering the SVM', 'Completed']);
    expect([...pve.state.vms.values()].map((v) => [v.name, v.status]).sort()).toEqual(names.map((n) => [n, 'running']));
    expect(pve.volumes().filter((v) => v.startsWith('local:import/'))).toEqual([]);
    for (const n of names) expect(labResults(lab.host, lab.source.addressOf(n)!).every((r) => r.result === 'OK')).toBe(true);

    const svms = (await lab.api<{ items: Array<{ id: string; name: string; vmId: string; biosUuid: string }> }>('GET', '/api/v1/deployed-svms')).body.items;
    const one = svms.find((s) => s.name === 'pve-svm2')!;
    expect(pve.state.vms.get(Number(one.vmId.split('/')[1]))!.config.smbios1).toBe(`uuid=${one.biosUuid}`);
    const reconf = await lab.waitTask((await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/reconfigure', { svmIds: [one.id], vcpus: 4, memoryMiB: 4096 })).body.id);
    expect(reconf.state, JSON.stringify(reconf.error)).toBe('Completed');
    expect(pve.state.vms.get(Number(one.vmId.split('/')[1]))!.config).toMatchObject({ cores: 4, memory: '4096' });

    const removed = await lab.waitTask((await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/remove', { svmIds: svms.map((s) => s.id) })).body.id);
    expect(removed.state, JSON.stringify(removed.error)).toBe('Completed');
    expect(nodeState()).toEqual(before);
  });
});

describe('a fault at every stage leaves the node as it was', () => {
  const scenario = async (name: string, inject: () => (() => void) | void, cause: RegExp, extra: Record<string, unknown> = {}) => {
    const before = nodeState();
    const restore = inject();
    try {
      const task = await deploy([name], extra);
      expect(task.state).toBe('Failed');
      expect(task.error!.message).toMatch(cause);
      expect(task.error!.message).not.toMatch(/Rollback was incomplete/);
    } finally {
      restore?.();
    }
    expect(nodeState()).toEqual(before);
    expect((await lab.api<{ items: unknown[] }>('GET', '/api/v1/deployed-svms')).body.items).toHaveLength(0);
  };

  it('pre-flight: a password the SVM would refuse', () => scenario('pve-f0', () => {}, /configuration password.*not allowed/, { passwords: { root: 'Root-pass-1', config: 'with space ü' } }));
  it('upload: the node reports a damaged image', () => scenario('pve-f1', () => pve.fail('upload', "checksum mismatch: got 'abc' != expect 'def'"), /Uploading the SVM image failed: .*damaged/));
  it('create: qmcreate fails', () => scenario('pve-f2', () => pve.fail('qmcreate', "unable to create VM 100 - lvcreate 'pve/vm-100-disk-0' error: insufficient free space"), /Creating VM "pve-f2" failed: .*insufficient free space/));
  it('start: qmstart fails', () => scenario('pve-f3', () => pve.fail('qmstart', 'start failed: QEMU exited with code 1'), /Starting VM "pve-f3" failed: .*QEMU exited/));
  it('wait for address: the SVM never shows one', () => scenario('pve-f4', () => neverAddress(lab), /reported no IP address within 2 s/));
  it('configure: klconfig answers FAILED', () => scenario('pve-f5', () => klconfigFault(lab, 'nagent', { message: 'klnagent configuration failed' }), /klconfig "nagent" failed on the SVM: klnagent configuration failed/));
  it('register: the name was taken meanwhile', async () => {
    const other = conflictingRegistration(lab, infraId, 'pve-f6');
    await scenario(
      'pve-f6',
      () => {
        const restore = atAddressStage(lab, async () => other.insert());
        return () => {
          restore();
          other.remove();
        };
      },
      /Another SVM named "pve-f6" was registered/,
    );
  });

  it('one SVM of three failing rolls back the two that were deployed', async () => {
    const before = nodeState();
    const restore = klconfigFault(lab, 'dhcp', { message: "Wrong interface format eth0" }, 'pve-m2');
    try {
      const task = await deploy(['pve-m1', 'pve-m2', 'pve-m3']);
      expect(task.state).toBe('Failed');
      expect(task.error!.message).toMatch(/1 of 3 SVMs failed; the first: Configuring SVM "pve-m2" .* Wrong interface format eth0/);
      const children = await lab.children(task.id);
      expect(children.map((c) => c.state).sort()).toEqual(['Completed', 'Completed', 'Failed']);
    } finally {
      restore();
    }
    expect(nodeState()).toEqual(before);
    expect((await lab.api<{ items: unknown[] }>('GET', '/api/v1/deployed-svms')).body.items).toHaveLength(0);
  });

  it('cancel while waiting for the address rolls back', async () => {
    const before = nodeState();
    const restore = neverAddress(lab, 60_000);
    try {
      const r = await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/deploy', deployRequest(infraId, lab.imageId, ['pve-cancel']));
      for (let i = 0; i < 200; i++) {
        const children = await lab.children(r.body.id);
        if (children[0]?.stage === 'Waiting for the address') break;
        await new Promise((res) => setTimeout(res, 100));
      }
      expect((await lab.api('POST', `/api/v1/tasks/${r.body.id}/cancel`)).status).toBe(202);
      const task = await lab.waitTask(r.body.id);
      expect(task.state).toBe('Canceled');
      expect((await lab.children(r.body.id))[0]!.state).toBe('Canceled');
    } finally {
      restore();
    }
    expect(nodeState()).toEqual(before);
  });

  it('a replaced certificate is refused with a message that says so', async () => {
    await pve.replaceCertificate();
    const test = await lab.api<{ ok: boolean; checks: Array<{ id: string; detail: string }> }>('POST', `/api/v1/infrastructures/${infraId}/test`);
    expect(test.body.ok).toBe(false);
    expect(test.body.checks[0]!.detail).toMatch(/TLS certificate of 127\.0\.0\.1:\d+ has changed/);
    const task = await deploy(['pve-cert']);
    expect(task.state).toBe('Failed');
    expect(task.error!.message).toMatch(/has changed/);
  });
});
