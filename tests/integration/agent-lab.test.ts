// Issue 6's acceptance scenarios, with the lab's simulators as real HTTPS clients of a server on a
// real TLS port. Waits poll for a state with a generous deadline; durations are printed, not asserted.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SvmInfo } from '../../main/contract/svms.ts';
import { labTimings } from '../../main/cli/lab-command.ts';
import { startAgentLab, type AgentLab } from '../../main/lab/agents/agent-lab.ts';
import { startKscSimulator } from '../../main/lab/ksc/index.ts';
import { discoverRequest } from '../support/agent-fixtures.ts';
import { inProcessServer } from '../support/in-process-server.ts';
import { runCli, tempDir } from '../support/lightkeeper-process.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, deadlineMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - start > deadlineMs) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function labOnServer(speed: number, size: { svms: number; agents: number; tenants: number; hypervisors: number }, withTenants = false) {
  const ctx = await inProcessServer({ agentTimings: labTimings(speed), logLevel: 'error' });
  const { port } = await ctx.server.start();
  cleanups.push(() => ctx.server.stop());
  const ksc = withTenants ? await startKscSimulator({ port: 0, user: 'lab-ksc', password: 'Lab-Ksc-Pa55!' }) : undefined;
  if (ksc) cleanups.push(() => ksc.stop());
  const lab: AgentLab = await startAgentLab({
    ...size,
    url: `https://127.0.0.1:${port}`,
    ca: ctx.server.certificate.cert,
    credentials: { svm: ctx.passwords.svm, agent: ctx.passwords.agent, admin: ctx.passwords.admin },
    startSpreadMs: 500,
    ...(ksc ? { ksc: { port: ksc.port, fingerprint: ksc.fingerprint, user: 'lab-ksc', password: 'Lab-Ksc-Pa55!' } } : {}),
  });
  cleanups.push(() => lab.stop());
  await until('every agent connected', async () => (await lab.snapshot()).connected === size.agents);
  return { ctx, lab, port, interval: labTimings(speed).reportIntervalSeconds * 1000 };
}

