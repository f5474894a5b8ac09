// KlconfigClient against the lab SVM: a real sshd whose ForceCommand is main/lab/klconfig. Every
// command of domain.md §4.4 the deployment uses, its documented errors, and results.log.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlconfigClient, KlconfigError, parseKlconfigResult } from '../../main/connectors/ssh/klconfig.ts';
import type { SshSession } from '../../main/connectors/ssh/ssh-session.ts';
import { verifyPasswordHash } from '../../main/lab/klconfig/commands.ts';
import { initialState, readResultsLog, readState, resolvedConfPath, updateState } from '../../main/lab/klconfig/state.ts';
import { loadPeersEnv } from '../lab/peers-env.ts';

const env = loadPeersEnv('svm');
const svm = { host: env.get('LK_SVM_HOST'), port: env.num('LK_SVM_PORT'), hostKeyFingerprint: env.get('LK_SVM_HOST_KEY_FINGERPRINT') };
const stateDir = env.get('LK_SVM_STATE_DIR');

let client: KlconfigClient;
let session: SshSession;
let logStart: number;
let work: string;
const sent: string[] = [];

/** Runs through the client and remembers the command, to check results.log at the end. */
async function track<T>(command: string, call: Promise<T>): Promise<T> {
  sent.push(command);
  return call;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lk-klconfig-test-'));
  updateState(stateDir, (s) => Object.assign(s, initialState(new Date())));
  logStart = readResultsLog(stateDir).length;
  ({ client, session } = await KlconfigClient.connect({ ...svm, auth: { password: env.get('LK_SVM_PASSWORD') } }));
});

afterAll(() => {
  session?.dispose();
  updateState(stateDir, (s) => Object.assign(s, initialState(new Date())));
  rmSync(work, { recursive: true, force: true });
});

describe('result protocol', () => {
  it('parses OK, FAILED, coded and code-less errors, usage, and an error line before OK', () => {
    expect(parseKlconfigResult('1.0.0\nKLCONFIG OK\n')).toEqual({ ok: true, output: '1.0.0' });
    expect(parseKlconfigResult('ERROR:0130 Invalid password\nKLCONFIG FAILED\n')).toEqual({ ok: false, code: '0130', message: 'Invalid password', output: '' });
    expect(parseKlconfigResult('ERROR:klnagent not installed\nKLCONFIG FAILED')).toEqual({ ok: false, message: 'klnagent not installed', output: '' });
    expect(parseKlconfigResult('Usage: connectorlang lang\nKLCONFIG FAILED\n')).toEqual({ ok: false, usage: 'connectorlang lang', message: 'connectorlang lang', output: '' });
    // domain.md §2: gethypervisordetails prints ERROR:0061 and still ends with KLCONFIG OK.
    expect(parseKlconfigResult('ERROR:0061 could not find our self in the inventory, uuid=42\nKLCONFIG OK\n')).toEqual({
      ok: true,
      code: '0061',
      message: 'could not find our self in the inventory, uuid=42',
      output: '',
    });
    expect(parseKlconfigResult('bash: klconfig: command not found\n')).toBeNull();
  });
});

