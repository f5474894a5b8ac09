import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { ACCOUNT_NAMES, ACCOUNT_PURPOSE, type AccountName } from '../contract/accounts.ts';
import { startAgentLab, type AgentLab, type LabSnapshot } from '../lab/agents/agent-lab.ts';
import { startKscSimulator } from '../lab/ksc/index.ts';
import { createIntegrationServer, DEFAULT_PORT, isSetUp } from '../server.ts';
import { setUpDataFolder } from '../services/setup.ts';
import { readPassword } from './password-input.ts';

type LabOptions = {
  hypervisors: number;
  svms: number;
  tenants: number;
  agents: number;
  speed: number;
  duration?: number;
  stopSvms: number;
  stopAfter?: number;
  data?: string;
  host: string;
  port: number;
} & Record<string, unknown>;

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not '${v}'.`);
  return n;
};
const count = (name: string, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${name} must be a whole number from 0 to ${max}, not '${v}'.`);
  return n;
};

/** 3+ character classes, only characters the vendor's rule allows, and never a default. */
const generatedPassword = () => `Lk-7${randomBytes(18).toString('base64url')}`;

/** The protocol's intervals divided by --speed, in the whole seconds the protocol carries. */
export function labTimings(speed: number) {
  const report = Math.max(1, Math.round(300 / speed));
  return {
    reportIntervalSeconds: report,
    askAgainSeconds: report,
    askAgainWhileEmptySeconds: Math.max(1, Math.round(30 / speed)),
    sweepMs: Math.min(5000, Math.max(200, (report * 1000) / 5)),
    flushMs: Math.min(5000, report * 1000),
  };
}

export function summaryLine(elapsedSeconds: number, s: LabSnapshot): string {
  const tenants = s.tenants
    .map((t) => `${t.tenant}${t.type ? ` (${t.type}${t.status === 'Inactive' ? ', inactive' : ''})` : ''} ${t.connected}/${t.agents}${t.sentinel ? `, ${t.sentinel} on the sentinel` : ''}`)
    .join(', ');
  return `[${String(Math.round(elapsedSeconds)).padStart(5)} s] SVMs ${s.svmsFresh} fresh, ${s.svmsStale} stale | agents ${s.connected} connected, ${s.unprotected} unprotected | ${tenants}`;
}

function verdict(lab: AgentLab, s: LabSnapshot): string[] {
  const lines = [s.connected === s.agents ? `All ${s.agents} agents connected.` : `${s.connected} of ${s.agents} agents connected; ${s.unprotected} unprotected.`];
  const spread = lab.spread();
  for (const h of spread) lines.push(`  ${h.hypervisor}: ${h.counts.map((c) => `${c.svm} ${c.agents}`).join(', ')} (mean ${h.mean.toFixed(1)}, worst ${(h.worstDeviation * 100).toFixed(1)} % off)`);
  const even = spread.every((h) => h.worstDeviation <= 0.2);
  lines.push(even ? 'Agents spread within ±20 % across the SVMs of each hypervisor.' : 'Agents are NOT spread within ±20 % across the SVMs of every hypervisor.');
  return lines;
}

