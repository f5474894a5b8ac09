/**
 * The lab SVM's klconfig state: one JSON file in the simulator's directory, guarded by a lock file
 * because every `ssh klconfig@svm <command>` is a separate process and a deploy task may run several
 * at once. Tests (running as root) read the state and results.log, and inject faults through it.
 */
import { appendFileSync, chownSync, closeSync, existsSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type NetworkInterface = {
  mode: 'static' | 'dhcp';
  ip?: string;
  netmask?: string;
  broadcast?: string;
  gateway?: string;
  /** DEFROUTE=yes, PEERDNS=yes: only one interface is primary; the last one set wins. */
  primary: boolean;
};

/** A failure the next runs of `command` report instead of doing their work (fault injection). */
export type KlconfigFault = {
  code?: string;
  message: string;
  /** How many runs fail; absent means every run until the fault is removed. */
  remaining?: number;
};

export type ServiceName = 'network' | 'klnagent' | 'scanserver' | 'sshd';
export const SERVICE_NAMES: readonly ServiceName[] = ['network', 'klnagent', 'scanserver', 'sshd'];

export type KlconfigState = {
  productName: string;
  version: string;
  connectorLang: string;
  timezone: string;
  /** Written by `timezone`, applied after a reboot (it stays pending in the lab). */
  pendingTimezone: string | null;
  interfaces: Record<string, NetworkInterface>;
  /** False after `network`/`dhcp` until `manageservices restart network` (or a reboot). */
  networkApplied: boolean;
  /** Addresses a DHCP server handed out, by interface; the lab has none unless a test sets one. */
  dhcpLeases: Record<string, string>;
  dns: string[];
  dnsSearch: string[];
  nagent: { installed: boolean; eulaAccepted: boolean; address: string | null; sslPort: number | null; port: number | null };
  /** scrypt hashes (`salt:hash`, hex), never the passwords. */
  passwordHashes: { root: string | null; klconfig: string | null };
  services: Record<ServiceName, 'running' | 'stopped'>;
  faults: Record<string, KlconfigFault>;
  bootedAt: string;
};

export function initialState(now: Date): KlconfigState {
  return {
    productName: 'Lightkeeper lab SVM Protection Server',
    version: '6.2.0.70',
    connectorLang: 'en',
    timezone: 'UTC',
    pendingTimezone: null,
    interfaces: {},
    networkApplied: true,
    dhcpLeases: {},
    dns: [],
    dnsSearch: [],
    nagent: { installed: true, eulaAccepted: true, address: null, sslPort: null, port: null },
    passwordHashes: { root: null, klconfig: null },
    services: { network: 'running', klnagent: 'running', scanserver: 'running', sshd: 'running' },
    faults: {},
    bootedAt: now.toISOString(),
  };
}

export const statePath = (dir: string) => join(dir, 'state.json');
export const resultsLogPath = (dir: string) => join(dir, 'results.log');
export const dnsHostsPath = (dir: string) => join(dir, 'dns-hosts');
export const authorizedKeysPath = (dir: string) => join(dir, 'authorized_keys');
export const resolvedConfPath = (dir: string) => join(dir, 'resolved.conf');

export function readState(dir: string): KlconfigState {
  const file = statePath(dir);
  if (!existsSync(file)) return initialState(new Date());
  // Fields added later get their defaults, so an old state file keeps working.
  return { ...initialState(new Date()), ...(JSON.parse(readFileSync(file, 'utf8')) as Partial<KlconfigState>) };
}

/**
 * Atomic replace. The file keeps the directory owner's uid/gid, so a test running as root does not
 * leave a state file the simulator (running as `klconfig`) can no longer write.
 */
export function writeState(dir: string, state: KlconfigState): void {
  const file = statePath(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  const owner = statSync(dir);
  if (process.getuid?.() === 0 && owner.uid !== 0) chownSync(tmp, owner.uid, owner.gid);
  renameSync(tmp, file);
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

/** Runs `fn` holding the directory's lock file (O_EXCL); a lock older than 10 s is taken over. */
export function withStateLock<T>(dir: string, fn: () => T): T {
  const lock = join(dir, 'state.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) unlinkSync(lock);
      } catch {
        // removed by its holder meanwhile: try again
      }
      if (Date.now() > deadline) throw new Error(`klconfig state lock ${lock} held for more than ${LOCK_WAIT_MS} ms`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      // already gone
    }
  }
}

/** Changes the state under the lock (for tests: presets and fault injection). */
export function updateState(dir: string, change: (state: KlconfigState) => void): KlconfigState {
  return withStateLock(dir, () => {
    const state = readState(dir);
    change(state);
    writeState(dir, state);
    return state;
  });
}

/** One line of results.log (JSON Lines: the vendor's format of this file is not documented). */
export type ResultsLogEntry = {
  time: string;
  user: string;
  command: string;
  args: string[];
  result: 'OK' | 'FAILED';
  error?: { code?: string; message: string };
  usage?: string;
};

export function appendResult(dir: string, entry: ResultsLogEntry): void {
  appendFileSync(resultsLogPath(dir), `${JSON.stringify(entry)}\n`);
}

export function readResultsLog(dir: string): ResultsLogEntry[] {
  const file = resultsLogPath(dir);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ResultsLogEntry);
}

/** Reads the lab's DNS zone: `/etc/hosts` lines, `IP name [aliases]`; the first name is the PTR. */
export function readDnsHosts(dir: string): Map<string, string> {
  const file = dnsHostsPath(dir);
  const ptr = new Map<string, string>();
  if (!existsSync(file)) return ptr;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const [ip, name] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (ip && name && !ptr.has(ip)) ptr.set(ip, name);
  }
  return ptr;
}