describe('lightkeeper lab (the command, as a user runs it)', () => {
  it('connects 2000 agents to 10 SVMs, spread within ±20 % per hypervisor, and prints so', async () => {
    const r = await runCli(['lab', '--svms', '10', '--agents', '2000', '--speed', '60', '--duration', '30', '--port', '0']);
    // Node's own deprecation warnings may appear; nothing else may.
    expect(r.stderr.split('\n').filter((l) => l && !/^\(node:\d+\) \[\w+\] \w*Warning|^\(Use `node --trace-warnings/.test(l))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Console URL\s+https:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stdout).toMatch(/Certificate SHA-256 [0-9A-F:]{95}/);
    expect(r.stdout).toMatch(/Password of agent\s+\S+ \(generated\)/);
    expect(r.stdout).toMatch(/^\s+Tenants\s+tenant-1 \(Complete\), tenant-2 \(Simple\), .*: created, VMs registered, activated$/m);
    expect(r.stdout).toMatch(/^\[\s+\d+ s\] SVMs 10 fresh, 0 stale \| agents \d+ connected, \d+ unprotected \| tenant-1 \(Complete\) \d+\/400/m);
    expect(r.stdout).toContain('All 2000 agents connected.');
    expect(r.stdout).toContain('Agents spread within ±20 % across the SVMs of each hypervisor.');
  });

  it('refuses bad options with a sentence', async () => {
    const r = await runCli(['lab', '--agents', '-5']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--agents must be a whole number');
  });
});

describe('SVMs that stop', () => {
  it('become stale, their agents move, and svm-info names the stale SVM and why', async () => {
    const { ctx, lab, port, interval } = await labOnServer(150, { svms: 10, agents: 600, tenants: 2, hypervisors: 3 });
    const stopped = [0, 1, 2].map((i) => lab.stopSvm(i));
    const stoppedIds = new Set(stopped.map((s) => s.spec.biosId));
    const victims = lab.agents.agents().filter((a) => a.svm === null).map((a) => a.spec.request.vmName);
    expect(victims.length).toBeGreaterThan(0);
    const t0 = Date.now();
    await until('3 SVMs stale', () => ctx.server.services.svms.list({ state: 'stale' }).total === 3);
    console.log(`stale after ${Date.now() - t0} ms (report interval ${interval} ms)`);
    await until('all agents connected to running SVMs', async () => (await lab.snapshot()).connected === 600);
    for (const a of lab.agents.agents()) expect(stoppedIds.has(a.svmId ?? '')).toBe(false);

    const found = ctx.server.services.svms.svmInfo(victims[0]!, 'x');
    if (!found || !('info' in found)) throw new Error(`svm-info found no single VM ${victims[0]}`);
    const info = found.info;
    const staleRows = info.rejected.filter((r) => stoppedIds.has(r.id));
    expect(staleRows).toHaveLength(3);
    for (const r of staleRows) expect(r).toMatchObject({ state: 'stale', reasons: [{ code: 'STALE' }] });

    const pw = join(tempDir('lk-pw-'), 'admin');
    writeFileSync(pw, ctx.passwords.admin);
    const cli = await runCli(['svm-info', '--vm', victims[0]!, '--server', `https://127.0.0.1:${port}`, '--fingerprint', ctx.server.certificate.fingerprint256, '--password-file', pw]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^SVM to use: lab-svm-\d+/m);
    expect(cli.stdout).toMatch(new RegExp(`${stopped[0]!.spec.name}.*stale.*STALE: The SVM last reported`, 's'));
    const json = JSON.parse((await runCli(['svm-info', '--vm', victims[0]!, '--server', `https://127.0.0.1:${port}`, '--fingerprint', ctx.server.certificate.fingerprint256, '--password-file', pw, '--json'])).stdout) as SvmInfo;
    expect(json.connectedTo && stoppedIds.has(json.connectedTo.id)).toBe(false);

    const wrongPin = await runCli(['svm-info', '--vm', victims[0]!, '--server', `https://127.0.0.1:${port}`, '--fingerprint', 'AB'.repeat(32), '--password-file', pw]);
    expect(wrongPin.code).not.toBe(0);
    expect(wrongPin.stderr).toMatch(/not the trusted/);

    // Not one VM: none asked under the name, or two clones did. The server's words, exit code 2.
    const cliFor = (vm: string) => runCli(['svm-info', '--vm', vm, '--server', `https://127.0.0.1:${port}`, '--fingerprint', ctx.server.certificate.fingerprint256, '--password-file', pw]);
    const unknown = await cliFor('no-such-vm');
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/No Light Agent .*'no-such-vm'/)]);
    for (const n of [9001, 9002]) ctx.server.services.svms.discover(discoverRequest(n, { vmName: 'clone-of-gold' }));
    const ambiguous = await cliFor('clone-of-gold');
    expect([ambiguous.code, ambiguous.stderr]).toEqual([2, expect.stringMatching(/^2 VMs named 'clone-of-gold' have asked/)]);
  });
});

describe('deactivating a Complete tenant', () => {
  it('gives its agents only the sentinel and leaves them unprotected until it is reactivated; a Simple tenant sees no change', async () => {
    // The lab creates tenant-1 Complete and tenant-2 Simple through the JSON API, registers their VMs and activates them.
    const { ctx, lab } = await labOnServer(150, { svms: 6, agents: 400, tenants: 2, hypervisors: 2 }, true);
    expect(lab.tenants.map((t) => [t.name, t.type])).toEqual([
      ['tenant-1', 'Complete'],
      ['tenant-2', 'Simple'],
    ]);
    await lab.setTenantActive('tenant-1', false);
    await lab.setTenantActive('tenant-2', false);

    const off = await until('tenant-1 all on the sentinel', async () => {
      const s = await lab.snapshot();
      const t1 = s.tenants.find((t) => t.tenant === 'tenant-1')!;
      return t1.sentinel === t1.agents && t1.connected === 0 && s;
    });
    expect(off.tenants).toEqual([
      { tenant: 'tenant-1', type: 'Complete', status: 'Inactive', agents: 200, connected: 0, sentinel: 200 },
      { tenant: 'tenant-2', type: 'Simple', status: 'Inactive', agents: 200, connected: 200, sentinel: 0 },
    ]);
    await until('the server counts them', () => ctx.server.services.svms.summary().vmsWithSentinel === 200);
    const vm = lab.topology.agents.find((a) => a.tenant === 'tenant-1')!.request.vmName;
    expect(ctx.server.services.svms.svmInfo(vm, 'x')).toMatchObject({ info: { outcome: 'sentinel', svm: { address: '192.0.2.1' }, tenant: { type: 'Complete', status: 'Inactive' } } });

    await lab.setTenantActive('tenant-1', true);
    const on = await until('tenant-1 protected again', async () => {
      const s = await lab.snapshot();
      return s.connected === 400 && s;
    });
    expect(on.tenants.every((t) => t.sentinel === 0)).toBe(true);
  });
});
