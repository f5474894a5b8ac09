// Issue 7's lab acceptance: with collection on, the protected time the server reports per tenant is
// what the SVM simulators say their Light Agents were connected.
import { afterEach, describe, expect, it } from 'vitest';
import { labTimings } from '../../main/cli/lab-command.ts';
import { startAgentLab } from '../../main/lab/agents/agent-lab.ts';
import { startKscSimulator } from '../../main/lab/ksc/index.ts';
import { inProcessServer } from '../support/in-process-server.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a lab run with collection on', () => {
  it('reports per tenant exactly the time the simulators say their agents were connected', { timeout: 240_000 }, async () => {
    const ctx = await inProcessServer({ agentTimings: labTimings(60), logLevel: 'error' });
    const { port } = await ctx.server.start();
    cleanups.push(() => ctx.server.stop());
    await ctx.server.services.protectionReports.updateSettings({ enabled: true });
    const ksc = await startKscSimulator({ port: 0, user: 'lab-ksc', password: 'Lab-Ksc-Pa55!' });
    cleanups.push(() => ksc.stop());
    const lab = await startAgentLab({
      hypervisors: 2,
      svms: 4,
      tenants: 3,
      agents: 300,
      url: `https://127.0.0.1:${port}`,
      ca: ctx.server.certificate.cert,
      credentials: { svm: ctx.passwords.svm, agent: ctx.passwords.agent, admin: ctx.passwords.admin },
      startSpreadMs: 500,
      ksc: { port: ksc.port, fingerprint: ksc.fingerprint, user: 'lab-ksc', password: 'Lab-Ksc-Pa55!' },
    });
    const started = Date.now();
    while ((await lab.snapshot()).connected < 300) {
      if (Date.now() - started > 120_000) throw new Error('agents did not connect');
      await new Promise((r) => setTimeout(r, 200));
    }
    // Let some time accrue, then end the run cleanly: every SVM sends what it has one last time.
    await new Promise((r) => setTimeout(r, 3000));
    await lab.stop();
    // Now, not later: the server counts a period still open only up to the moment it reports.
    const until = Date.now();
    const said = lab.connectedTimeByTenant(until);

    const figures = await ctx.server.services.protectionReports.protectedTime({ step: 'day', to: until });
    const byName = new Map(figures.totals.map((t) => [t.tenantName ?? '', t.vmHours * 3_600_000]));
    expect([...said.keys()].sort()).toEqual([...byName.keys()].sort());
    for (const [tenant, ms] of said) {
      expect(ms).toBeGreaterThan(0);
      expect(Math.abs((byName.get(tenant) ?? 0) - ms), `tenant ${tenant}`).toBeLessThan(1);
    }
  });
});
