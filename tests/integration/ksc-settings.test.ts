import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/lightkeeper-process.ts';
import { b64, completeTenantXml, KSC_PASSWORD, KSC_USER, parseTask, startVendorLab, tenantIdOf, type VendorLab } from './rest-api-2.0/vendor-lab.ts';

let lab: VendorLab;
beforeAll(async () => {
  lab = await startVendorLab();
});
afterAll(async () => {
  await lab?.stop();
});

const filesUnder = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));

describe('lightkeeper ksc set|show|test', () => {
  it('shows the fingerprint on first contact and stores nothing until it is accepted', async () => {
    const pwFile = join(tempDir(), 'ksc-pw');
    writeFileSync(pwFile, `${KSC_PASSWORD}\n`, { mode: 0o600 });
    const base = ['ksc', 'set', '--data', lab.dataDir, '--address', '127.0.0.1', '--port', String(lab.sim.port), '--user', KSC_USER, '--password-file', pwFile];

    const first = await runCli(base);
    expect(first.code).toBe(2);
    expect(first.stdout).toContain(lab.sim.fingerprint);
    expect(first.stdout).toContain('Nothing was stored.');
    expect((await runCli(['ksc', 'show', '--data', lab.dataDir])).stdout).toMatch(/No Administration Server connection is configured/);
    const notConfigured = await runCli(['ksc', 'test', '--data', lab.dataDir]);
    expect(notConfigured.code).toBe(1);

    const wrong = await runCli([...base, '--accept-fingerprint', 'AA'.repeat(32)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/not the fingerprint you accepted.*Nothing was stored/);

    const ok = await runCli([...base, '--accept-fingerprint', lab.sim.fingerprint.replace(/:/g, '').toLowerCase()]);
    expect(ok.code, ok.stderr).toBe(0);
    const shown = await runCli(['ksc', 'show', '--data', lab.dataDir]);
    expect(shown.stdout).toContain(`127.0.0.1:${lab.sim.port}`);
    expect(shown.stdout).toContain(lab.sim.fingerprint);
    expect(shown.stdout).toMatch(/Password\s+set \(sealed\)/);
    expect(shown.stdout + shown.stderr).not.toContain(KSC_PASSWORD);

    const tested = await runCli(['ksc', 'test', '--data', lab.dataDir]);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/ok\s+manage-accounts/);

    // The running server takes the new settings at its next task, without a restart.
    const task = await lab.runTask('POST', '/tenants', completeTenantXml('After CLI'));
    expect(task.state, JSON.stringify(task)).toBe('Completed');
    const audit = JSON.parse((await lab.json('GET', '/audit?action=ksc.set')).body) as { items: Array<{ channel: string; address: string; account: string }> };
    expect(audit.items[0]).toMatchObject({ channel: 'cli', address: 'local' });
    expect(audit.items[0]!.account).toMatch(/^os:/);
    // Seven CLI runs, each a fresh Node: slow on a loaded two-core machine.
  }, 600_000);

  it('has --help on every ksc command', async () => {
    for (const args of [['ksc'], ['ksc', 'set'], ['ksc', 'show'], ['ksc', 'test']]) {
      const r = await runCli([...args, '--help']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: lightkeeper ksc/);
    }
  }, 600_000);
});

describe('secrets of tenants and of the Administration Server connection', () => {
  it('are never in a response, the log or any file of the data folder in clear', async () => {
    const adminPassword = 'Tenant-Admin-S3cret#91';
    const r = await lab.vendor('POST', '/tenants', { body: completeTenantXml('Secretive', 'secretive-admin', adminPassword) });
    const task = await lab.waitTask(parseTask(r.body).id);
    expect(task.state).toBe('Completed');
    const id = tenantIdOf(task);
    // A failing task too: its error must not echo the password either.
    const dup = await lab.runTask('POST', '/tenants', completeTenantXml('Secretive', 'secretive-admin', adminPassword));
    expect(dup.state).toBe('Failed');

    const responses = [
      r.body,
      (await lab.vendor('GET', `/tasks/${task.id}`)).body,
      (await lab.vendor('GET', `/tasks/${dup.id}`)).body,
      (await lab.vendor('GET', '/tasks')).body,
      (await lab.vendor('GET', `/tenants/${id}`)).body,
      (await lab.vendor('GET', '/tenants')).body,
      (await lab.json('GET', `/tenants/${id}`)).body,
      (await lab.json('GET', '/tasks?limit=1000')).body,
      (await lab.json('GET', '/audit?limit=1000')).body,
      (await lab.json('GET', '/ksc')).body,
    ];
    const secrets = [adminPassword, KSC_PASSWORD];
    const forms = secrets.flatMap((s) => [s, b64(s)]);
    for (const body of responses) for (const f of forms) expect(body.includes(f), `a secret in a response: ${body.slice(0, 200)}`).toBe(false);

    await sleep(1500); // the log is written by a worker thread
    const files = filesUnder(lab.dataDir);
    expect(files.some((f) => f.includes(join(lab.dataDir, 'logs')))).toBe(true);
    for (const f of files) {
      const content = readFileSync(f);
      for (const form of forms) expect(content.includes(form), `a secret in ${f}`).toBe(false);
    }
  });
});