export function labCommand(): Command {
  const cmd = new Command('lab')
    .description('an embedded Integration Server with simulated SVMs and Light Agents talking to it over HTTPS')
    .addOption(new Option('--hypervisors <n>', 'hypervisors').default(3).argParser(count('hypervisors', 1000)))
    .addOption(new Option('--svms <n>', 'SVM simulators').default(10).argParser(count('svms', 5000)))
    .addOption(new Option('--tenants <n>', 'tenants the agents are spread over').default(5).argParser(count('tenants', 1000)))
    .addOption(new Option('--agents <n>', 'Light Agent simulators').default(2000).argParser(count('agents', 200_000)))
    .addOption(new Option('--speed <factor>', 'divide every protocol interval by this (60: a 5-minute interval lasts 5 s)').default(60).argParser(positive('speed')))
    .addOption(new Option('--duration <seconds>', 'stop after this long (default: run until Ctrl-C)').argParser(positive('duration')))
    .addOption(new Option('--stop-svms <n>', 'stop this many SVM simulators mid-run').default(0).argParser(count('stop-svms', 5000)))
    .addOption(new Option('--stop-after <seconds>', 'when to stop them (default: half the duration)').argParser(positive('stop-after')))
    .addOption(new Option('--data <dir>', 'data folder (default: a new temporary one)'))
    .addOption(new Option('--host <address>', 'address to listen on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'TCP port (0: any free port)').default(DEFAULT_PORT).argParser(count('port', 65535)));
  for (const name of ACCOUNT_NAMES) {
    cmd.addOption(new Option(`--${name}-password-file <file>`, `file holding the password of '${name}' (${ACCOUNT_PURPOSE[name]}); generated when not given`));
  }
  return cmd.action(async (opts: LabOptions) => {
    if (opts.hypervisors < 1) throw new Error('--hypervisors must be at least 1.');
    if (opts.stopSvms > opts.svms) throw new Error(`--stop-svms ${opts.stopSvms} is more than --svms ${opts.svms}.`);
    const dataDir = opts.data ?? mkdtempSync(join(tmpdir(), 'lightkeeper-lab-'));
    const passwords = {} as Record<AccountName, string>;
    const generated: AccountName[] = [];
    const setUp = isSetUp(dataDir);
    for (const name of ACCOUNT_NAMES) {
      const file = opts[`${name}PasswordFile`] as string | undefined;
      if (file) passwords[name] = await readPassword(name, file, `--${name}-password-file`);
      else if (setUp) {
        if (name === 'admin' || name === 'svm' || name === 'agent') throw new Error(`${dataDir} is already set up: pass --${name}-password-file with its password.`);
      } else {
        passwords[name] = generatedPassword();
        generated.push(name);
      }
    }
    if (!setUp) await setUpDataFolder(dataDir, passwords, { force: false });

    const server = await createIntegrationServer({ dataDir, host: opts.host, port: opts.port, agentTimings: labTimings(opts.speed), logLevel: 'warn' });
    const { url, port } = await server.start();
    // A lab run always has periods to report (issue 7).
    await server.services.svms.setPeriodCollection(true);
    const timings = labTimings(opts.speed);
    // The tenants are real (JSON API, tasks), with the Administration Server simulator behind the Complete ones.
    const ksc = { user: 'lab-ksc-admin', password: generatedPassword() };
    const kscSim = await startKscSimulator({ port: 0, ...ksc });
    console.log('Lightkeeper lab — embedded Integration Server with simulated SVMs and Light Agents');
    console.log(`  Console URL         ${url}/`);
    console.log(`  Certificate SHA-256 ${server.certificate.fingerprint256}`);
    console.log(`  Data folder         ${server.folder.root}`);
    console.log(`  Administration Server simulator ${kscSim.url} (user ${ksc.user})`);
    for (const name of generated) console.log(`  Password of ${name.padEnd(12)} ${passwords[name]} (generated)`);
    console.log(`  Lab                 ${opts.hypervisors} hypervisors, ${opts.svms} SVMs, ${opts.tenants} tenants, ${opts.agents} agents; speed ×${opts.speed} (SVMs report every ${timings.reportIntervalSeconds} s)`);

    const lab = await startAgentLab({
      hypervisors: opts.hypervisors,
      svms: opts.svms,
      tenants: opts.tenants,
      agents: opts.agents,
      url: `https://127.0.0.1:${port}`.replace('127.0.0.1', opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host),
      ca: server.certificate.cert,
      credentials: { svm: passwords.svm, agent: passwords.agent, admin: passwords.admin },
      startSpreadMs: Math.min(2000, timings.askAgainSeconds * 500),
      ksc: { port: kscSim.port, fingerprint: kscSim.fingerprint, ...ksc },
    });
    console.log(`  Tenants             ${lab.tenants.map((t) => `${t.name} (${t.type})`).join(', ')}: created, VMs registered, activated`);
    const started = Date.now();
    const elapsed = () => (Date.now() - started) / 1000;
    const ticker = setInterval(() => void lab.snapshot().then((s) => console.log(summaryLine(elapsed(), s)), (e: Error) => console.error(`lab: ${e.message}`)), timings.reportIntervalSeconds * 1000);
    let stopper: NodeJS.Timeout | undefined;
    if (opts.stopSvms > 0) {
      const after = opts.stopAfter ?? (opts.duration ?? 60) / 2;
      stopper = setTimeout(() => {
        const stopped = Array.from({ length: opts.stopSvms }, (_, i) => lab.stopSvm(i).spec.name);
        console.log(`[${String(Math.round(elapsed())).padStart(5)} s] stopped SVM simulators: ${stopped.join(', ')}`);
      }, after * 1000);
    }

    let finished = false;
    const finish = async (why: string) => {
      if (finished) process.exit(130);
      finished = true;
      clearInterval(ticker);
      if (stopper) clearTimeout(stopper);
      const s = await lab.snapshot();
      console.log(summaryLine(elapsed(), s));
      console.log(`${why}.`);
      for (const line of verdict(lab, s)) console.log(line);
      if (lab.errors.length > 0) console.log(`${lab.errors.length} simulator errors; first: ${lab.errors[0]}`);
      await lab.stop();
      // Billing, checked: the server's protected time per tenant beside what the simulators say.
      const until = Date.now();
      const said = lab.connectedTimeByTenant(until);
      const figures = await server.services.protectionReports.protectedTime({ step: 'day', to: until });
      for (const t of figures.totals) {
        const name = t.tenantName ?? '(no tenant)';
        const simulated = (said.get(t.tenantName ?? '') ?? 0) / 3_600_000;
        console.log(`Protected time ${name}: server report ${t.vmHours.toFixed(4)} VM-h, simulators ${simulated.toFixed(4)} VM-h`);
      }
      await server.stop();
      await kscSim.stop();
      process.exit(0);
    };
    process.on('SIGINT', () => void finish('Interrupted'));
    process.on('SIGTERM', () => void finish('Terminated'));
    if (opts.duration !== undefined) setTimeout(() => void finish(`Ran ${opts.duration} s`), opts.duration * 1000);
  });
}
