/**
 * Lab SVMs for deployment tests: one real OpenSSH sshd listening on several loopback addresses
 * (127.0.1.1, 127.0.1.2, …), each address a separate "SVM" whose `klconfig` login is forced into
 * the klconfig simulator with its own state directory (sshd `Match LocalAddress` blocks). A
 * deployed libvirt or Proxmox VM is paired with one address, so every SVM of a multi-SVM deploy
 * has its own klconfig state, results.log and authorized_keys.
 *
 * Needs root (sshd, chown to the `klconfig` user that tests/lab/peers.sh creates).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type LabSvmHost = {
  port: number;
  hostKeyFingerprint: string;
  addresses: string[];
  stateDir(address: string): string;
  /** Forgets an address's klconfig state: the next SVM on it starts fresh. */
  reset(address: string): void;
  stop(): Promise<void>;
};

const KLCONFIG_MAIN = fileURLToPath(new URL('../klconfig/main.ts', import.meta.url));

async function freePort(host: string): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export async function startLabSvmHost(options: { dir: string; count: number; user?: string; node?: string }): Promise<LabSvmHost> {
  const dir = resolve(options.dir);
  const user = options.user ?? 'klconfig';
  const node = options.node ?? process.execPath;
  const addresses = Array.from({ length: options.count }, (_, i) => `127.0.1.${i + 1}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  mkdirSync('/run/sshd', { recursive: true });
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  const hostKey = join(dir, 'host_ed25519');
  if (!existsSync(hostKey)) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lightkeeper-lab-svms', '-f', hostKey]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]).toString().split(' ')[1]!;
  const stateDir = (a: string) => join(dir, a);
  for (const a of addresses) {
    mkdirSync(stateDir(a), { recursive: true });
    writeFileSync(join(stateDir(a), 'dns-hosts'), `${a} svm-${a.split('.').pop()}.lab.example.com\n`);
    for (const f of ['authorized_keys']) if (!existsSync(join(stateDir(a), f))) writeFileSync(join(stateDir(a), f), '');
    chownSync(stateDir(a), uid, gid);
    for (const f of ['dns-hosts', 'authorized_keys']) chownSync(join(stateDir(a), f), uid, gid);
  }
  const port = await freePort('127.0.0.1');
  const config = [
    `Port ${port}`,
    ...addresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    'UsePAM yes',
    'MaxSessions 64',
    'MaxStartups 64:30:128',
    'PermitTTY no',
    'DisableForwarding yes',
    `AllowUsers ${user}`,
    `AuthorizedKeysFile ${join(dir, 'none')}`,
    `ForceCommand /bin/false`,
    // One SVM per local address: its own state, results.log and authorized_keys.
    ...addresses.flatMap((a) => [
      `Match LocalAddress ${a}`,
      `  AuthorizedKeysFile ${join(stateDir(a), 'authorized_keys')}`,
      `  ForceCommand ${node} --disable-warning=ExperimentalWarning ${KLCONFIG_MAIN} --state-dir ${stateDir(a)}`,
    ]),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), config);
  execFileSync('/usr/sbin/sshd', ['-t', '-f', join(dir, 'sshd_config')]);
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  // Up when it accepts a TCP connection on the first address.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, addresses[0]!);
      s.once('connect', () => { s.destroy(); res(true); });
      s.once('error', () => res(false));
    });
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`The lab SVM sshd did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    hostKeyFingerprint: fingerprint,
    addresses,
    stateDir,
    reset(a) {
      for (const f of ['state.json', 'results.log', 'state.lock', 'resolved.conf']) rmSync(join(stateDir(a), f), { force: true });
      writeFileSync(join(stateDir(a), 'authorized_keys'), '');
      chownSync(join(stateDir(a), 'authorized_keys'), uid, gid);
    },
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

/** The klconfig results the simulator logged for one lab SVM (results.log, one JSON per line). */
export function labResults(host: LabSvmHost, address: string): Array<{ command: string; args: string[]; result: string; error?: string }> {
  const file = join(host.stateDir(address), 'results.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { command: string; args: string[]; result: string });
}
