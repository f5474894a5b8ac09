import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { completeTenantXml, parseTask, startVendorLab, type VendorLab } from './vendor-lab.ts';

const TASKS = 100;
let lab: VendorLab | undefined;
afterAll(async () => {
  await lab?.stop();
});

describe('kill -9 during 100 concurrent CreateTenant tasks', () => {
  it('after the restart no tenant is half-created, in our database or on the Administration Server', async () => {
    lab = await startVendorLab({ configureKsc: true, serveArgs: ['--task-concurrency', '8'] });
    const l = lab;
    const accepted = await Promise.all(
      Array.from({ length: TASKS }, async (_, i) => {
        const r = await l.vendor('POST', '/tenants', { body: completeTenantXml(`Crash ${String(i).padStart(3, '0')}`) });
        expect(r.status).toBe(202);
        return parseTask(r.body).id;
      }),
    );
    expect(new Set(accepted).size).toBe(TASKS);

    // Kill while some tenants are done and others are between Administration Server calls.
    const db = new DatabaseSync(join(l.dataDir, 'lightkeeper.sqlite'), { readOnly: true });
    const count = (state: string) => (db.prepare('SELECT count(*) AS n FROM tasks WHERE type = ? AND state = ?').get('CreateTenant', state) as { n: number }).n;
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline && !(count('Completed') >= 10 && count('Running') > 0)) await sleep(5);
    const runningAtKill = count('Running');
    l.serve.child.kill('SIGKILL');
    await l.serve.exited;
    db.close();
    expect(runningAtKill).toBeGreaterThan(0);

    await l.restart();
    for (const id of accepted) await l.waitTask(id);

    const after = new DatabaseSync(join(l.dataDir, 'lightkeeper.sqlite'), { readOnly: true });
    const states = after.prepare("SELECT state, error_code AS code, count(*) AS n FROM tasks WHERE type = 'CreateTenant' GROUP BY state, error_code ORDER BY state").all() as Array<{ state: string; code: string | null; n: number }>;
    expect(states.reduce((n, s) => n + s.n, 0)).toBe(TASKS);
    expect(states.filter((s) => s.state !== 'Completed').every((s) => s.state === 'Failed' && s.code === 'TASK_INTERRUPTED'), JSON.stringify(states)).toBe(true);
    const interrupted = states.find((s) => s.state === 'Failed')?.n ?? 0;
    // What was in flight at the kill (at most the 8 runners) was rolled back; the queue ran after the restart.
    expect(interrupted).toBeGreaterThan(0);
    expect(interrupted).toBeLessThanOrEqual(8);
    expect(after.prepare("SELECT message FROM (SELECT error_message AS message FROM tasks WHERE state = 'Failed') WHERE message LIKE '%incomplete%'").all()).toEqual([]);

    // Our side: every tenant whole; their number is the number of completed tasks.
    const tenants = after.prepare('SELECT name, lifecycle, vksc_id, vksc_admin_name, ksc_account_id, ksc_folder_id FROM tenants').all() as Array<{
      name: string;
      lifecycle: string;
      vksc_id: number;
      vksc_admin_name: string;
      ksc_account_id: number;
      ksc_folder_id: number;
    }>;
    after.close();
    expect(tenants).toHaveLength(TASKS - interrupted);
    expect(tenants.every((t) => t.lifecycle === 'Ready' && t.vksc_id !== null && t.ksc_account_id !== null && t.ksc_folder_id !== null)).toBe(true);

    // Their side: exactly those tenants' folders, virtual servers and accounts, nothing else.
    const sim = l.sim.snapshot();
    const shared = sim.groups.find((g) => g.name === 'Multitenancy KSV LA')!;
    const sort = (xs: Iterable<string | number>) => [...xs].map(String).sort();
    expect(sort(sim.groups.filter((g) => g.parentId === shared.id).map((g) => g.id))).toEqual(sort(tenants.map((t) => t.ksc_folder_id)));
    expect(sort(sim.virtualServers.map((v) => v.id))).toEqual(sort(tenants.map((t) => t.vksc_id)));
    expect(sort(sim.accounts.filter((a) => a.name !== 'ksc-operator').map((a) => a.id))).toEqual(sort(tenants.map((t) => t.ksc_account_id)));
    for (const vs of sim.virtualServers) expect(vs.permissions).toHaveLength(1);
  }, 600_000);
});