describe('information commands', () => {
  it('apiversion prints 1.0.0', async () => {
    const r = await track('apiversion', client.apiVersion());
    expect(r).toMatchObject({ ok: true, value: '1.0.0' });
  });

  it('version prints the SVM version', async () => {
    const r = await track('version', client.version());
    expect(r.ok).toBe(true);
    expect(r.value).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('test prints id, date, product and version, uptime, then DONE', async () => {
    const r = await track('test', client.test());
    expect(r.ok).toBe(true);
    expect(r.done).toBe(true);
    const lines = r.output.split('\n');
    expect(lines[0]).toMatch(/^uid=\d+\(klconfig\)/);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('DONE');
  });

  it('an unknown command fails', async () => {
    const r = await track('nosuchcommand', client.run('nosuchcommand'));
    expect(r.ok).toBe(false);
    expect(r.message).toContain('Unknown command');
  });
});

describe('settings commands', () => {
  it('connectorlang sets the language; without it prints its usage', async () => {
    expect((await track('connectorlang', client.connectorLang('ru'))).ok).toBe(true);
    expect(readState(stateDir).connectorLang).toBe('ru');
    const usage = await track('connectorlang', client.run('connectorlang'));
    expect(usage).toMatchObject({ ok: false, usage: 'connectorlang lang' });
    expect(() => KlconfigClient.check('connectorlang', usage)).toThrow(KlconfigError);
    expect(() => KlconfigClient.check('connectorlang', usage)).toThrow(/klconfig "connectorlang" failed on the SVM: wrong usage/);
  });

  it('timezone takes a tz name, to apply after reboot; an unknown zone fails', async () => {
    expect((await track('timezone', client.timezone('GMT'))).ok).toBe(true);
    expect(readState(stateDir).pendingTimezone).toBe('GMT');
    expect((await track('timezone', client.timezone('Mars/Olympus_Mons'))).ok).toBe(false);
  });

  it('network sets a static address; the gateway stays on one interface only', async () => {
    const eth0 = { iface: 'eth0', ip: '10.10.0.21', netmask: '255.255.255.0', broadcast: '10.10.0.255', gateway: '10.10.0.1' };
    expect((await track('network', client.network(eth0))).ok).toBe(true);
    expect((await track('network', client.network({ iface: 'eth1', ip: '192.168.5.2', netmask: '255.255.255.0', broadcast: '192.168.5.255', gateway: '192.168.5.1' }))).ok).toBe(true);
    const state = readState(stateDir);
    expect(state.interfaces.eth0).toMatchObject({ mode: 'static', ip: '10.10.0.21' });
    expect(state.interfaces.eth0?.gateway).toBeUndefined();
    expect(state.interfaces.eth1?.gateway).toBe('192.168.5.1');
    expect(state.networkApplied).toBe(false);
  });

  it('network rejects a bad interface, address or mask, and prints its usage when short of arguments', async () => {
    const bad = await track('network', client.network({ iface: 'eth 0', ip: '10.0.0.1', netmask: '255.0.0.0', broadcast: '10.255.255.255' }));
    expect(bad).toMatchObject({ ok: false, message: 'Wrong interface format eth 0' });
    expect((await track('network', client.network({ iface: 'eth0', ip: '10.0.0.300', netmask: '255.0.0.0', broadcast: '10.255.255.255' }))).ok).toBe(false);
    expect((await track('network', client.network({ iface: 'eth0', ip: '10.0.0.3', netmask: '255.0.255.0', broadcast: '10.255.255.255' }))).ok).toBe(false);
    expect((await track('network', client.run('network', ['eth0', '10.0.0.3']))).usage).toBe('network Iface IP NetMask Broadcast [GateWay]');
  });

  it('dhcp makes one interface primary, the last one set wins; other values are refused', async () => {
    expect((await track('dhcp', client.dhcp('eth1', true))).ok).toBe(true);
    expect((await track('dhcp', client.dhcp('eth2', true))).ok).toBe(true);
    const state = readState(stateDir);
    expect(state.interfaces.eth2).toEqual({ mode: 'dhcp', primary: true });
    expect(state.interfaces.eth1).toEqual({ mode: 'dhcp', primary: false });
    expect((await track('dhcp', client.run('dhcp', ['eth1', 'maybe'])))).toMatchObject({ ok: false, message: `'yes' or 'no' should be specified` });
    expect((await track('dhcp', client.dhcp('bad/iface', false)))).toMatchObject({ ok: false, message: 'Wrong interface format bad/iface' });
  });

  it('manageservices restart network applies the network; status reports; unknown services fail', async () => {
    expect((await track('manageservices', client.manageServices('restart', 'network'))).ok).toBe(true);
    expect(readState(stateDir).networkApplied).toBe(true);
    expect((await track('manageservices', client.manageServices('status', 'network')))).toMatchObject({ ok: true, output: 'network is running' });
    expect((await track('manageservices', client.manageServices('restart', 'nosuchd'))).ok).toBe(false);
    expect((await track('manageservices', client.run('manageservices', ['reboot']))).usage).toMatch(/^manageservices start\|stop\|restart\|status /);
  });

  it('dns and dnssearch write resolved.conf; bad values fail', async () => {
    expect((await track('dns', client.dns(['10.10.0.53', '10.10.0.54']))).ok).toBe(true);
    expect((await track('dnssearch', client.dnsSearch(['example.com', 'lab.example.com']))).ok).toBe(true);
    const conf = readFileSync(resolvedConfPath(stateDir), 'utf8');
    expect(conf).toContain('DNS=10.10.0.53 10.10.0.54');
    expect(conf).toContain('Domains=example.com lab.example.com');
    expect((await track('dns', client.dns(['not-an-ip'])))).toMatchObject({ ok: false, message: 'Wrong address format not-an-ip' });
    expect((await track('dnssearch', client.dnsSearch(['bad_domain!']))).ok).toBe(false);
    expect((await track('dns', client.dns([]))).usage).toBeDefined();
  });

  it('getdnshostname prints the FQDN of the primary address, or error 0100', async () => {
    await track('network', client.network({ iface: 'eth2', ip: '10.10.0.21', netmask: '255.255.255.0', broadcast: '10.10.0.255', gateway: '10.10.0.1' }));
    const found = await track('getdnshostname', client.getDnsHostname());
    expect(found).toMatchObject({ ok: true, hostname: 'testsvm.example.com.' });
    await track('network', client.network({ iface: 'eth2', ip: '10.10.0.99', netmask: '255.255.255.0', broadcast: '10.10.0.255', gateway: '10.10.0.1' }));
    const missing = await track('getdnshostname', client.getDnsHostname());
    expect(missing).toMatchObject({ ok: false, code: '0100', message: 'Could not look up 10.10.0.99 in DNS' });
    expect(missing.hostname).toBeUndefined();
  });

  it('nagent points the Network Agent at KSC and reports each documented error', async () => {
    expect((await track('nagent', client.nagent({ address: 'ksc.example.com', sslPort: 13000, port: 14000 }))).ok).toBe(true);
    expect(readState(stateDir).nagent).toMatchObject({ address: 'ksc.example.com', sslPort: 13000, port: 14000 });
    expect((await track('nagent', client.nagent({ address: 'bad address!', sslPort: 13000 })))).toMatchObject({ ok: false, message: 'Wrong address format bad address!' });
    expect((await track('nagent', client.nagent({ address: '10.0.0.5', sslPort: 70000 })))).toMatchObject({ ok: false, message: 'Wrong port format 70000' });
    updateState(stateDir, (s) => (s.nagent.eulaAccepted = false));
    expect((await track('nagent', client.nagent({ address: '10.0.0.5', sslPort: 13000 })))).toMatchObject({ ok: false, message: 'The klnagent End User Agreement is not accepted' });
    updateState(stateDir, (s) => (s.nagent.installed = false));
    expect((await track('nagent', client.nagent({ address: '10.0.0.5', sslPort: 13000 })))).toMatchObject({ ok: false, message: 'klnagent not installed' });
    updateState(stateDir, (s) => (s.nagent = { ...s.nagent, installed: true, eulaAccepted: true }));
  });

  it('an injected fault fails the command once with its code, then the command works again', async () => {
    updateState(stateDir, (s) => (s.faults.nagent = { code: '0042', message: 'klnagent configuration failed', remaining: 1 }));
    const failed = await track('nagent', client.nagent({ address: '10.0.0.5', sslPort: 13000 }));
    expect(failed).toMatchObject({ ok: false, code: '0042', message: 'klnagent configuration failed' });
    expect(() => KlconfigClient.check('nagent', failed)).toThrow('klconfig "nagent" failed on the SVM: error 0042: klnagent configuration failed.');
    expect((await track('nagent', client.nagent({ address: '10.0.0.5', sslPort: 13000 }))).ok).toBe(true);
  });
});

describe('passwords and keys', () => {
  const good = `Str0ng#Pass-${'x'.repeat(10)}`;

  it('passwd reads the new password from stdin and keeps only a hash', async () => {
    expect((await track('passwd', client.passwd('root', good))).ok).toBe(true);
    expect((await track('passwd', client.passwd('klconfig', good))).ok).toBe(true);
    const { passwordHashes } = readState(stateDir);
    expect(verifyPasswordHash(passwordHashes.root!, good)).toBe(true);
    expect(verifyPasswordHash(passwordHashes.klconfig!, good)).toBe(true);
    expect(JSON.stringify(readState(stateDir))).not.toContain(good);
  });

  it('passwd refuses what the password rule forbids with error 0130', async () => {
    for (const bad of ['a'.repeat(61), 'with space', 'кириллица1A', '']) {
      const r = await track('passwd', client.passwd('root', bad));
      expect(r).toMatchObject({ ok: false, code: '0130', message: 'Invalid password' });
    }
    // Exactly 60 characters of the allowed set is accepted.
    expect((await track('passwd', client.passwd('root', `A1!${'b'.repeat(57)}`))).ok).toBe(true);
    expect((await track('passwd', client.run('passwd', ['nobody'], { stdin: `${good}\n` }))).usage).toBe('passwd root|klconfig');
  });

  it('setsshkey sets the key the klconfig account then logs in with', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lightkeeper-test', '-f', join(work, 'klconfig_key')]);
    const pub = readFileSync(join(work, 'klconfig_key.pub'), 'utf8');
    expect((await track('setsshkey', client.setSshKey(pub))).ok).toBe(true);
    const viaKey = await KlconfigClient.connect({ ...svm, auth: { privateKey: readFileSync(join(work, 'klconfig_key'), 'utf8') } });
    sent.push('apiversion');
    expect((await viaKey.client.apiVersion()).ok).toBe(true);
    viaKey.session.dispose();
    expect((await track('setsshkey', client.setSshKey('not a key')))).toMatchObject({ ok: false });
  });
});

describe('results.log', () => {
  it('holds every result, in order, without the passwords', () => {
    const entries = readResultsLog(stateDir).slice(logStart);
    // In order; other suites may talk to the same lab SVM meanwhile, so ours form a subsequence.
    let next = 0;
    for (const e of entries) if (e.command === sent[next]) next++;
    expect(sent.slice(next)).toEqual([]);
    expect(entries.length).toBeGreaterThanOrEqual(sent.length);
    for (const e of entries) expect(['OK', 'FAILED']).toContain(e.result);
    expect(entries.find((e) => e.command === 'getdnshostname' && e.result === 'FAILED')?.error).toEqual({ code: '0100', message: 'Could not look up 10.10.0.99 in DNS' });
    expect(readFileSync(join(stateDir, 'results.log'), 'utf8')).not.toContain('Str0ng#Pass');
  });
});
