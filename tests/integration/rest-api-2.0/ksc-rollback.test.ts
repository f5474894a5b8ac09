import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KscSimCall, KscSimFaultMode } from '../../../main/lab/ksc/index.ts';
import { completeTenantXml, startVendorLab, tenantIdOf, type VendorLab } from './vendor-lab.ts';

/**
 * A fault at each Administration Server call of CreateTenant and DeleteTenant: afterwards the
 * simulator and our database are exactly as before the task, or (a deletion already past its
 * first delete, rest-api-2.0.md) the task finished the job.
 */
let lab: VendorLab;
let initial: ReturnType<VendorLab['sim']['snapshot']>;

beforeAll(async () => {
  lab = await startVendorLab({ configureKsc: true });
  initial = lab.sim.snapshot();
});
afterAll(async () => {
  await lab?.stop();
});

async function callsOf(work: () => Promise<unknown>): Promise<KscSimCall[]> {
  lab.sim.clearCalls();
  await work();
  return lab.sim.calls();
}

/** The i-th call as "method, after k earlier calls of it": what failOn needs to hit exactly that call. */
const positions = (calls: KscSimCall[]) =>
  calls.map((c, i) => ({ method: c.method, after: calls.slice(0, i).filter((p) => p.method === c.method).length }));

const create = (name: string) => lab.runTask('POST', '/tenants', completeTenantXml(name));
const removeWithArtifacts = (id: string) => lab.runTask('DELETE', `/tenants/${id}?removeTenantArtifacts=true`);

describe('CreateTenant with a fault at each call', () => {
  it.each(['error', 'lose-answer', 'drop'] as const)('mode %s: the task fails and both sides are exactly as before', async (mode: KscSimFaultMode) => {
    let probeId = '';
    const calls = positions(await callsOf(async () => (probeId = tenantIdOf(await create(`Probe ${mode}`)))));
    expect(calls.length).toBeGreaterThan(10);
    expect((await removeWithArtifacts(probeId)).state).toBe('Completed');
    expect(lab.sim.snapshot()).toEqual(initial);

    const outcomes: string[] = [];
    for (const [i, at] of calls.entries()) {
      const sim = lab.sim.snapshot();
      const db = lab.dbState();
      lab.sim.failOn(at.method, { mode, times: 1, after: at.after });
      const task = await create(`Fault ${mode} ${i}`);
      lab.sim.clearFaults();
      outcomes.push(`${at.method}#${at.after}: ${task.state} ${task.error?.code ?? ''}`);
      if (task.state === 'Failed') {
        expect(lab.sim.snapshot(), `${at.method}#${at.after}`).toEqual(sim);
        expect(lab.dbState(), `${at.method}#${at.after}`).toEqual(db);
        expect(task.error?.message).not.toMatch(/incomplete/);
      } else {
        // Only ending the session may fail without harm: the tenant was complete by then.
        expect(at.method, outcomes.join('\n')).toBe('Session.EndSession');
        expect((await removeWithArtifacts(tenantIdOf(task))).state).toBe('Completed');
        expect(lab.sim.snapshot()).toEqual(sim);
      }
    }
    expect(outcomes.filter((o) => o.includes('Failed')).length, outcomes.join('\n')).toBeGreaterThanOrEqual(calls.length - 4);
  });
});

describe('DeleteTenant with a fault at each call', () => {
  it('fails with both sides as before until the first deletion; after it, finishes the job', async () => {
    const probe = tenantIdOf(await create('Delete Probe'));
    const calls = positions(await callsOf(() => removeWithArtifacts(probe)));
    expect(lab.sim.snapshot()).toEqual(initial);
    const firstDelete = calls.findIndex((c) => c.method === 'VServers.DelVServer');
    expect(firstDelete).toBeGreaterThan(0);

    for (const [i, at] of calls.entries()) {
      const id = tenantIdOf(await create(`Delete Fault ${i}`));
      const sim = lab.sim.snapshot();
      const db = lab.dbState();
      lab.sim.failOn(at.method, { mode: 'error', times: 1, after: at.after });
      const task = await removeWithArtifacts(id);
      lab.sim.clearFaults();
      const where = `${i} ${at.method}#${at.after}: ${task.state} ${task.error?.message ?? ''}`;
      if (i <= firstDelete && at.method !== 'Session.EndSession') {
        expect(task.state, where).toBe('Failed');
        expect(lab.sim.snapshot(), where).toEqual(sim);
        expect(lab.dbState(), where).toEqual(db);
        expect((await removeWithArtifacts(id)).state).toBe('Completed');
      } else {
        expect(task.state, where).toBe('Completed');
      }
      expect(lab.sim.snapshot(), where).toEqual(initial);
      expect(lab.dbState()).toEqual({ tenants: [], vms: [] });
    }
  });

  it('a fault that persists after the first deletion: the task fails saying what is left, and a new DeleteTenant finishes', async () => {
    const id = tenantIdOf(await create('Delete Stuck'));
    lab.sim.failOn('SecurityPolicy.DeleteUser', { mode: 'error' });
    const task = await removeWithArtifacts(id);
    lab.sim.clearFaults();
    expect(task.state).toBe('Failed');
    expect(task.error?.message).toMatch(/Run DeleteTenant again/);
    const [tenant] = lab.dbState().tenants as Array<{ lifecycle: string; vksc_id: number | null; ksc_account_id: number | null }>;
    expect(tenant).toMatchObject({ lifecycle: 'Ready', vksc_id: null });
    expect(tenant!.ksc_account_id).not.toBeNull();
    expect(lab.sim.snapshot().virtualServers).toEqual([]);
    expect((await removeWithArtifacts(id)).state).toBe('Completed');
    expect(lab.sim.snapshot()).toEqual(initial);
  });
});

describe("the Administration Server's own refusals roll back too", () => {
  it('an administrator name taken on the Administration Server: KSC_AccountNameAlreadyExists, nothing left', async () => {
    const sim = lab.sim.snapshot();
    const db = lab.dbState();
    const task = await lab.runTask('POST', '/tenants', completeTenantXml('Name Clash', 'KSC-OPERATOR'));
    expect(task.state).toBe('Failed');
    expect(task.error?.code).toBe('KSC_AccountNameAlreadyExists');
    expect(lab.sim.snapshot()).toEqual(sim);
    expect(lab.dbState()).toEqual(db);
  });

  it('the 500-virtual-server limit (here 1): KSC_VirtualServerLimitReached, nothing left', async () => {
    const small = await startVendorLab({ configureKsc: true, sim: { maxVirtualServers: 1 } });
    try {
      expect((await small.runTask('POST', '/tenants', completeTenantXml('First'))).state).toBe('Completed');
      const sim = small.sim.snapshot();
      const db = small.dbState();
      const task = await small.runTask('POST', '/tenants', completeTenantXml('Second'));
      expect(task.error?.code).toBe('KSC_VirtualServerLimitReached');
      expect(small.sim.snapshot()).toEqual(sim);
      expect(small.dbState()).toEqual(db);
    } finally {
      await small.stop();
    }
  });
});
